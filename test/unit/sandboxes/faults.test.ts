import { call, startTestSandboxes, token, type TestSandboxes } from './helpers';

let t: TestSandboxes;
let rewards: string;
let genesys: string;
let tok: string;

const issue = (id: string) =>
  call(rewards, 'POST', '/v1/rewards/issue', {
    token: tok,
    body: {
      transaction_id: id,
      agent_id: 'a',
      reward_type: 'gift_card_50_usd',
      points_consumed: 500,
      transaction_timestamp: '2023-10-27T14:30:00Z',
    },
  });

beforeAll(async () => {
  t = await startTestSandboxes({ seed: true });
  rewards = t.sb.urls.rewards;
  genesys = t.sb.urls.genesys;
});
afterAll(() => t.sb.close());
beforeEach(async () => {
  t.resetRelaxed();
  tok = await token(rewards);
});

describe('fault injection', () => {
  it('answers a status for the next N matching calls, with Retry-After, then behaves normally', async () => {
    const added = await call(rewards, 'POST', '/_admin/faults', {
      body: [{ method: 'POST', path: '/v1/rewards/issue', status: 503, times: 2, retryAfterSeconds: 3 }],
    });
    expect(added.body.faults).toHaveLength(1);
    const first = await issue('tx-1');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.body).toMatchObject({ error: 'service.unavailable' });
    expect((await issue('tx-1')).status).toBe(503);
    const third = await issue('tx-1');
    expect(third.status).toBe(200);
    expect(third.body.status).toBe('ISSUED');
    // The faulted calls reached no handler: one reward exists.
    const state = await call(rewards, 'GET', '/_admin/state');
    expect(state.body.rewards).toHaveLength(1);
    expect(state.body.faults).toEqual([]);
    const log = await call(rewards, 'GET', '/_admin/requests?path=/v1/rewards/issue');
    expect(log.body.requests.map((r: { status: number }) => r.status)).toEqual([503, 503, 200]);
    expect(log.body.requests[0].fault).toMatchObject({ status: 503 });
  });

  it('matches by method, by prefix with the vendor prefix stripped, and by * glob', async () => {
    await call(genesys, 'POST', '/_admin/faults', {
      body: {
        faults: [
          { method: 'DELETE', path: '/api/v2/wfm/scheduling/overrides', status: 500 },
          { method: 'GET', path: '/genesys/api/v2/users/*', status: 504 },
          { path: '/api/v2/wem/adherence/agents/*/state', status: 502 },
        ],
      },
    });
    const gtok = await token(genesys);
    expect(
      (await call(genesys, 'GET', '/api/v2/wfm/scheduling/overrides?userId=u', { token: gtok })).status,
    ).toBe(200);
    expect(
      (await call(genesys, 'DELETE', '/api/v2/wfm/scheduling/overrides/x', { token: gtok })).status,
    ).toBe(500);
    expect((await call(genesys, 'GET', '/api/v2/users/anyone', { token: gtok })).status).toBe(504);
    expect(
      (await call(genesys, 'GET', '/api/v2/wem/adherence/agents/a1/state', { token: gtok })).status,
    ).toBe(502);
    expect(
      (await call(genesys, 'GET', '/api/v2/wem/adherence/agents/a1/state', { token: gtok })).status,
    ).toBe(200);
  });

  it('adds latency and can fail the token endpoint', async () => {
    await call(rewards, 'POST', '/_admin/faults', {
      body: [
        { path: '/v1/rewards/*', delayMs: 150 },
        { path: '/oauth/token', status: 500 },
      ],
    });
    const started = performance.now();
    const slow = await issue('tx-slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(slow.body.status).toBe('ISSUED');
    const failedToken = await call(rewards, 'POST', '/oauth/token', {
      body: 'grant_type=client_credentials&client_id=wfm-bridge-local&client_secret=local-client-secret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(failedToken.status).toBe(500);
  });

  it('drops the connection: the client sees a network error and nothing is recorded', async () => {
    await call(rewards, 'POST', '/_admin/faults', {
      body: [{ path: '/v1/rewards/issue', dropConnection: true }],
    });
    await expect(issue('tx-drop')).rejects.toThrow();
    const log = await call(rewards, 'GET', '/_admin/requests');
    expect(log.body.requests.at(-1)).toMatchObject({ status: 0, fault: { dropConnection: true } });
    expect((await call(rewards, 'GET', '/_admin/state')).body.rewards).toEqual([]);
    expect((await issue('tx-drop')).body.status).toBe('ISSUED');
  });

  it('can time out after the vendor processed the call (delay, then drop)', async () => {
    await call(rewards, 'POST', '/_admin/faults', {
      body: [{ path: '/v1/rewards/issue', delayMs: 20, dropConnection: true }],
    });
    await expect(issue('tx-t')).rejects.toThrow();
    expect((await call(rewards, 'GET', '/_admin/requests')).body.requests.at(-1).fault).toMatchObject({
      delayMs: 20,
    });
  });

  it('rejects malformed faults and can clear them', async () => {
    expect((await call(rewards, 'POST', '/_admin/faults', { body: [{ path: '/x', times: 2 }] })).status).toBe(
      400,
    );
    await call(rewards, 'POST', '/_admin/faults', { body: [{ path: '/x', status: 500, times: 5 }] });
    expect((await call(rewards, 'GET', '/_admin/faults')).body.faults[0]).toMatchObject({ remaining: 5 });
    await call(rewards, 'DELETE', '/_admin/faults');
    expect((await call(rewards, 'GET', '/_admin/faults')).body.faults).toEqual([]);
  });
});
