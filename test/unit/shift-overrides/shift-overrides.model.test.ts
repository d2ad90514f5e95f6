/**
 * Issue 14, spec 001: generated histories of time-off events (approvals, cancellations, ignored types,
 * duplicates, reorderings, concurrent deliveries) under vendor faults (429/5xx/timeouts through every retry,
 * retries the adapter absorbs, 409, commit-then-fail) and State-table faults (throttling, a timeout after the
 * write), delivered at least once through the real batch runner. After each history, and an operator's replay
 * of the DLQ once the faults have passed: Genesys holds exactly the overrides a reference model says, none
 * twice; every event is accounted for; the audit trail and the domain events tell the vendor's story.
 *
 * A failure prints the seed and the shrunk history; MODEL_SEED / MODEL_RUNS replay or widen a run.
 */
import fc from 'fast-check';
import { InMemoryOverrideStateStore } from '../../../shared/adapters/aws/override-state-store.fake';
import {
  InMemoryAuditLog,
  InMemoryEventPublisher,
  InMemoryLockManager,
} from '../../../shared/adapters/aws/platform.fake';
import { FakeGenesysScheduling } from '../../../shared/adapters/genesys/scheduling.fake';
import { TimeOffEvent } from '../../../shared/contracts/genesys-timeoff.schema';
import { decideIngress } from '../../../shared/domain/ingress/rules';
import { timeOffIngressRule } from '../../../shared/domain/shift-overrides/ingress-rule';
import {
  processTimeOffEvent,
  type ShiftOverridesDeps,
} from '../../../shared/domain/shift-overrides/process-time-off';
import { readMessage } from '../../../shared/runtime/sqs-processor';
import { SimulatedQueue } from '../../helpers/model/delivery';
import { modelRunParameters } from '../../helpers/model/parameters';
import {
  checkAuditStory,
  checkRemainingDeadLetters,
  checkVendorAgainstModel,
  history,
  payload,
  REQUEST_IDS,
  SHIFTS,
  THRESHOLD,
  USERS,
  type History,
  type RequestHistory,
} from '../../helpers/model/shift-overrides';
import { VirtualClock } from '../../helpers/virtual-clock';

const REASON_CODES = { PAID_TIME_OFF: 'reason-pto', VACATION: 'reason-vacation-not-in-genesys' };

function setup() {
  const clock = new VirtualClock();
  const genesys = new FakeGenesysScheduling();
  for (const [userId, zone] of Object.entries(USERS)) genesys.users.set(userId, zone);
  genesys.reasonCodes.add(REASON_CODES.PAID_TIME_OFF);
  for (const s of SHIFTS) genesys.shiftsById.set(s.id, s);
  const store = new InMemoryOverrideStateStore();
  const deps: ShiftOverridesDeps & { audit: InMemoryAuditLog; events: InMemoryEventPublisher } = {
    genesys,
    store,
    locks: new InMemoryLockManager(clock),
    audit: new InMemoryAuditLog(),
    events: new InMemoryEventPublisher(),
    clock,
    settings: { reasonCodeByRequestType: REASON_CODES, fullShiftThreshold: THRESHOLD },
  };
  const queue = new SimulatedQueue(async (message) => {
    await processTimeOffEvent(readMessage(message, TimeOffEvent, 'a time-off event'), deps);
  }, clock);
  return { genesys, store, deps, queue };
}

async function runHistory({ requests, steps }: History) {
  const { genesys, store, deps, queue } = setup();
  const ingressSettings = { timeOffOverrideScope: Object.keys(REASON_CODES) };
  const toSend: { eventId: string; body: ReturnType<typeof payload> }[] = [];
  const ignored: { eventId: string; reason: string }[] = [];
  for (const requestId of REQUEST_IDS)
    requests[requestId].events.forEach((e, index) => {
      const body = payload(requestId, requests[requestId], index);
      const eventId = `${requestId}-e${index}`;
      const decision = decideIngress(timeOffIngressRule, body.eventType, body, ingressSettings);
      for (let copy = 0; copy < e.copies; copy++) {
        if (decision.act) toSend.push({ eventId, body });
        else ignored.push({ eventId, reason: decision.reason });
      }
    });
  const sent = new Map<string, number>();
  const send = (index: number) => {
    const [next] = toSend.splice(index % toSend.length, 1);
    sent.set(next!.eventId, (sent.get(next!.eventId) ?? 0) + 1);
    queue.send(next!.eventId, next!.body, next!.body.eventType);
  };

  for (const s of steps) {
    if ('send' in s) {
      if (toSend.length) send(s.send);
    } else if ('deliver' in s) await queue.deliver(s.deliver);
    else if ('vendorFault' in s) genesys.faults[s.vendorFault.operation].push(s.vendorFault.fault);
    else store.writeFaults.queue.push(...Array<'none'>(s.stateFault.skip).fill('none'), s.stateFault.fault);
  }
  while (toSend.length) send(0);
  await queue.drain();
  // The faults have passed; the on-call engineer replays the DLQ (runbook), as often as it still helps.
  genesys.faults.read.length = genesys.faults.post.length = genesys.faults.delete.length = 0;
  store.writeFaults.queue.length = 0;
  queue.replayDeadLetters();
  await queue.drain();

  return { genesys, deps, queue, sent, ignored };
}

function checkProperties(h: History, result: Awaited<ReturnType<typeof runHistory>>) {
  const { genesys, deps, queue, sent, ignored } = result;
  const vendorOverrides = [...genesys.overridesById.values()];
  checkVendorAgainstModel(h.requests, vendorOverrides);

  // Every event is accounted for: ignored at the edge with a reason, processed, or dead-lettered with a
  // documented reason (only the ones that fail the same way on every delivery remain after the replay).
  for (const i of ignored) expect(i.reason).toMatch(/\S/);
  for (const [eventId, copies] of sent) {
    const processed = queue.processed.filter((p) => p.eventId === eventId).length;
    const dead = queue.deadLettered.filter((d) => d.eventId === eventId).length;
    expect({ eventId, accountedFor: processed + dead }).toEqual({ eventId, accountedFor: copies });
  }
  checkRemainingDeadLetters(queue.deadLettered);

  checkAuditStory(vendorOverrides, deps.audit.records, deps.events.events);
}

describe('shift-overrides against its reference model (issue 14)', () => {
  it('holds for generated histories of events and faults', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        checkProperties(h, await runHistory(h));
      }),
      modelRunParameters(200),
    );
  });

  const noEvents: RequestHistory = { requestType: 'SICK', startHour: 0, hours: 1, events: [] };
  const found: [string, History][] = [
    [
      're-creates an override whose cancellation deleted it at Genesys but lost the answer, on a later approval',
      {
        requests: {
          r1: noEvents,
          r2: {
            requestType: 'PAID_TIME_OFF',
            startHour: 0,
            hours: 14,
            events: [
              { kind: 'approved', copies: 1 },
              { kind: 'cancelled', copies: 1 },
              { kind: 'approved', copies: 1 },
            ],
          },
          r3: noEvents,
        },
        steps: [{ vendorFault: { operation: 'delete', fault: 'commit-then-fail' } }],
      },
    ],
    [
      'audits and announces an override whose RECONCILED state write landed but lost its answer',
      {
        requests: {
          r1: {
            requestType: 'PAID_TIME_OFF',
            startHour: 0,
            hours: 30,
            events: [{ kind: 'approved', copies: 1 }],
          },
          r2: noEvents,
          r3: noEvents,
        },
        steps: [{ send: 0 }, { stateFault: { skip: 3, fault: 'timeout-after-write' } }, { deliver: [0] }],
      },
    ],
    [
      'audits and announces a roll-back whose ROLLED_BACK state write landed but lost its answer',
      {
        requests: {
          r1: {
            requestType: 'PAID_TIME_OFF',
            startHour: 0,
            hours: 30,
            events: [
              { kind: 'approved', copies: 1 },
              { kind: 'cancelled', copies: 1 },
            ],
          },
          r2: noEvents,
          r3: noEvents,
        },
        steps: [
          { send: 0 },
          { deliver: [0] },
          { send: 0 },
          { stateFault: { skip: 1, fault: 'timeout-after-write' } },
          { deliver: [0] },
        ],
      },
    ],
  ];
  it.each(found)('history found by the model: %s', async (_name, h) => {
    checkProperties(h, await runHistory(h));
  });
});
