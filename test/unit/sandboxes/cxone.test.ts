import { call, token, useVendorSandbox } from './helpers';

const REQ = 'bidding_req_1';
const fixtures = {
  agents: [
    { id: 'agent_1', siteId: 'site_a', skills: [{ id: 'skill_voice', name: 'Voice', proficiency: 3 }] },
    { id: 'agent_2', siteId: 'site_b', skills: [] },
  ],
  shifts: [
    {
      id: 'shift_1',
      siteId: 'site_a',
      agentId: null,
      date: '2023-10-15',
      startTime: '08:00:00',
      endTime: '16:00:00',
      status: 'published',
    },
    {
      id: 'shift_2',
      siteId: 'site_a',
      agentId: 'agent_9',
      date: '2023-10-16',
      startTime: '08:00:00',
      endTime: '16:00:00',
      status: 'draft',
    },
    {
      id: 'shift_3',
      siteId: 'site_b',
      agentId: null,
      date: '2023-10-15',
      startTime: '08:00:00',
      endTime: '16:00:00',
      status: 'published',
    },
  ],
  biddingRequests: [
    {
      requestId: REQ,
      siteId: 'site_a',
      agent: { id: 'agent_1' },
      shift: { id: 'shift_1', date: '2023-10-15', startTime: '08:00:00', endTime: '16:00:00' },
      bid: { type: 'swap' },
    },
  ],
};
const act = (action: string, key: string | null = `idem-${Math.random()}`, id = REQ) =>
  call(sandbox.base, 'POST', `/api/wfm/v2/bidding/requests/${id}/actions`, {
    token: sandbox.token,
    body: { action, reason: 'Auto-approved', metadata: { approved_by: 'wfm-auto-engine' } },
    headers: key === null ? {} : { 'idempotency-key': key },
  });

const sandbox = useVendorSandbox('cxone', { fixtures });

describe('cxone schedule and agents', () => {
  it('queries shifts by site, inclusive date range and status', async () => {
    const q = (s: string) =>
      call(sandbox.base, 'GET', `/api/wfm/v2/schedule/shifts?${s}`, { token: sandbox.token });
    const published = await q('siteId=site_a&dateFrom=2023-10-15&dateTo=2023-10-16&status=published');
    expect(published.body.shifts.map((s: { id: string }) => s.id)).toEqual(['shift_1']);
    const all = await q('siteId=site_a&dateFrom=2023-10-15&dateTo=2023-10-16');
    expect(all.body.shifts.map((s: { id: string }) => s.id)).toEqual(['shift_1', 'shift_2']);
    expect((await q('dateFrom=2023-10-15&dateTo=2023-10-16')).status).toBe(400);
    expect((await q('siteId=site_a&dateFrom=2023-10-15&dateTo=2023-10-16&status=weird')).status).toBe(400);
  });

  it('returns agents with their skills', async () => {
    const agent = await call(sandbox.base, 'GET', '/api/wfm/v2/agents/agent_1', { token: sandbox.token });
    expect(agent.body).toMatchObject({ id: 'agent_1', siteId: 'site_a', skills: [{ id: 'skill_voice' }] });
    const bySkill = await call(sandbox.base, 'GET', '/api/wfm/v2/agents?skillId=skill_voice', {
      token: sandbox.token,
    });
    expect(bySkill.body.agents.map((a: { id: string }) => a.id)).toEqual(['agent_1']);
    expect(
      (await call(sandbox.base, 'GET', '/api/wfm/v2/agents/nobody', { token: sandbox.token })).status,
    ).toBe(404);
  });
});

describe('cxone bidding actions', () => {
  it('approves a pending request (200); GET shows the resolution and the shift is assigned', async () => {
    const res = await act('APPROVE');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ requestId: REQ, action: 'APPROVE', status: 'APPROVED' });
    const got = await call(sandbox.base, 'GET', `/api/wfm/v2/bidding/requests/${REQ}`, {
      token: sandbox.token,
    });
    expect(got.body).toMatchObject({
      requestId: REQ,
      status: 'APPROVED',
      bid: { type: 'swap', status: 'APPROVED' },
      resolution: { action: 'APPROVE', by: 'wfm-auto-engine', reason: 'Auto-approved' },
    });
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.shifts.find((s: { id: string }) => s.id === 'shift_1').agentId).toBe('agent_1');
  });

  it('deduplicates an Idempotency-Key for 24 hours', async () => {
    const first = await act('APPROVE', 'idem_bidding_1_v1');
    const replay = await act('APPROVE', 'idem_bidding_1_v1');
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const reused = await act('REJECT', 'idem_bidding_1_v1');
    expect(reused.status).toBe(422);
    sandbox.clock.advance(24 * 3600 * 1000);
    sandbox.token = await token(sandbox.base);
    // After the window the key is forgotten: the request is resolved, so 409.
    expect((await act('APPROVE', 'idem_bidding_1_v1')).status).toBe(409);
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.counters).toMatchObject({ actionsApplied: 1, idempotentReplays: 1, conflicts409: 1 });
  });

  it('answers 409 once a request is resolved, by a supervisor or by expiry', async () => {
    await sandbox.admin.fixtures({ biddingRequests: [{ id: REQ, status: 'REJECTED' }] });
    const conflict = await act('APPROVE');
    expect(conflict.status).toBe(409);
    expect(conflict.body.currentStatus).toBe('REJECTED');

    await sandbox.admin.fixtures({
      biddingRequests: [
        { ...fixtures.biddingRequests[0], requestId: 'req_exp', expiresAt: '2026-05-15T12:00:01Z' },
      ],
    });
    sandbox.clock.advance(1000);
    const expired = await act('APPROVE', null, 'req_exp');
    expect(expired.status).toBe(409);
    expect(expired.body.currentStatus).toBe('EXPIRED');
  });

  it('answers 423 while a schedule lock covers the request, then succeeds once it is released', async () => {
    await sandbox.admin.fixtures({
      locks: [
        {
          id: 'lock_1',
          siteId: 'site_a',
          dateFrom: '2023-10-15',
          dateTo: '2023-10-21',
          operation: 'bulk-publish',
        },
      ],
    });
    const locked = await act('APPROVE', 'k1');
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ error: 'schedule.locked', lock: { id: 'lock_1' } });
    const locks = await call(sandbox.base, 'GET', '/api/wfm/v2/schedule/locks?siteId=site_a', {
      token: sandbox.token,
    });
    expect(locks.body.locks.map((l: { id: string }) => l.id)).toEqual(['lock_1']);
    // A 423 is not remembered under the key: the same key succeeds after the release.
    await sandbox.admin.fixtures({ remove: { locks: ['lock_1'] } });
    expect((await act('APPROVE', 'k1')).status).toBe(200);
  });

  it('lets a lock expire on the sandbox clock and ignores locks of other sites or dates', async () => {
    await sandbox.admin.fixtures({
      locks: [
        { id: 'lock_b', siteId: 'site_b' },
        { id: 'lock_later', siteId: 'site_a', dateFrom: '2023-11-01' },
        { id: 'lock_short', siteId: 'site_a', expiresAt: '2026-05-15T12:00:30Z' },
      ],
    });
    expect((await act('APPROVE', 'k2')).status).toBe(423);
    sandbox.clock.advance(30_000);
    expect((await act('APPROVE', 'k2')).status).toBe(200);
  });

  it('validates the action body and unknown requests', async () => {
    expect((await act('MAYBE')).status).toBe(400);
    expect((await act('APPROVE', null, 'nope')).status).toBe(404);
  });
});
