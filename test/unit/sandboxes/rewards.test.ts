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
