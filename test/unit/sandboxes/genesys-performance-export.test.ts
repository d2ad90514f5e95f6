/** The Genesys performance export's switches (issue 12): short cursor pages, a wrong total, a generated export. */
import { generatePerformanceRows } from '../../../local/sandboxes/vendors/performance-export-generator';
import { GENESYS_SEED } from '../../../local/sandboxes/vendors/seed';
import { call, token, useVendorSandbox } from './helpers';

const sandbox = useVendorSandbox('genesys');

const page = (query: string) =>
  call(sandbox.base, 'GET', `/api/v2/wfm/exports/performance?${query}`, { token: sandbox.token });

/** Every page from `query` on, following nextUri. */
async function allPages(query: string) {
  const pages = [(await page(query)).body];
  while (pages.at(-1).nextUri) {
    pages.push((await call(sandbox.base, 'GET', pages.at(-1).nextUri, { token: sandbox.token })).body);
  }
  return pages;
}

const rows = (n: number, date = '2026-05-15') =>
  Array.from({ length: n }, (_, i) => ({ agentId: `a${i}`, date, csatFiveStar: i, complianceViolations: 0 }));

describe('performance export switches', () => {
  it('serves short cursor pages: every page under the page size, nextUri until the last row', async () => {
    await sandbox.admin.fixtures({ performance: rows(7) });
    await sandbox.admin.config({ performanceExport: { shortPageRows: 2 } });
    const pages = await allPages('dateFrom=2026-05-15&dateTo=2026-05-15&pageSize=5');
    expect(pages.map((p) => p.entities.length)).toEqual([2, 2, 2, 1]);
    expect(pages.every((p) => p.total === 7 && p.pageSize === 5)).toBe(true);
    expect(pages.flatMap((p) => p.entities.map((r: { agentId: string }) => r.agentId))).toEqual(
      rows(7).map((r) => r.agentId),
    );
    expect(pages[1].nextUri).toContain('cursor=4');
  });

  it('misreports the total of a chosen day, and of any range that includes it', async () => {
    await sandbox.admin.fixtures({ performance: [...rows(3), ...rows(2, '2026-05-16')] });
    await sandbox.admin.config({ performanceExport: { totalOffsets: { '2026-05-15': 1 } } });
    const day = await allPages('dateFrom=2026-05-15&dateTo=2026-05-15&pageSize=2');
    expect(day[0].total).toBe(4);
    expect(day.flatMap((p) => p.entities)).toHaveLength(3);
    expect((await page('dateFrom=2026-05-16&dateTo=2026-05-16')).body.total).toBe(2);
    expect((await page('dateFrom=2026-05-14')).body.total).toBe(6);
  });

  it('serves a generated export of N agents x D days, paged, with names, emails and phones on every row', async () => {
    const generated = { agents: 250, fromDate: '2026-02-15', days: 90 };
    await sandbox.admin.config({ performanceExport: { generated, maxPageSize: 1000 } });
    const first = (await page('pageSize=1000')).body;
    expect(first).toMatchObject({ total: 22_500, pageCount: 23 });
    expect(first.entities).toHaveLength(1000);
    expect(first.entities[0]).toEqual(
      expect.objectContaining({
        agentId: 'agent-0000001',
        date: '2026-02-15',
        agentName: expect.any(String),
        agentEmail: expect.stringContaining('@'),
        agentPhone: expect.stringMatching(/^\+1-555-/),
      }),
    );
    const lastDay = await allPages('dateFrom=2026-05-15&dateTo=2026-05-20&pageSize=100');
    expect(lastDay.map((p) => p.entities.length)).toEqual([100, 100, 50]);
    expect(lastDay[2].entities.at(-1)).toMatchObject({ agentId: 'agent-0000250', date: '2026-05-15' });
    // The same position gives the same row: what the generator yields for fixtures is what the export serves.
    const [firstGenerated] = generatePerformanceRows({ ...generated, pii: true });
    expect(first.entities[0]).toEqual(firstGenerated);
    expect((await page('pageSize=1001')).status).toBe(400);
  });

  it("a generated export's agent ids take the given prefix (each bench run has its own agents)", async () => {
    const generated = { agents: 3, fromDate: '2026-02-15', days: 1, agentIdPrefix: 'bench-x1-' };
    await sandbox.admin.config({ performanceExport: { generated } });
    const ids = (await page('pageSize=10')).body.entities.map((e: { agentId: string }) => e.agentId);
    expect(ids).toEqual(['bench-x1-0000001', 'bench-x1-0000002', 'bench-x1-0000003']);
    await expect(
      sandbox.admin.config({
        performanceExport: { generated: { ...generated, agentIdPrefix: 'no spaces' } },
      }),
    ).rejects.toThrow(/answered 400/);
  });

  it('a reset returns to full pages, true totals, fixture rows and a page size of at most 100', async () => {
    await sandbox.admin.config({
      performanceExport: { shortPageRows: 1, totalOffsets: { '2026-05-15': 3 }, maxPageSize: 500 },
    });
    await sandbox.admin.reset({ seed: true });
    sandbox.token = await token(sandbox.base); // a reset forgets every token
    const seeded = (await page('pageSize=100')).body;
    expect(seeded).toMatchObject({ total: 3, pageCount: 1 });
    expect((await page('pageSize=101')).status).toBe(400);
  });

  it('the seed rows carry a name, an email and a phone (spec 004 edge case 2)', () => {
    for (const row of GENESYS_SEED.performance) {
      expect(row).toEqual(
        expect.objectContaining({
          agentName: expect.any(String),
          agentEmail: expect.any(String),
          agentPhone: expect.any(String),
        }),
      );
    }
  });
});
