import { call, startTestSandboxes, token, type TestSandboxes } from './helpers';

const adherenceEvent = (i: number) => ({
  agentId: `agent-${i}`,
  adherenceState: 'InSession',
  scheduleType: 'Regular',
  startTime: '2026-05-15T14:00:00.000Z',
  endTime: '2026-05-15T14:05:00.000Z',
  reasonCode: 'PAID_BREAK_15',
});
const postAdherence = (base: string, tok: string, i: number) =>
  call(base, 'POST', `/api/v2/wem/adherence/agents/agent-${i}/adherence-events`, {
    token: tok,
    body: adherenceEvent(i),
    headers: { 'x-genesys-idempotency-key': `key-${i}` },
  });

describe('rate limits with a frozen bucket clock', () => {
  // Hundreds of real requests per test: the frozen clock makes the counts exact, not the wall time. A host taking a
  // third of the machine (decision 0015) once pushed one past jest's default 5 s.
  jest.setTimeout(30_000);
  let t: TestSandboxes;
  let genesys: string;
  beforeAll(async () => {
    t = await startTestSandboxes({ frozenRateClock: true });
    genesys = t.sb.urls.genesys;
  });
  afterAll(() => t.sb.close());
  beforeEach(() => t.sb.reset());

  it('genesys general endpoints: 300/min as 5 rps, burst 5; 429 with Retry-After and x-ratelimit headers', async () => {
    const tok = await token(genesys);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 6; i += 1) {
      last = await call(genesys, 'GET', '/api/v2/wfm/reasoncodes', { token: tok });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last!.headers.get('retry-after')).toBe('1');
    expect(last!.headers.get('retry-after-ms')).toBe('200');
    expect(last!.headers.get('x-ratelimit-limit')).toBe('5');
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(last!.body.error).toBe('too.many.requests');
    t.advanceRateClock(200);
    expect((await call(genesys, 'GET', '/api/v2/wfm/reasoncodes', { token: tok })).status).toBe(200);
    const limited = await call(genesys, 'GET', '/_admin/requests?status=429');
    expect(limited.body.requests[0]).toMatchObject({
      rateLimited: true,
      responseHeaders: { 'retry-after': '1' },
    });
  });

  it('adherence: 100 rps with burst 150 per tenant, independent of the general bucket', async () => {
    const tok = await token(genesys);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => postAdherence(genesys, tok, i)));
    const accepted = results.filter((r) => r.status === 201).length;
    expect(accepted).toBe(150);
    expect(results.filter((r) => r.status === 429)).toHaveLength(50);
    expect(results.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('1');
    t.advanceRateClock(1000);
    const next = await Promise.all(
      Array.from({ length: 120 }, (_, i) => postAdherence(genesys, tok, 1000 + i)),
    );
    expect(next.filter((r) => r.status === 201)).toHaveLength(100);
    // The general bucket was untouched by all of that.
    expect((await call(genesys, 'GET', '/api/v2/wfm/reasoncodes', { token: tok })).status).toBe(200);
  });

  it('limits change through _admin/config; admin calls are never limited', async () => {
    const tok = await token(genesys);
    await call(genesys, 'POST', '/_admin/config', {
      body: { rateLimits: { general: { ratePerSecond: 1, burst: 2 } } },
    });
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await call(genesys, 'GET', '/api/v2/wfm/reasoncodes', { token: tok })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const admin = await Promise.all(Array.from({ length: 30 }, () => call(genesys, 'GET', '/_admin/state')));
    expect(admin.every((r) => r.status === 200)).toBe(true);
    const bad = await call(genesys, 'POST', '/_admin/config', {
      body: { rateLimits: { nope: { ratePerSecond: 1, burst: 1 } } },
    });
    expect(bad.status).toBe(400);
  });

  it('cxone allows 50 requests per second', async () => {
    const cxone = t.sb.urls.cxone;
    const tok = await token(cxone);
    const results = await Promise.all(
      Array.from({ length: 60 }, () => call(cxone, 'GET', '/api/wfm/v2/schedule/locks', { token: tok })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(50);
    expect(results.filter((r) => r.status === 429)).toHaveLength(10);
  });
});

describe('rate limits in real time', () => {
  let t: TestSandboxes;
  beforeAll(async () => {
    t = await startTestSandboxes();
  });
  afterAll(() => t.sb.close());

  it('200 immediate adherence calls: the burst of 150 plus what refilled meanwhile', async () => {
    const genesys = t.sb.urls.genesys;
    const tok = await token(genesys);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => postAdherence(genesys, tok, i)));
    const elapsedSeconds = (performance.now() - started) / 1000;
    const accepted = results.filter((r) => r.status === 201).length;
    expect(accepted).toBeGreaterThanOrEqual(150);
    expect(accepted).toBeLessThanOrEqual(150 + Math.ceil(elapsedSeconds * 100) + 1);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 429)).toBe(true);
  });
});
