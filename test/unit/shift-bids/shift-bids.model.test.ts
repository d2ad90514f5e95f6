/**
 * Issue 14, spec 003: generated histories of bids for two open shifts (duplicates, reorderings, concurrent
 * deliveries, supervisors resolving requests in the CXone UI, rule-document changes) under CXone faults (5xx
 * through every retry, retries the client absorbs, commit-then-fail, 423 schedule locks, 202 accepted-not-final)
 * and State-table faults, delivered at least once through the real batch runner. After each history, and an
 * operator's replay of the DLQ: CXone and our records agree, nothing automation should decide is left pending,
 * no request got two actions and no shift two winners, every decision follows the rule document in force,
 * every event is accounted for, and the audit trail and domain events tell CXone's story.
 *
 * A failure prints the seed and the shrunk history; MODEL_SEED / MODEL_RUNS replay or widen a run.
 */
import fc from 'fast-check';
import { InMemoryBidStateStore } from '../../../shared/adapters/aws/bid-state-store.fake';
import type { StateWriteFault } from '../../../shared/adapters/aws/dynamodb-faults.fake';
import {
  InMemoryAuditLog,
  InMemoryEventPublisher,
  InMemoryLockManager,
} from '../../../shared/adapters/aws/platform.fake';
import { InMemorySupervisorNotifier } from '../../../shared/adapters/aws/supervisor-notifier.fake';
import { FakeCxoneBidding, type CxoneFault } from '../../../shared/adapters/cxone/bidding.fake';
import { BiddingRequestEvent } from '../../../shared/contracts/cxone.schema';
import { LOCAL_RULE_DOCUMENT } from '../../../shared/domain/shift-bids/default-rules';
import { SHIFT_BIDS_FAILURE_REASONS } from '../../../shared/domain/shift-bids/failure-reasons';
import { processBidEvent } from '../../../shared/domain/shift-bids/process-bid';
import type { CxoneShift } from '../../../shared/domain/shift-bids/ports';
import type { RuleDocument } from '../../../shared/domain/shift-bids/rules.schema';
import type { ShiftBidsDeps } from '../../../shared/domain/shift-bids/workflow';
import { readMessage } from '../../../shared/runtime/sqs-processor';
import { SimulatedQueue } from '../../helpers/model/delivery';
import { modelRunParameters } from '../../helpers/model/parameters';
import { VirtualClock } from '../../helpers/virtual-clock';
import { rules } from './fixtures';

const DATE = '2026-07-15';
const SITE = 'site_nyc_01';
const SERVICE = 'wfm-auto-engine';
const OPEN_SHIFTS = ['open-A', 'open-B'] as const;
const REQUEST_COUNT = 4;
const requestIds = Array.from({ length: REQUEST_COUNT }, (_, i) => `bidding_req_${i + 1}`);
const bidderOf = (requestId: string) => `bidder-${requestId.slice(-1)}`;

/**
 * The documents an administrator switches between: v1 approves an open-shift bid by a qualified agent; v2
 * requires a role no bidder holds (REJECT); v3 no longer says what an open-shift bid does to coverage
 * (ESCALATE).
 */
const DOCUMENTS: Record<string, RuleDocument> = {
  v1: rules({ version: 'rules-v1' }),
  v2: rules({ version: 'rules-v2', skills: { requiredRole: 'senior', requiredRoleByQueue: {} } }),
  v3: rules({
    version: 'rules-v3',
    coverage: { ...LOCAL_RULE_DOCUMENT.coverage, bidTypeEffects: { swap: 'moves' } },
  }),
};
type DocumentName = keyof typeof DOCUMENTS;

interface Bid {
  readonly shift: (typeof OPEN_SHIFTS)[number];
  readonly copies: number;
}

type Step =
  | { readonly send: number }
  | { readonly deliver: readonly number[] }
  | { readonly rules: DocumentName }
  /** A supervisor resolves a still-pending request in the CXone UI; CXone sends `status_changed`. */
  | { readonly supervisor: { request: number; status: 'REJECTED' | 'CANCELLED' } }
  | { readonly vendorFault: { call: 'act' | 'read'; fault: CxoneFault } }
  | { readonly stateFault: { skip: number; fault: StateWriteFault } };

interface History {
  readonly bids: readonly Bid[];
  readonly asyncActions: boolean;
  /** Lambda's remaining time as the domain sees it: unbounded, or short enough that 423 waits defer. */
  readonly shortInvocations: boolean;
  readonly steps: readonly Step[];
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ send: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ deliver: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ rules: fc.constantFrom<DocumentName>('v1', 'v2', 'v3') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      supervisor: fc.record({
        request: fc.nat({ max: REQUEST_COUNT - 1 }),
        status: fc.constantFrom<'REJECTED' | 'CANCELLED'>('REJECTED', 'CANCELLED'),
      }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      vendorFault: fc.record({
        call: fc.constantFrom<'act' | 'read'>('act', 'act', 'read'),
        fault: fc.constantFrom<CxoneFault>('unavailable', 'commit-then-fail', 'recovered', 'locked'),
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      stateFault: fc.record({
        skip: fc.integer({ min: 0, max: 4 }),
        fault: fc.constantFrom<StateWriteFault>('throttled', 'timeout-after-write'),
      }),
    }),
  },
);

const history: fc.Arbitrary<History> = fc.record({
  bids: fc.array(
    fc.record({ shift: fc.constantFrom(...OPEN_SHIFTS), copies: fc.integer({ min: 1, max: 2 }) }),
    { minLength: REQUEST_COUNT, maxLength: REQUEST_COUNT },
  ),
  asyncActions: fc.boolean(),
  shortInvocations: fc.boolean(),
  steps: fc.array(step, { maxLength: 40 }),
});

function shift(id: string, agentId: string | null): CxoneShift {
  return {
    id,
    siteId: SITE,
    agentId,
    date: DATE,
    startTime: '08:00:00',
    endTime: '16:00:00',
    status: 'published',
    queueId: 'q1',
    requiredSkills: ['billing'],
  };
}

function bidEvent(
  requestId: string,
  shiftId: string,
  timestamp: string,
  eventType: BiddingRequestEvent['eventType'] = 'wfm.bidding.request.created',
  status = 'PENDING',
): BiddingRequestEvent {
  return {
    eventType,
    timestamp,
    data: {
      requestId,
      siteId: SITE,
      agent: { id: bidderOf(requestId) },
      shift: { id: shiftId, date: DATE, startTime: '08:00:00', endTime: '16:00:00' },
      bid: { type: 'open_shift', status },
    },
  };
}

function setup(h: History) {
  const clock = new VirtualClock(Date.parse('2026-07-10T12:00:00Z'));
  const cxone = new FakeCxoneBidding({ clock, asyncActions: h.asyncActions });
  const store = new InMemoryBidStateStore();
  let inForce: DocumentName = 'v1';
  let ids = 0;
  const deps: ShiftBidsDeps & {
    audit: InMemoryAuditLog;
    events: InMemoryEventPublisher;
    notifier: InMemorySupervisorNotifier;
  } = {
    cxone,
    store,
    rules: { current: async () => ({ document: DOCUMENTS[inForce]!, version: DOCUMENTS[inForce]!.version }) },
    notifier: new InMemorySupervisorNotifier(),
    locks: new InMemoryLockManager(clock),
    audit: new InMemoryAuditLog(),
    events: new InMemoryEventPublisher(),
    clock,
    settings: {
      siteTimeZones: { [SITE]: 'America/New_York' },
      serviceIdentity: SERVICE,
      supervisorLinkBase: 'https://wfm.example.com/bidding/requests/',
      lockPollSeconds: 15,
      claimRetrySeconds: 2,
    },
    newProcessingId: () => `proc-${++ids}`,
    claimLeaseSeconds: 180,
    waitScale: 1,
    ...(h.shortInvocations && { remainingMs: () => 20_000 }),
  };
  for (const id of ['c1', 'c2', 'c3', 'c4', ...requestIds.map(bidderOf)])
    cxone.agents.set(id, { id, siteId: SITE, name: null, skills: ['billing'], roles: ['agent'] });
  for (const s of [
    ...['c1', 'c2', 'c3', 'c4'].map((c) => shift(`q1-${c}`, c)),
    ...OPEN_SHIFTS.map((id) => shift(id, null)),
  ])
    cxone.shiftsById.set(s.id, s);
  const queue = new SimulatedQueue(async (message) => {
    await processBidEvent(readMessage(message, BiddingRequestEvent, 'a CXone bidding event'), deps);
  }, clock);
  return { clock, cxone, store, deps, queue, useRules: (name: DocumentName) => (inForce = name) };
}

async function runHistory(h: History) {
  const t = setup(h);
  const { clock, cxone, store, queue } = t;
  const toSend: { eventId: string; body: BiddingRequestEvent }[] = [];
  const supervised = new Map<string, string>();
  h.bids.forEach((bid, i) => {
    const requestId = requestIds[i]!;
    const createdAt = new Date(Date.parse('2026-07-10T11:00:00Z') + i * 1000).toISOString();
    cxone.addRequest({
      requestId,
      siteId: SITE,
      agentId: bidderOf(requestId),
      shift: { id: bid.shift, date: DATE, startTime: '08:00:00', endTime: '16:00:00' },
      bidType: 'open_shift',
      status: 'PENDING',
      resolution: null,
      createdAt,
      expiresAt: null,
    });
    for (let copy = 0; copy < bid.copies; copy++)
      toSend.push({ eventId: `${requestId}-created`, body: bidEvent(requestId, bid.shift, createdAt) });
  });
  const sent = new Map<string, number>();
  const send = (eventId: string, body: BiddingRequestEvent) => {
    sent.set(eventId, (sent.get(eventId) ?? 0) + 1);
    queue.send(eventId, body, body.eventType);
  };
  const sendNext = (index: number) => {
    const [next] = toSend.splice(index % toSend.length, 1);
    send(next!.eventId, next!.body);
  };

  for (const s of h.steps) {
    if ('send' in s) {
      if (toSend.length) sendNext(s.send);
    } else if ('deliver' in s) await queue.deliver(s.deliver);
    else if ('rules' in s) t.useRules(s.rules);
    else if ('supervisor' in s) {
      const requestId = requestIds[s.supervisor.request]!;
      const request = cxone.requests.get(requestId)!;
      if (request.status !== 'PENDING' || request.actionInProgress) continue;
      cxone.resolveAs(requestId, s.supervisor.status);
      supervised.set(requestId, s.supervisor.status);
      const at = new Date(clock.now()).toISOString();
      toSend.push({
        eventId: `${requestId}-status`,
        body: bidEvent(
          requestId,
          request.shift.id,
          at,
          'wfm.bidding.request.status_changed',
          s.supervisor.status,
        ),
      });
    } else if ('vendorFault' in s) cxone.faults[s.vendorFault.call].push(s.vendorFault.fault);
    else store.writeFaults.queue.push(...Array<'none'>(s.stateFault.skip).fill('none'), s.stateFault.fault);
  }
  while (toSend.length) sendNext(0);
  await queue.drain();
  cxone.faults.act.length = cxone.faults.read.length = 0;
  store.writeFaults.queue.length = 0;
  queue.replayDeadLetters();
  await queue.drain();
  return { ...t, sent, supervised };
}

const STATE_OF_CXONE: Record<string, string> = {
  APPROVED: 'approved',
  REJECTED: 'rejected',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired',
};

async function checkProperties(h: History, r: Awaited<ReturnType<typeof runHistory>>) {
  const { cxone, store, deps, queue, sent, supervised } = r;

  // No vendor-side duplicate: one action per request at most; no shift awarded twice.
  for (const requestId of requestIds)
    expect({ requestId, actions: cxone.applied.filter((a) => a.requestId === requestId).length }).toEqual({
      requestId,
      actions: expect.any(Number) as number,
    });
  const actionsPerRequest = new Map<string, number>();
  for (const a of cxone.applied)
    actionsPerRequest.set(a.requestId, (actionsPerRequest.get(a.requestId) ?? 0) + 1);
  for (const [requestId, actions] of actionsPerRequest)
    expect({ requestId, actions }).toEqual({ requestId, actions: 1 });
  for (const s of OPEN_SHIFTS) {
    const winners = [...cxone.requests.values()].filter((q) => q.shift.id === s && q.status === 'APPROVED');
    expect({ shift: s, winners: winners.length <= 1 }).toEqual({ shift: s, winners: true });
  }

  for (const requestId of requestIds) {
    const vendor = cxone.requests.get(requestId)!;
    const record = await store.get(requestId);
    // Our record is CXone's state; only an escalated request may stay PENDING, waiting for a supervisor.
    const expected =
      vendor.status === 'PENDING' ? 'escalated' : (STATE_OF_CXONE[vendor.status] ?? vendor.status);
    expect({ requestId, status: record?.status }).toEqual({ requestId, status: expected });
    // What we did at CXone is what CXone holds; a supervisor's resolution is never overridden.
    const ours = cxone.applied.find((a) => a.requestId === requestId);
    if (supervised.has(requestId) && vendor.resolution?.by !== SERVICE)
      expect({ requestId, status: vendor.status }).toEqual({ requestId, status: supervised.get(requestId) });
    if (ours) expect({ requestId, by: vendor.resolution?.by }).toEqual({ requestId, by: SERVICE });
    if (vendor.status === 'APPROVED')
      expect({ requestId, ours: ours?.action }).toEqual({ requestId, ours: 'APPROVE' });

    // Every decision follows the rule document in force when it was made.
    for (const decided of deps.audit.records.filter(
      (a) => a.subject === `bid#${requestId}` && a.action === 'DECIDED',
    )) {
      const d = decided.detail as { decision: string; rule_version: string; conflicting_request_id?: string };
      if (d.conflicting_request_id) {
        expect(cxone.requests.get(d.conflicting_request_id)?.status).toBe('APPROVED');
        continue;
      }
      if (d.rule_version === 'rules-v2') expect({ requestId, ...d }).toMatchObject({ decision: 'REJECT' });
      if (d.rule_version === 'rules-v1') expect({ requestId, ...d }).toMatchObject({ decision: 'APPROVE' });
      expect({ requestId, ...d }).not.toMatchObject({ rule_version: 'rules-v3' });
    }

    // A supervisor is told of every escalation.
    if (record?.blocklisted)
      expect({
        requestId,
        notified: deps.notifier.notifications.some((n) => n.requestId === requestId),
      }).toEqual({
        requestId,
        notified: true,
      });

    // The audit trail and the domain events tell CXone's story.
    const told = deps.audit.records
      .filter((a) => a.subject === `bid#${requestId}` && a.detail?.final_outcome !== undefined)
      .at(-1);
    const finalOutcome = told?.detail?.final_outcome;
    expect({ requestId, audit: finalOutcome }).toEqual({ requestId, audit: record?.status });
    const announced = deps.events.events.filter((e) => e.detail.requestId === requestId).at(-1);
    const story =
      announced?.type === 'bid.reconciled' ? announced.detail.to : announced?.type.replace('bid.', '');
    expect({ requestId, events: story }).toEqual({ requestId, events: record?.status });
  }

  // Every event is accounted for: processed (applied or stale), or dead-lettered with a documented reason.
  for (const [eventId, copies] of sent) {
    const processed = queue.processed.filter((p) => p.eventId === eventId).length;
    const dead = queue.deadLettered.filter((d) => d.eventId === eventId).length;
    expect({ eventId, accountedFor: processed + dead }).toEqual({ eventId, accountedFor: copies });
  }
  for (const d of queue.deadLettered) expect(SHIFT_BIDS_FAILURE_REASONS).toHaveProperty(d.reason);
  expect(h.bids).toHaveLength(REQUEST_COUNT);
}

describe('shift-bids against its reference model (issue 14)', () => {
  it('holds for generated histories of bids, rule changes, supervisors and faults', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        await checkProperties(h, await runHistory(h));
      }),
      modelRunParameters(60),
    );
  });

  const bidsFor = (shiftId: (typeof OPEN_SHIFTS)[number], copies = 1): Bid[] =>
    requestIds.map(() => ({ shift: shiftId, copies }));
  const found: [string, History][] = [
    [
      'announces and audits an approval whose state write landed but lost its answer',
      {
        bids: bidsFor('open-A'),
        asyncActions: false,
        shortInvocations: false,
        steps: [
          { send: 0 },
          { stateFault: { skip: 3, fault: 'timeout-after-write' } },
          { vendorFault: { call: 'act', fault: 'unavailable' } },
          { deliver: [0] },
        ],
      },
    ],
    [
      'notifies the supervisor of an escalation whose state write landed but lost its answer',
      {
        bids: bidsFor('open-A'),
        asyncActions: false,
        shortInvocations: false,
        steps: [
          { rules: 'v3' },
          { send: 0 },
          { stateFault: { skip: 1, fault: 'timeout-after-write' } },
          { deliver: [0] },
        ],
      },
    ],
    [
      'says in the audit trail that a decision lost the race to a supervisor status change delivered at once',
      {
        bids: bidsFor('open-A', 2),
        asyncActions: false,
        shortInvocations: false,
        steps: [
          { supervisor: { request: 0, status: 'REJECTED' } },
          { send: 0 },
          { send: 388987135 },
          { deliver: [0, 0] },
        ],
      },
    ],
  ];
  it.each(found)('history found by the model: %s', async (_name, h) => {
    await checkProperties(h, await runHistory(h));
  });
});
