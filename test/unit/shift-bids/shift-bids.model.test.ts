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
import {
  InMemoryAuditLog,
  InMemoryEventPublisher,
  InMemoryLockManager,
} from '../../../shared/adapters/aws/platform.fake';
import { InMemorySupervisorNotifier } from '../../../shared/adapters/aws/supervisor-notifier.fake';
import { FakeCxoneBidding } from '../../../shared/adapters/cxone/bidding.fake';
import { BiddingRequestEvent } from '../../../shared/contracts/cxone.schema';
import { processBidEvent } from '../../../shared/domain/shift-bids/process-bid';
import type { ShiftBidsDeps } from '../../../shared/domain/shift-bids/workflow';
import { readMessage } from '../../../shared/runtime/sqs-processor';
import { SimulatedQueue } from '../../helpers/model/delivery';
import { modelRunParameters } from '../../helpers/model/parameters';
import {
  bidderOf,
  bidEvent,
  checkDeadLetterReasons,
  checkShiftBidsProperties,
  createdAtOf,
  CREW,
  DATE,
  DOCUMENTS,
  history,
  OPEN_SHIFTS,
  REQUEST_COUNT,
  requestIds,
  SERVICE,
  shift,
  SITE,
  type Bid,
  type DocumentName,
  type History,
} from '../../helpers/model/shift-bids';
import { VirtualClock } from '../../helpers/virtual-clock';

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
  for (const id of [...CREW, ...requestIds.map(bidderOf)])
    cxone.agents.set(id, { id, siteId: SITE, name: null, skills: ['billing'], roles: ['agent'] });
  for (const s of [...CREW.map((c) => shift(`q1-${c}`, c)), ...OPEN_SHIFTS.map((id) => shift(id, null))])
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
    const createdAt = createdAtOf(i);
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

async function checkProperties(h: History, r: Awaited<ReturnType<typeof runHistory>>) {
  const { cxone, store, deps, queue, sent, supervised } = r;
  const records = new Map<string, Awaited<ReturnType<typeof store.get>>>();
  for (const requestId of requestIds) records.set(requestId, await store.get(requestId));
  checkShiftBidsProperties({
    requests: cxone.requests,
    applied: cxone.applied,
    records,
    audit: deps.audit.records,
    events: deps.events.events,
    notifications: deps.notifier.notifications,
    supervised,
  });

  // Every event is accounted for: processed (applied or stale), or dead-lettered with a documented reason.
  for (const [eventId, copies] of sent) {
    const processed = queue.processed.filter((p) => p.eventId === eventId).length;
    const dead = queue.deadLettered.filter((d) => d.eventId === eventId).length;
    expect({ eventId, accountedFor: processed + dead }).toEqual({ eventId, accountedFor: copies });
  }
  checkDeadLetterReasons(queue.deadLettered);
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
    [
      "ends its story with the supervisor's cancellation when an escalation lost the race to it",
      {
        bids: bidsFor('open-A'),
        asyncActions: false,
        shortInvocations: false,
        steps: [
          { rules: 'v3' },
          { supervisor: { request: 0, status: 'CANCELLED' } },
          { send: 0 },
          { send: 3 },
          { deliver: [0, 0] },
        ],
      },
    ],
  ];
  it.each(found)('history found by the model: %s', async (_name, h) => {
    await checkProperties(h, await runHistory(h));
  });
});
