import { call, useVendorSandbox } from './helpers';

const issue = (over: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  call(sandbox.base, 'POST', '/v1/rewards/issue', {
    token: sandbox.token,
    headers: { 'x-integration-id': 'GENESYS-WFM-INTEGRATION-01', ...headers },
    body: {
      transaction_id: 'tx-1',
      agent_id: 'agent-hash-1',
      reward_type: 'gift_card_50_usd',
      points_consumed: 500,
      transaction_timestamp: '2023-10-27T14:30:00Z',
      metadata: { source_platform: 'Genesys Cloud CX', wfm_export_version: 'v2.1' },
      ...over,
    },
  });

const sandbox = useVendorSandbox('rewards', { seed: true });

describe('reward issuance', () => {
  it('issues a reward: HTTP 200, body status ISSUED, inventory taken', async () => {
    const res = await issue();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ transaction_id: 'tx-1', status: 'ISSUED', reason: null });
    expect(res.body.reward_id).toMatch(/^rwd_/);
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(
      state.body.catalog.find((c: { rewardType: string }) => c.rewardType === 'gift_card_50_usd').inventory,
    ).toBe(99);
  });

  it('answers REJECTED with HTTP 200 when inventory runs out, or the type, points or agent are refused', async () => {
    await sandbox.admin.fixtures({ inventory: { gift_card_50_usd: 0 }, blockedAgents: ['bad-agent'] });
    const cases: [Record<string, unknown>, string][] = [
      [{ transaction_id: 'tx-a' }, 'INSUFFICIENT_INVENTORY'],
      [{ transaction_id: 'tx-b', reward_type: 'yacht' }, 'UNKNOWN_REWARD_TYPE'],
      [
        { transaction_id: 'tx-c', reward_type: 'gift_card_25_usd', points_consumed: 10 },
        'INSUFFICIENT_POINTS',
      ],
      [
        { transaction_id: 'tx-d', reward_type: 'gift_card_25_usd', agent_id: 'bad-agent' },
        'POLICY_VIOLATION',
      ],
    ];
    for (const [over, reason] of cases) {
      const res = await issue(over);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'REJECTED', reason, reward_id: null });
    }
  });

  it('is idempotent on the transaction id: same answer, one reward', async () => {
    const first = await issue();
    const again = await issue({ points_consumed: 900 });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // The X-Request-ID header serves as the transaction id when the body has none.
    const viaHeader = await issue(
      { transaction_id: undefined },
      { 'x-request-id': '550e8400-e29b-41d4-a716-446655440000' },
    );
    expect(viaHeader.body.transaction_id).toBe('550e8400-e29b-41d4-a716-446655440000');
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.rewards).toHaveLength(2);
    expect(state.body.counters).toMatchObject({ issued: 2, duplicateIssues: 1 });
  });

  it('validates the payload and records PII fields it should never receive', async () => {
    expect((await issue({ points_consumed: -5 })).status).toBe(400);
    expect((await issue({ transaction_timestamp: '2023-10-27 14:30' })).status).toBe(400);
    expect((await issue({ transaction_id: undefined })).status).toBe(400);
    await issue({ transaction_id: 'tx-pii', agent_email: 'someone@example.com' });
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.piiReceived).toEqual([
      expect.objectContaining({ transactionId: 'tx-pii', fields: ['agent_email'] }),
    ]);
  });
});

describe('reward reversal (clawback)', () => {
  it('reverses an issued reward once, idempotently, and returns the unit to inventory', async () => {
    await issue();
    const reversed = await call(sandbox.base, 'DELETE', '/v1/rewards/tx-1', {
      token: sandbox.token,
      body: { reason: 'compliance violation' },
    });
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({
      transaction_id: 'tx-1',
      status: 'REVERSED',
      reversal_reason: 'compliance violation',
    });
    const again = await call(sandbox.base, 'DELETE', '/v1/rewards/tx-1', { token: sandbox.token });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(sandbox.base, 'GET', '/v1/rewards/tx-1', { token: sandbox.token })).body.status).toBe(
      'REVERSED',
    );
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(
      state.body.catalog.find((c: { rewardType: string }) => c.rewardType === 'gift_card_50_usd').inventory,
    ).toBe(100);
    expect(state.body.counters).toMatchObject({ reversed: 1, duplicateReversals: 1 });
  });

  it('answers 404 for an unknown transaction and 409 for a rejected one', async () => {
    expect((await call(sandbox.base, 'DELETE', '/v1/rewards/nope', { token: sandbox.token })).status).toBe(
      404,
    );
    await issue({ reward_type: 'yacht' });
    expect((await call(sandbox.base, 'DELETE', '/v1/rewards/tx-1', { token: sandbox.token })).status).toBe(
      409,
    );
  });
});

describe('what real marketplaces also do (issue 12 switches)', () => {
  const lookup = (id: string) => call(sandbox.base, 'GET', `/v1/rewards/${id}`, { token: sandbox.token });
  const state = async () => (await call(sandbox.base, 'GET', '/_admin/state')).body;

  it('answers 409 to the same transaction id with another payload when payloadMismatch is "conflict"', async () => {
    await sandbox.admin.config({ payloadMismatch: 'conflict' });
    const first = await issue();
    const same = await issue();
    expect(same.status).toBe(200);
    expect(same.body).toEqual(first.body);
    const changed = await issue({ points_consumed: 900 });
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({ error: 'idempotency.payload.mismatch', currentStatus: 'ISSUED' });
    // Key order and the body's transaction_id do not make a payload different.
    const reordered = await issue({
      metadata: { wfm_export_version: 'v2.1', source_platform: 'Genesys Cloud CX' },
    });
    expect(reordered.status).toBe(200);
    expect((await state()).counters).toMatchObject({ issued: 1, duplicateIssues: 2, payloadConflicts: 1 });
  });

  it('answers PENDING and settles on the sandbox clock: the lookup then reads ISSUED, the unit held since', async () => {
    await sandbox.admin.config({ pendingIssues: { settleAfterMs: 5000 } });
    const pending = await issue();
    expect(pending.body).toMatchObject({ status: 'PENDING', reward_id: null, reason: null });
    expect((await lookup('tx-1')).body.status).toBe('PENDING');
    const inventory = async () =>
      (await state()).catalog.find((c: { rewardType: string }) => c.rewardType === 'gift_card_50_usd')
        .inventory;
    expect(await inventory()).toBe(99);
    sandbox.clock.advance(4999);
    expect((await lookup('tx-1')).body.status).toBe('PENDING');
    sandbox.clock.advance(1);
    const settled = await lookup('tx-1');
    expect(settled.body).toMatchObject({ status: 'ISSUED', reason: null });
    expect(settled.body.reward_id).toMatch(/^rwd_/);
    expect(settled.body.settled_at).toBe(new Date(sandbox.clock.now()).toISOString());
    // The replayed issue answers the settled state, not the first PENDING.
    expect((await issue()).body).toEqual(settled.body);
    expect(await inventory()).toBe(99);
    expect((await state()).counters).toMatchObject({ pending: 1, issued: 1 });
  });

  it('settles PENDING by admin only when settleAfterMs is null; an admin REJECTED gives the unit back', async () => {
    await sandbox.admin.config({ pendingIssues: { settleAfterMs: null } });
    await issue();
    await issue({ transaction_id: 'tx-2' });
    sandbox.clock.advance(3_000_000); // within the token's hour
    expect((await lookup('tx-1')).body.status).toBe('PENDING');
    await sandbox.admin.fixtures({ settle: [{ transactionId: 'tx-1' }] });
    await sandbox.admin.fixtures({ settle: [{ transactionId: 'tx-2', status: 'REJECTED' }] });
    expect((await lookup('tx-1')).body.status).toBe('ISSUED');
    expect((await lookup('tx-2')).body).toMatchObject({ status: 'REJECTED', reason: 'FULFILLMENT_FAILED' });
    const s = await state();
    expect(s.catalog.find((c: { rewardType: string }) => c.rewardType === 'gift_card_50_usd').inventory).toBe(
      99,
    );
    await expect(sandbox.admin.fixtures({ settle: [{ transactionId: 'tx-1' }] })).rejects.toThrow(
      /not PENDING/,
    );
  });

  it('settles as REJECTED when settleAs says so, and by the business rules whatever it says', async () => {
    await sandbox.admin.config({ pendingIssues: { settleAfterMs: 0, settleAs: 'REJECTED' } });
    expect((await issue()).body.status).toBe('PENDING');
    expect((await lookup('tx-1')).body).toMatchObject({ status: 'REJECTED', reason: 'FULFILLMENT_FAILED' });
    await sandbox.admin.config({ pendingIssues: { settleAfterMs: 0 } });
    await issue({ transaction_id: 'tx-2', reward_type: 'yacht' });
    expect((await lookup('tx-2')).body).toMatchObject({ status: 'REJECTED', reason: 'UNKNOWN_REWARD_TYPE' });
  });

  it('"commit then fail": a commitFirst fault issues the reward, then answers 503 or drops the connection', async () => {
    await sandbox.admin.faults([
      { method: 'POST', path: '/v1/rewards/issue', status: 503, commitFirst: true },
      { method: 'POST', path: '/v1/rewards/issue', dropConnection: true, commitFirst: true },
    ]);
    const failed = await issue();
    expect(failed.status).toBe(503);
    expect((await lookup('tx-1')).body.status).toBe('ISSUED');
    await expect(issue({ transaction_id: 'tx-2' })).rejects.toThrow();
    expect((await lookup('tx-2')).body.status).toBe('ISSUED');
    const s = await state();
    expect(s.counters).toMatchObject({ issued: 2 });
    expect(s.faults).toEqual([]);
    const log = await sandbox.admin.requests({ path: '/v1/rewards/issue' });
    expect(log.requests.map((r) => [r.status, r.fault?.commitFirst])).toEqual([
      [503, true],
      [0, true],
    ]);
  });

  it('a commitFirst fault waits for a call the endpoint commits: a 400 does not use it up', async () => {
    await sandbox.admin.faults([
      { method: 'POST', path: '/v1/rewards/issue', status: 503, commitFirst: true },
    ]);
    expect((await issue({ points_consumed: -1 })).status).toBe(400);
    expect((await issue()).status).toBe(503);
    expect((await issue()).status).toBe(200);
  });

  it("lowers the rate limit to Tango's 1 request/s: the second call within the second gets 429", async () => {
    await sandbox.admin.config({ rateLimits: { general: { ratePerSecond: 1, burst: 1 } } });
    expect((await issue()).status).toBe(200);
    const limited = await lookup('tx-1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after-ms'))).toBeGreaterThan(0);
  });
});
