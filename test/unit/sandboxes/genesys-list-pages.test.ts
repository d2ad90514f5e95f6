/** The Genesys sandbox pages its shift, override and reason-code lists (`listPageSize`, spec 000 pagination). */
import { call, useVendorSandbox, type Json } from './helpers';

const USER = 'user-pages';
const shift = (n: number) => ({
  id: `shift-${n}`,
  userId: USER,
  startTime: `2024-11-2${n}T08:00:00.000Z`,
  endTime: `2024-11-2${n}T16:00:00.000Z`,
  shiftType: 'REGULAR',
});
const fixtures = {
  users: [{ id: USER, timezone: 'UTC' }],
  shifts: [shift(1), shift(2), shift(3)],
  reasonCodes: [
    { id: 'rc-1', name: 'One' },
    { id: 'rc-2', name: 'Two' },
    { id: 'rc-3', name: 'Three' },
  ],
};
const shiftsQuery = new URLSearchParams({
  userId: USER,
  startTime: '2024-11-20T00:00:00Z',
  endTime: '2024-11-30T00:00:00Z',
});

const sandbox = useVendorSandbox('genesys', { fixtures });
const get = (pathAndQuery: string) => call(sandbox.base, 'GET', pathAndQuery, { token: sandbox.token });

/** Follows `nextUri` from the first page; answers every page body. */
async function pages(first: string): Promise<Json[]> {
  const bodies: Json[] = [];
  for (let uri: string | undefined = first; uri;) {
    const res = await get(uri);
    expect(res.status).toBe(200);
    bodies.push(res.body);
    uri = res.body.nextUri;
  }
  return bodies;
}

describe('genesys list pages', () => {
  it('serves each list on one page by default, with the paging fields and the old list field', async () => {
    const res = await get(`/api/v2/wfm/scheduling/shifts?${shiftsQuery}`);
    expect(res.body).toMatchObject({ pageNumber: 1 });
    expect(res.body.nextUri).toBeUndefined();
    expect(res.body.entities.map((s: { id: string }) => s.id)).toEqual(['shift-1', 'shift-2', 'shift-3']);
    expect(res.body.shifts).toEqual(res.body.entities);
    const codes = await get('/api/v2/wfm/reasoncodes');
    expect(codes.body.reasonCodes).toHaveLength(3);
    expect(codes.body.nextUri).toBeUndefined();
    expect(await sandbox.admin.config({})).toMatchObject({ listPageSize: 10_000 });
  });

  it('with listPageSize 1, pages shifts, reason codes and overrides one item at a time via nextUri', async () => {
    await sandbox.admin.config({ listPageSize: 1 });
    const shiftPages = await pages(`/api/v2/wfm/scheduling/shifts?${shiftsQuery}`);
    expect(shiftPages.map((p) => [p.pageNumber, p.pageSize, p.entities.map((s: Json) => s.id)])).toEqual([
      [1, 1, ['shift-1']],
      [2, 1, ['shift-2']],
      [3, 1, ['shift-3']],
    ]);
    expect(shiftPages[0].nextUri).toBe(
      `/api/v2/wfm/scheduling/shifts?${shiftsQuery}&pageNumber=2&pageSize=1`,
    );
    const codePages = await pages('/api/v2/wfm/reasoncodes');
    expect(codePages.flatMap((p) => p.reasonCodes.map((c: Json) => c.id))).toEqual(['rc-1', 'rc-2', 'rc-3']);

    for (const n of [1, 2]) {
      const created = await call(sandbox.base, 'POST', '/api/v2/wfm/scheduling/overrides', {
        token: sandbox.token,
        body: {
          overrideType: 'REMOVE',
          ...shift(n),
          shiftId: `shift-${n}`,
          id: undefined,
          shiftType: undefined,
          reasonCodeId: 'rc-1',
          notes: 'paging',
          idempotencyKey: `key-${n}`,
        },
      });
      expect(created.status).toBe(201);
    }
    const overridePages = await pages(`/api/v2/wfm/scheduling/overrides?userId=${USER}`);
    expect(overridePages.map((p) => p.entities.map((o: Json) => o.idempotencyKey))).toEqual([
      ['key-1'],
      ['key-2'],
    ]);
  });

  it('serves the page size asked for, at most listPageSize, and rejects a bad page number', async () => {
    await sandbox.admin.config({ listPageSize: 2 });
    const one = await get(`/api/v2/wfm/scheduling/shifts?${shiftsQuery}&pageSize=1&pageNumber=3`);
    expect(one.body.entities.map((s: Json) => s.id)).toEqual(['shift-3']);
    expect(one.body.nextUri).toBeUndefined();
    const capped = await get(`/api/v2/wfm/scheduling/shifts?${shiftsQuery}&pageSize=100`);
    expect(capped.body).toMatchObject({ pageSize: 2 });
    expect(capped.body.entities).toHaveLength(2);
    expect((await get('/api/v2/wfm/reasoncodes?pageNumber=0')).status).toBe(400);
  });
});
