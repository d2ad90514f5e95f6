/**
 * One contract for the performance-export reader, run against the in-memory fake and against the real adapter
 * reading the Genesys sandbox's export over HTTP (DESIGN section 3). The rows carry names, emails and phones,
 * as an older export schema does: the contract is that none of them ever comes out of the reader.
 */
import {
  GenesysPerformanceExportAdapter,
  PERFORMANCE_EXPORT_PATH,
} from '../../shared/adapters/genesys/performance-export';
import { FakePerformanceExport } from '../../shared/adapters/genesys/performance-export.fake';
import {
  ExportIncomplete,
  ExportUnreadable,
  type ExportItem,
  type PerformanceExportReader,
} from '../../shared/domain/reward-triggers/ports';
import type { HttpRequest, VendorHttpClient } from '../../shared/http/types';
import { useGenesysSandbox } from '../helpers/genesys-sandbox';

const PAGE_SIZE = 5;
const DAY = '2026-05-15';

interface Subject {
  reader: PerformanceExportReader;
  load(rows: Record<string, unknown>[]): Promise<void>;
  /** Every page serves at most this many rows, whatever the page size. */
  shortPages(rows: number): Promise<void>;
  /** The export's `total` for the day is off by `by`. */
  misreportTotal(date: string, by: number): Promise<void>;
  pagesFetched(): Promise<number>;
}

const genesys = useGenesysSandbox();

const subjects: [string, () => Promise<Subject>][] = [
  [
    'fake',
    async () => {
      const fake = new FakePerformanceExport(PAGE_SIZE);
      return {
        reader: fake,
        load: async (rows) => void fake.rows.push(...rows),
        shortPages: async (rows) => void (fake.shortPageRows = rows),
        misreportTotal: async (date, by) => void fake.totalOffsets.set(date, by),
        pagesFetched: async () => fake.pagesServed.length,
      };
    },
  ],
  [
    'adapter against the sandbox',
    async () => {
      const { admin, http } = await genesys.connect();
      await admin.fixtures({ remove: { performance: true } });
      await admin.config({ performanceExport: { shortPageRows: null, totalOffsets: {} } });
      const fetched = async () => (await admin.requests({ path: PERFORMANCE_EXPORT_PATH, limit: 0 })).count;
      const before = await fetched();
      return {
        reader: new GenesysPerformanceExportAdapter(http, { pageSize: PAGE_SIZE }),
        load: async (rows) => void (await admin.fixtures({ performance: rows })),
        shortPages: async (rows) => void (await admin.config({ performanceExport: { shortPageRows: rows } })),
        misreportTotal: async (date, by) =>
          void (await admin.config({ performanceExport: { totalOffsets: { [date]: by } } })),
        pagesFetched: async () => (await fetched()) - before,
      };
    },
  ],
];

/** A row as the export carries it: metrics, and the agent's name, email and phone. */
const exportRow = (i: number, date = DAY, metrics: Record<string, unknown> = {}) => ({
  agentId: `agent-${String(i).padStart(3, '0')}`,
  date,
  csatFiveStar: i % 7,
  complianceViolations: i % 5 === 0 ? 1 : 0,
  ahtCompliancePct: 90,
  agentName: `Ana Lopez ${i}`,
  agentEmail: `ana.lopez.${i}@contact-center.example`,
  agentPhone: `+1-212-555-${String(1000 + i)}`,
  ...metrics,
});

const PII = /Ana Lopez|contact-center\.example|\+1-212-555|agentName|agentEmail|agentPhone/;

async function readAll(reader: PerformanceExportReader, date = DAY) {
  const items: ExportItem[] = [];
  let error: unknown;
  try {
    for await (const item of reader.readDay(date)) items.push(item);
  } catch (err) {
    error = err;
  }
  return {
    items,
    error,
    of: <K extends ExportItem['kind']>(kind: K) => items.filter((i) => i.kind === kind),
  };
}

describe.each(subjects)('Genesys performance export contract: %s', (_name, make) => {
  let subject: Subject;
  beforeEach(async () => {
    subject = await make();
  });

  it('reads one day across pages, in agent order, with no name, email or phone; other days stay out', async () => {
    await subject.load([
      ...Array.from({ length: 12 }, (_, i) => exportRow(12 - i)),
      exportRow(1, '2026-05-16'),
    ]);
    const { items, error, of } = await readAll(subject.reader);
    expect(error).toBeUndefined();
    expect(of('row').map((i) => i.kind === 'row' && i.row.agentId)).toEqual(
      Array.from({ length: 12 }, (_, i) => `agent-${String(i + 1).padStart(3, '0')}`),
    );
    expect(of('row')[0]).toEqual({
      kind: 'row',
      rowRef: `${DAY} page 1 row 1`,
      row: {
        agentId: 'agent-001',
        date: DAY,
        csatFiveStar: 1,
        complianceViolations: 0,
        ahtCompliancePct: 90,
      },
    });
    expect(items.at(-1)).toEqual({
      kind: 'day-complete',
      report: { date: DAY, exportVersion: 'v2.1', total: 12, received: 12, malformed: 0, pages: 3 },
    });
    expect(JSON.stringify(items)).not.toMatch(PII);
  });

  it('follows nextUri through pages shorter than the page size, to the last row', async () => {
    await subject.load(Array.from({ length: 7 }, (_, i) => exportRow(i + 1)));
    await subject.shortPages(2);
    const { error, of, items } = await readAll(subject.reader);
    expect(error).toBeUndefined();
    expect(of('row')).toHaveLength(7);
    expect(items.at(-1)).toMatchObject({ kind: 'day-complete', report: { total: 7, received: 7, pages: 4 } });
  });

  it('reports a malformed row by its place and the field at fault, never its values, and reads on', async () => {
    await subject.load([
      exportRow(1),
      exportRow(2, DAY, { csatFiveStar: 'five' }),
      exportRow(3, DAY, { complianceViolations: undefined }),
      exportRow(4),
      exportRow(5),
      exportRow(6, DAY, { ahtCompliancePct: 140 }),
      exportRow(7),
    ]);
    const { error, of, items } = await readAll(subject.reader);
    expect(error).toBeUndefined();
    expect(of('row').map((i) => i.kind === 'row' && i.row.agentId)).toEqual([
      'agent-001',
      'agent-004',
      'agent-005',
      'agent-007',
    ]);
    expect(
      of('malformed').map((i) => i.kind === 'malformed' && [i.rowRef, i.problems.map((p) => p.field)]),
    ).toEqual([
      [`${DAY} page 1 row 2`, ['csatFiveStar']],
      [`${DAY} page 1 row 3`, ['complianceViolations']],
      [`${DAY} page 2 row 1`, ['ahtCompliancePct']],
    ]);
    expect(items.at(-1)).toMatchObject({
      kind: 'day-complete',
      report: { total: 7, received: 7, malformed: 3 },
    });
    expect(JSON.stringify(of('malformed'))).not.toMatch(/five|140|agent-00/);
    expect(JSON.stringify(items)).not.toMatch(PII);
  });

  it.each([
    ['announces a row it never serves', 1, 6],
    ['serves a row it did not announce', -1, 4],
  ])('ends in ExportIncomplete, with no day-complete, when the export %s', async (_case, by, total) => {
    await subject.load(Array.from({ length: 5 }, (_, i) => exportRow(i + 1)));
    await subject.misreportTotal(DAY, by);
    const { error, of } = await readAll(subject.reader);
    expect(error).toBeInstanceOf(ExportIncomplete);
    expect(error).toMatchObject({ date: DAY, total, received: 5 });
    expect(of('day-complete')).toEqual([]);
    expect(of('row')).toHaveLength(5);
  });

  it('reads an empty day as complete with nothing in it', async () => {
    const { error, items } = await readAll(subject.reader, '2026-01-01');
    expect(error).toBeUndefined();
    expect(items).toEqual([
      {
        kind: 'day-complete',
        report: { date: '2026-01-01', exportVersion: 'v2.1', total: 0, received: 0, malformed: 0, pages: 1 },
      },
    ]);
  });

  it('streams: a caller that stops after the first row has fetched at most one page ahead', async () => {
    await subject.load(Array.from({ length: 30 }, (_, i) => exportRow(i + 1)));
    for await (const item of subject.reader.readDay(DAY)) {
      expect(item.kind).toBe('row');
      break;
    }
    expect(await subject.pagesFetched()).toBeLessThanOrEqual(2);
  });
});

describe('Genesys performance export adapter: what only a misbehaving vendor does', () => {
  const page = (over: Record<string, unknown> = {}) => ({
    exportVersion: 'v2.1',
    entities: [exportRow(1)],
    pageNumber: 1,
    pageSize: 1,
    total: 2,
    pageCount: 2,
    ...over,
  });
  /** A client answering the given bodies in turn; records the requests. */
  const scripted = (...bodies: unknown[]) => {
    const requests: HttpRequest[] = [];
    const http: VendorHttpClient = {
      request: async <T>(req: HttpRequest) => {
        requests.push(req);
        return { status: 200, headers: {}, body: bodies.shift() as T, attempts: 1 };
      },
    };
    return { http, requests };
  };

  it('never follows a nextUri that leaves the export (the token would go with it)', async () => {
    const { http, requests } = scripted(
      page({ nextUri: 'https://elsewhere.example/api/v2/wfm/exports/performance' }),
    );
    const { error } = await readAll(new GenesysPerformanceExportAdapter(http));
    expect(error).toBeInstanceOf(ExportUnreadable);
    expect(requests).toHaveLength(1);
  });

  it('stops on a cursor that does not advance, and on a total that changes while read', async () => {
    const stuck = scripted(
      page({ nextUri: `${PERFORMANCE_EXPORT_PATH}?dateFrom=${DAY}&dateTo=${DAY}&pageNumber=1&pageSize=100` }),
    );
    expect((await readAll(new GenesysPerformanceExportAdapter(stuck.http))).error).toBeInstanceOf(
      ExportUnreadable,
    );
    const moving = scripted(
      page({ nextUri: `${PERFORMANCE_EXPORT_PATH}?cursor=1` }),
      page({ total: 3, entities: [exportRow(2)] }),
    );
    const { error } = await readAll(new GenesysPerformanceExportAdapter(moving.http));
    expect(error).toMatchObject({
      name: 'ExportUnreadable',
      message: expect.stringContaining('total changed'),
    });
  });

  it('refuses a page not in the export shape, naming fields, not values', async () => {
    const { http } = scripted({ entities: 'Ana Lopez', total: 1 });
    const { error } = await readAll(new GenesysPerformanceExportAdapter(http));
    expect(error).toBeInstanceOf(ExportUnreadable);
    expect((error as Error).message).toMatch(/entities/);
    expect((error as Error).message).not.toMatch(/Ana Lopez/);
  });
});
