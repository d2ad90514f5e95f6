/** Spec 003 / issue 11's decision path over the fake CXone and the in-memory stores. */
import { InMemoryBidStateStore } from '../../../shared/adapters/aws/bid-state-store.fake';
import { InMemorySupervisorNotifier } from '../../../shared/adapters/aws/supervisor-notifier.fake';
import {
  InMemoryAuditLog,
  InMemoryEventPublisher,
  InMemoryLockManager,
} from '../../../shared/adapters/aws/platform.fake';
import { FakeCxoneBidding } from '../../../shared/adapters/cxone/bidding.fake';
import type { BiddingRequestEvent } from '../../../shared/contracts/cxone.schema';
import { RetryLater, PermanentFailure } from '../../../shared/errors';
import { LOCAL_RULE_DOCUMENT } from '../../../shared/domain/shift-bids/default-rules';
import { processBidEvent } from '../../../shared/domain/shift-bids/process-bid';
import type { CxoneShift, ScheduleLock } from '../../../shared/domain/shift-bids/ports';
import { fixedRuleSource, type ShiftBidsDeps } from '../../../shared/domain/shift-bids/workflow';
import { VirtualClock } from '../../helpers/virtual-clock';
import { rules } from './fixtures';

const DATE = '2026-07-15';
const SITE = 'site_nyc_01';

function shift(
  id: string,
  agentId: string | null,
  queueId: string,
  start = '08:00:00',
  end = '16:00:00',
): CxoneShift {
  return {
    id,
    siteId: SITE,
    agentId,
    date: DATE,
    startTime: start,
    endTime: end,
    status: 'published',
    queueId,
    requiredSkills: ['billing'],
  };
}

function setup() {
  const clock = new VirtualClock(Date.parse('2026-07-10T12:00:00Z'));
  const cxone = new FakeCxoneBidding({ clock });
  const store = new InMemoryBidStateStore();
  const audit = new InMemoryAuditLog();
  const events = new InMemoryEventPublisher();
  const notifier = new InMemorySupervisorNotifier();
  let ids = 0;
  const deps: ShiftBidsDeps = {
    cxone,
    store,
    rules: fixedRuleSource(rules()),
    notifier,
    locks: new InMemoryLockManager(clock),
    audit,
    events,
    clock,
    settings: {
      siteTimeZones: { [SITE]: 'America/New_York' },
      serviceIdentity: 'wfm-auto-engine',
      supervisorLinkBase: 'https://wfm.example.com/bidding/requests/',
      lockPollSeconds: 15,
      claimRetrySeconds: 2,
    },
    newProcessingId: () => `proc-${++ids}`,
    claimLeaseSeconds: 180,
    waitScale: 1,
  };
  for (const id of ['c1', 'c2', 'c3', 'c4', 'bidder', 'rival'])
    cxone.agents.set(id, { id, siteId: SITE, name: null, skills: ['billing'], roles: ['agent'] });
  // Queue q1 staffed by four agents (one above the minimum of 3), q2 by three; two open shifts.
  for (const s of [
    shift('q1-c1', 'c1', 'q1'),
    shift('q1-c2', 'c2', 'q1'),
    shift('q1-c3', 'c3', 'q1'),
    shift('q1-c4', 'c4', 'q1'),
    shift('open-q1', null, 'q1'),
    shift('open-q2', null, 'q2'),
  ])
    cxone.shiftsById.set(s.id, s);
  return { clock, cxone, store, audit, events, notifier, deps };
}

type Setup = ReturnType<typeof setup>;

/** A bulk publication holding the whole site's schedule (CXone answers 423 to actions while it lasts). */
function lockSite(t: Setup, times: Pick<ScheduleLock, 'acquiredAt' | 'expiresAt'>) {
  t.cxone.locksById.set('lock-1', {
    id: 'lock-1',
    siteId: SITE,
    dateFrom: null,
    dateTo: null,
    operation: 'bulk-publish',
    ...times,
  });
}

function bid(
  t: Setup,
  requestId: string,
  agentId: string,
  shiftId: string,
  type = 'open_shift',
  timestamp = '2026-07-10T11:00:00Z',
) {
  const s = t.cxone.shiftsById.get(shiftId)!;
  const shiftOf = { id: s.id, date: s.date, startTime: s.startTime, endTime: s.endTime };
  t.cxone.addRequest({
    requestId,
    siteId: SITE,
    agentId,
    shift: shiftOf,
    bidType: type,
    status: 'PENDING',
    resolution: null,
    createdAt: timestamp,
    expiresAt: null,
  });
  return event(requestId, agentId, shiftOf, type, timestamp);
}

function event(
  requestId: string,
  agentId: string,
  shift: { id: string; date: string; startTime: string; endTime: string },
  type: string,
  timestamp: string,
  eventType: BiddingRequestEvent['eventType'] = 'wfm.bidding.request.created',
  status = 'PENDING',
): BiddingRequestEvent {
  return {
    eventType,
    timestamp,
    data: { requestId, siteId: SITE, agent: { id: agentId }, shift, bid: { type, status } },
  };
}

const types = (t: Setup) => t.events.events.map((e) => e.type);

describe('processBidEvent', () => {
  it('approves a bid every check passes, with spec 003 section 3 metadata, and audits each check', async () => {
    const t = setup();
    const outcome = await processBidEvent(bid(t, 'bidding_req_1', 'bidder', 'open-q1'), t.deps);
    expect(outcome).toEqual({ kind: 'acted', status: 'approved', httpStatus: 200 });
    expect(t.cxone.applied).toEqual([
      expect.objectContaining({
        requestId: 'bidding_req_1',
        action: 'APPROVE',
        idempotencyKey: 'idem_bidding_1_v1',
      }),
    ]);
    expect(t.cxone.requests.get('bidding_req_1')?.resolution?.by).toBe('wfm-auto-engine');
    expect((await t.store.get('bidding_req_1'))?.status).toBe('approved');
    expect(types(t)).toEqual(['bid.approved']);
    const decided = t.audit.records.find((r) => r.action === 'DECIDED')!;
    expect(decided.detail).toMatchObject({
      decision: 'APPROVE',
      rule_version: LOCAL_RULE_DOCUMENT.version,
      validation_checks: {
        double_booking: 'PASS',
        coverage_check: 'PASS',
        approval_history: 'PASS',
        skill_match: 'PASS',
      },
      input_state: { cxone_request_id: 'bidding_req_1', status: 'pending_validation' },
    });
    const sent = t.audit.records.find((r) => r.action === 'ACTION_SENT')!;
    expect(sent.detail).toMatchObject({
      metadata: {
        approved_by: 'wfm-auto-engine',
        validation_timestamp: '2026-07-10T12:00:00.000Z',
        rule_version: 'local-v1',
      },
      api_response_status: 200,
    });
    expect(t.audit.records.find((r) => r.action === 'OUTCOME')?.detail).toMatchObject({
      final_outcome: 'approved',
      api_response_status: 200,
    });
  });

  it('rejects a double-booked agent with the failing check as the reason', async () => {
    const t = setup();
    t.cxone.shiftsById.set('held', { ...shift('held', 'bidder', 'q2', '12:00:00', '20:00:00') });
    const outcome = await processBidEvent(bid(t, 'bidding_req_2', 'bidder', 'open-q1'), t.deps);
    expect(outcome).toMatchObject({ kind: 'acted', status: 'rejected' });
    expect(t.cxone.applied.map((a) => a.action)).toEqual(['REJECT']);
    expect(t.cxone.requests.get('bidding_req_2')?.resolution?.reason).toMatch(
      /^Auto-rejected: double_booking: agent already holds published shift held/,
    );
    expect(types(t)).toEqual(['bid.rejected']);
  });

  it('escalates a swap that leaves a queue at its minimum, notifies the supervisor, and never acts on it again', async () => {
    const t = setup();
    const created = bid(t, 'bidding_req_3', 'c1', 'open-q2', 'swap');
    expect(await processBidEvent(created, t.deps)).toEqual({ kind: 'escalated' });
    expect(t.cxone.applied).toEqual([]);
    expect(await t.store.get('bidding_req_3')).toMatchObject({ status: 'escalated', blocklisted: true });
    expect(t.notifier.notifications).toEqual([
      expect.objectContaining({
        requestId: 'bidding_req_3',
        deepLink: 'https://wfm.example.com/bidding/requests/bidding_req_3',
        failingChecks: [expect.objectContaining({ check: 'coverage_check', result: 'UNCERTAIN' })],
      }),
    ]);
    expect(JSON.stringify(t.notifier.notifications)).not.toContain('"c1"');
    expect(types(t)).toEqual(['bid.escalated']);
    expect(t.audit.records.find((r) => r.action === 'ESCALATE')?.detail).toMatchObject({
      supervisor_notified: true,
      notification_channel: 'in-memory',
      api_response_status: null,
    });
    // A status_changed still PENDING (the supervisor opened it), then another created redelivery: recorded only.
    const again = {
      ...created,
      eventType: 'wfm.bidding.request.status_changed' as const,
      timestamp: '2026-07-10T11:05:00Z',
    };
    expect(await processBidEvent(again, t.deps)).toEqual({ kind: 'recorded', status: 'escalated' });
    expect(await processBidEvent(created, t.deps)).toEqual({ kind: 'stale' });
    expect(t.cxone.calls.filter((c) => c === 'act')).toEqual([]);
    // The supervisor approves in the UI: adopted, still no action.
    t.cxone.resolveAs('bidding_req_3', 'APPROVED');
    const decided = event(
      'bidding_req_3',
      'c1',
      created.data.shift,
      'swap',
      '2026-07-10T11:10:00Z',
      'wfm.bidding.request.status_changed',
      'APPROVED',
    );
    expect(await processBidEvent(decided, t.deps)).toEqual({ kind: 'reconciled', status: 'approved' });
    expect(t.cxone.calls.filter((c) => c === 'act')).toEqual([]);
    expect(types(t)).toEqual(['bid.escalated', 'bid.reconciled']);
  });

  it('adopts the state a supervisor set in the UI when the action answers 409, with no second action', async () => {
    const t = setup();
    const created = bid(t, 'bidding_req_4', 'bidder', 'open-q1');
    t.cxone.resolveAs('bidding_req_4', 'APPROVED', 'supervisor-jane');
    expect(await processBidEvent(created, t.deps)).toEqual({ kind: 'reconciled', status: 'approved' });
    expect(t.cxone.applied).toEqual([]);
    expect(t.cxone.calls.filter((c) => c === 'act')).toHaveLength(1);
    expect(t.events.events).toEqual([
      {
        type: 'bid.reconciled',
        detail: expect.objectContaining({
          from: 'awaiting_api_commit',
          to: 'approved',
          resolvedBy: 'supervisor-jane',
        }),
      },
    ]);
  });

  it('rejects the second of two bids for one shift with the request that won it', async () => {
    const t = setup();
    const first = bid(t, 'bidding_req_5a', 'bidder', 'open-q1', 'open_shift', '2026-07-10T11:00:00Z');
    const second = bid(t, 'bidding_req_5b', 'rival', 'open-q1', 'open_shift', '2026-07-10T11:00:01Z');
    await processBidEvent(first, t.deps);
    const callsOfFirst = t.cxone.calls.length;
    const outcome = await processBidEvent(second, t.deps);
    expect(outcome).toMatchObject({ kind: 'acted', status: 'rejected' });
    expect(t.cxone.applied.map((a) => [a.requestId, a.action])).toEqual([
      ['bidding_req_5a', 'APPROVE'],
      ['bidding_req_5b', 'REJECT'],
    ]);
    expect(t.cxone.requests.get('bidding_req_5b')?.resolution?.reason).toContain(
      'already awarded to bidding_req_5a',
    );
    // Our record of CXone's approval of the first settles it: no reads, no APPROVE answered 409, no read-back.
    expect(t.cxone.calls.slice(callsOfFirst)).toEqual(['act']);
    const decided = t.audit.records.find((e) => e.subject === 'bid#bidding_req_5b' && e.action === 'DECIDED');
    expect(decided?.detail).toMatchObject({
      decision: 'REJECT',
      conflicting_request_id: 'bidding_req_5a',
      award_source: 'recorded approval of the winner',
      rule_version: expect.any(String),
      input_state: expect.objectContaining({ shift_id: 'open-q1', requested_date: DATE }),
    });
  });

  it('rejects a bid for a shift CXone awarded without this workflow knowing, from the 409 that names the winner', async () => {
    const t = setup();
    bid(t, 'bidding_req_5c', 'bidder', 'open-q1', 'open_shift', '2026-07-10T11:00:00Z');
    const second = bid(t, 'bidding_req_5d', 'rival', 'open-q1', 'open_shift', '2026-07-10T11:00:01Z');
    // A supervisor awarded the shift to the first in the CXone UI; no event of it reached this workflow.
    t.cxone.resolveAs('bidding_req_5c', 'APPROVED', 'supervisor-jane');
    const outcome = await processBidEvent(second, t.deps);
    expect(outcome).toMatchObject({ kind: 'acted', status: 'rejected' });
    expect(t.cxone.calls.filter((c) => c === 'act')).toHaveLength(2);
    expect(t.cxone.requests.get('bidding_req_5d')?.resolution?.reason).toContain(
      'already awarded to bidding_req_5c',
    );
  });

  it('defers a bid whose shift is claimed by another, after a short delay', async () => {
    const t = setup();
    await t.deps.locks.tryAcquire(`bid-claim#open-q1#${DATE}`, 180);
    const error = await processBidEvent(bid(t, 'bidding_req_6', 'bidder', 'open-q1'), t.deps).catch((e) => e);
    expect(error).toBeInstanceOf(RetryLater);
    expect(error).toMatchObject({ reason: 'SHIFT_CLAIMED', delaySeconds: 2 });
    expect((await t.store.get('bidding_req_6'))?.status).toBe('pending_validation');
  });

  it('waits out a 423 schedule lock, polling the locks every 15 s, each wait audited', async () => {
    const t = setup();
    lockSite(t, { acquiredAt: '2026-07-10T11:59:00Z', expiresAt: '2026-07-10T12:01:00Z' });
    const outcome = await processBidEvent(bid(t, 'bidding_req_7', 'bidder', 'open-q1'), t.deps);
    expect(outcome).toMatchObject({ kind: 'acted', status: 'approved' });
    expect(t.clock.sleeps).toEqual([15_000, 15_000, 15_000, 15_000]);
    expect(t.audit.records.filter((r) => r.action === 'LOCK_WAIT')).toHaveLength(4);
  });

  it('defers a 423 it cannot wait out in the invocation time left', async () => {
    const t = setup();
    lockSite(t, { acquiredAt: null, expiresAt: null });
    const deps = { ...t.deps, remainingMs: () => 20_000 };
    await expect(processBidEvent(bid(t, 'bidding_req_8', 'bidder', 'open-q1'), deps)).rejects.toMatchObject({
      reason: 'SCHEDULE_LOCKED',
      delaySeconds: 15,
    });
    // The redelivery, once the lock is gone, acts on the decision already recorded.
    t.cxone.locksById.clear();
    const again = await processBidEvent(bid(t, 'bidding_req_8', 'bidder', 'open-q1'), t.deps);
    expect(again).toMatchObject({ kind: 'acted', status: 'approved' });
    expect(t.audit.records.filter((r) => r.action === 'DECIDED')).toHaveLength(1);
  });

  it('reads a 202 back until CXone applies it', async () => {
    const t = setup();
    t.cxone.asyncActions = true;
    const outcome = await processBidEvent(bid(t, 'bidding_req_9', 'bidder', 'open-q1'), t.deps);
    expect(outcome).toEqual({ kind: 'acted', status: 'approved', httpStatus: 202 });
    expect(t.cxone.calls.filter((c) => c === 'request').length).toBeGreaterThanOrEqual(2);
  });

  it('fails permanently with the vendor reason on a refused action', async () => {
    const t = setup();
    const created = bid(t, 'bidding_req_10', 'bidder', 'open-q1');
    t.cxone.requests.delete('bidding_req_10');
    const error = await processBidEvent(created, t.deps).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentFailure);
    expect(error).toMatchObject({ reason: 'BID_ACTION_REFUSED', message: expect.stringContaining('404') });
  });

  it("dead-letters a 401 to a refreshed token as CXONE_UNAUTHORIZED with CXone's reason, audited", async () => {
    const t = setup();
    const reason = 'CXone 401: The token lacks the wfm.bidding.write scope';
    jest.spyOn(t.cxone, 'act').mockResolvedValue({
      idempotencyKey: 'idem_bidding_bidding_req_12_v1',
      cxoneRequestId: 'req_0000abcd',
      httpStatus: 401,
      attempts: 2,
      kind: 'refused',
      reason,
      vendorBody: { error: 'insufficient_scope' },
    });
    const error = await processBidEvent(bid(t, 'bidding_req_12', 'bidder', 'open-q1'), t.deps).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(PermanentFailure);
    expect(error).toMatchObject({ reason: 'CXONE_UNAUTHORIZED', message: reason });
    expect(t.cxone.act).toHaveBeenCalledTimes(1);
    expect(t.audit.records.find((r) => r.action === 'ACTION_SENT')?.detail).toMatchObject({
      api_response_status: 401,
      outcome: 'refused',
      vendor_reason: reason,
    });
  });

  it('acts once when the same event is delivered 5 times at once', async () => {
    const t = setup();
    const created = bid(t, 'bidding_req_11', 'bidder', 'open-q1');
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, () => processBidEvent(created, t.deps)),
    );
    const retried = settled
      .filter((s) => s.status === 'rejected')
      .map((s) => (s as PromiseRejectedResult).reason);
    for (const e of retried) expect(e).toBeInstanceOf(RetryLater);
    // The deferred copies, delivered again, find the bid decided.
    for (const _ of retried) await processBidEvent(created, t.deps);
    expect(t.cxone.applied).toHaveLength(1);
    expect(types(t)).toEqual(['bid.approved']);
  });
});
