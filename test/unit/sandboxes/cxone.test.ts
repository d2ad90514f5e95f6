import { call, token, useVendorSandbox } from './helpers';
import { biddingWindowFixtures } from '../../../local/sandboxes/vendors/seed';

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

describe('cxone sites, queues and pagination', () => {
  const get = (path: string) => call(sandbox.base, 'GET', path, { token: sandbox.token });

  it('serves sites with their IANA time zone and queues with their minimum staffing', async () => {
    await sandbox.admin.fixtures({
      sites: [{ id: 'site_a', timeZone: 'Australia/Lord_Howe' }],
      queues: [{ id: 'queue_1', siteId: 'site_a', minimumStaffing: 3 }],
    });
    expect((await get('/api/wfm/v2/sites/site_a')).body).toMatchObject({ timeZone: 'Australia/Lord_Howe' });
    expect((await get('/api/wfm/v2/queues?siteId=site_a')).body.queues).toEqual([
      { id: 'queue_1', siteId: 'site_a', minimumStaffing: 3 },
    ]);
    expect((await get('/api/wfm/v2/sites/nowhere')).status).toBe(404);
    await expect(sandbox.admin.fixtures({ sites: [{ id: 's', timeZone: 'Mars/Olympus' }] })).rejects.toThrow(
      /IANA time zone/,
    );
  });

  it('pages shifts and requests by cursor, up to the configured page size', async () => {
    await sandbox.admin.config({ pageSize: 1 });
    const first = await get(
      '/api/wfm/v2/schedule/shifts?siteId=site_a&dateFrom=2023-10-15&dateTo=2023-10-16',
    );
    expect(first.body.shifts.map((s: { id: string }) => s.id)).toEqual(['shift_1']);
    const second = await get(
      `/api/wfm/v2/schedule/shifts?siteId=site_a&dateFrom=2023-10-15&dateTo=2023-10-16&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.shifts.map((s: { id: string }) => s.id)).toEqual(['shift_2']);
    expect(second.body.nextCursor).toBeUndefined();
    expect((await get('/api/wfm/v2/bidding/requests?cursor=bogus')).status).toBe(400);
    expect((await get('/api/wfm/v2/bidding/requests?updatedFrom=yesterday')).status).toBe(400);

    // Requests come oldest change first; a limit above the page size is capped.
    await sandbox.admin.config({ pageSize: 2 });
    sandbox.clock.advance(1000);
    await sandbox.admin.fixtures({
      biddingRequests: [{ ...fixtures.biddingRequests[0], requestId: 'req_later' }],
    });
    const page = await get('/api/wfm/v2/bidding/requests?limit=50');
    expect(page.body.requests.map((q: { id: string }) => q.id)).toEqual([REQ, 'req_later']);
    expect(page.body.nextCursor).toBeUndefined();
  });
});

describe('cxone actions answered 202 (asyncActions)', () => {
  const read = async (id = REQ) =>
    (await call(sandbox.base, 'GET', `/api/wfm/v2/bidding/requests/${id}`, { token: sandbox.token })).body;

  beforeEach(() => sandbox.admin.config({ asyncActions: true, actionSettleMs: 1000 }));

  it('accepts the action with 202, keeps the request PENDING, and settles it on the first read after the delay', async () => {
    const accepted = await act('APPROVE', 'k_async');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      requestId: REQ,
      action: 'APPROVE',
      status: 'PENDING',
      accepted: true,
    });
    expect(await read()).toMatchObject({ status: 'PENDING', actionInProgress: { action: 'APPROVE' } });

    // The same key replays the 202; another action meanwhile is a conflict.
    const replay = await act('APPROVE', 'k_async');
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const other = await act('REJECT', 'k_other');
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ currentStatus: 'PENDING', actionInProgress: { action: 'APPROVE' } });

    sandbox.clock.advance(999);
    expect((await read()).status).toBe('PENDING');
    sandbox.clock.advance(1);
    const settled = await read();
    expect(settled).toMatchObject({ status: 'APPROVED', resolution: { action: 'APPROVE' } });
    expect(settled.actionInProgress).toBeUndefined();
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.counters).toMatchObject({
      actionsAccepted202: 1,
      actionsApplied: 1,
      idempotentReplays: 1,
    });
    expect(state.body.actions).toHaveLength(1);
  });

  it('settles at once through the settleActions fixture, with the status CXone decided', async () => {
    await act('APPROVE');
    await expect(sandbox.admin.fixtures({ settleActions: [{ requestId: 'nope' }] })).rejects.toThrow(
      /No action in progress/,
    );
    await sandbox.admin.fixtures({ settleActions: [{ requestId: REQ, status: 'REJECTED' }] });
    expect(await read()).toMatchObject({ status: 'REJECTED', resolution: { action: 'APPROVE' } });
  });

  it('drops a pending action when a supervisor resolves the request first', async () => {
    await act('APPROVE');
    await sandbox.admin.fixtures({ biddingRequests: [{ id: REQ, status: 'REJECTED' }] });
    sandbox.clock.advance(1000);
    expect((await read()).status).toBe('REJECTED');
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.counters.actionsApplied).toBe(0);
  });
});

describe('cxone contested shifts and the bidding window', () => {
  it('answers 409 to a second approval for a shift already awarded (spec 003 edge case 1)', async () => {
    await sandbox.admin.fixtures({
      biddingRequests: [{ ...fixtures.biddingRequests[0], requestId: 'req_rival', agent: { id: 'agent_2' } }],
    });
    expect((await act('APPROVE')).status).toBe(200);
    const rival = await act('APPROVE', null, 'req_rival');
    expect(rival.status).toBe(409);
    expect(rival.body).toMatchObject({ currentStatus: 'PENDING', conflictingRequestId: REQ });
    expect((await act('REJECT', null, 'req_rival')).status).toBe(200);
  });

  it('generates a weekend of contested bids that the sandbox loads', async () => {
    const window = biddingWindowFixtures({ bids: 50, shifts: 30 });
    const perShift = new Map<string, number>();
    for (const q of window.fixtures.biddingRequests as { shift: { id: string } }[])
      perShift.set(q.shift.id, (perShift.get(q.shift.id) ?? 0) + 1);
    expect(window.events).toHaveLength(50);
    expect(perShift.size).toBe(30);
    expect(window.contestedShiftIds.length).toBeGreaterThan(0);
    for (const id of window.contestedShiftIds) expect(perShift.get(id)).toBeGreaterThanOrEqual(2);
    expect(window.expected).toEqual({ shiftsBidOn: 30, approvals: 30, rivals: 20 });
    expect(biddingWindowFixtures({ bids: 50, shifts: 30 })).toEqual(window);
    const tagged = biddingWindowFixtures({ bids: 50, shifts: 30, tag: 'base' });
    const requestIds = (w: typeof window) =>
      (w.fixtures.biddingRequests as { requestId: string }[]).map((r) => r.requestId);
    expect(requestIds(tagged).filter((id) => requestIds(window).includes(id))).toEqual([]);
    expect(requestIds(tagged)[0]).toBe('bidding_req_bench_base_0001');

    await sandbox.admin.fixtures(window.fixtures);
    const state = await call(sandbox.base, 'GET', '/_admin/state');
    expect(state.body.sites).toEqual([expect.objectContaining({ timeZone: 'America/Chicago' })]);
    expect(
      state.body.biddingRequests.filter((q: { siteId: string }) => q.siteId === 'site_bench_01'),
    ).toHaveLength(50);
  });
});
