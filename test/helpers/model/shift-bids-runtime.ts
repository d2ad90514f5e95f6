/**
 * The shift-bids model (./shift-bids.ts) driven through the local runtime: its generated bids, sent as signed
 * CXone webhooks to the gateway, with rule documents deployed through the runtime's AppConfig, supervisors
 * resolving requests in the CXone sandbox and its real faults (5xx, commit-then-fail, 423 schedule locks, 202
 * accepted-not-final); afterwards the same properties, checked against the sandbox, the State and Audit tables,
 * the bus and the DLQ.
 */
import fc from 'fast-check';
import { DynamoDbBidStateStore } from '../../../shared/adapters/aws/bid-state-store';
import type { CxoneFault } from '../../../shared/adapters/cxone/bidding.fake';
import { LOCAL_RULE_DOCUMENT } from '../../../shared/domain/shift-bids/default-rules';
import { ddb, local, sandbox } from '../local';
import {
  applyRuntimeOnlyStep,
  armStateWriteFault,
  disarmStateWriteFaults,
  RuntimeHistory,
  runtimeOnlySteps,
  type RuntimeOnlyStep,
} from './runtime';
import {
  bidderOf,
  bidEvent,
  bids,
  checkDeadLetterReasons,
  checkShiftBidsProperties,
  createdAtOf,
  CREW,
  deliverStep,
  DOCUMENTS,
  OPEN_SHIFTS,
  requestIds,
  rulesStep,
  sendStep,
  stateFaultStep,
  shift,
  SITE,
  supervisorStep,
  vendorFaultStep,
  type DeliverStep,
  type DocumentName,
  type History,
  type RulesStep,
  type SendStep,
  type StateFaultStep,
  type SupervisorStep,
  type VendorFaultStep,
} from './shift-bids';

/**
 * Steps of a history through the runtime: the domain's, with `deliver` as "let the runtime settle", and the
 * runtime's own (./runtime.ts); State-table faults go through the runtime's DynamoDB fault switch. A Lambda's
 * remaining time is the runtime's: `shortInvocations` stays with the domain driver.
 */
export type RuntimeStep =
  SendStep | DeliverStep | RulesStep | SupervisorStep | VendorFaultStep | StateFaultStep | RuntimeOnlyStep;

export const runtimeHistory: fc.Arbitrary<History<RuntimeStep>> = fc.record({
  bids,
  asyncActions: fc.boolean(),
  shortInvocations: fc.constant(false),
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: sendStep as fc.Arbitrary<RuntimeStep> },
      { weight: 2, arbitrary: deliverStep },
      { weight: 1, arbitrary: rulesStep },
      { weight: 1, arbitrary: supervisorStep },
      { weight: 3, arbitrary: vendorFaultStep },
      { weight: 1, arbitrary: stateFaultStep },
      ...runtimeOnlySteps,
    ),
    { minLength: 4, maxLength: 12 },
  ),
});

const API = '/api/wfm/v2/';
const CALLS = {
  act: { method: 'POST', path: `${API}bidding/requests/*/actions` },
  read: { method: 'GET', path: API },
};
/** Spec 003 section 3: at most 3 attempts. */
const EVERY_ATTEMPT = 3;
/** The fake's `lockSeconds` (45), scaled as the runtime scales its waits (WFM_RETRY_SCALE 0.1). */
const LOCK_MS = 4_500;

/** Histories get dates 3 days apart: a bid reads (and caches for 120 s) the days around its own. */
let histories = 0;
const nextDate = () =>
  new Date(Date.parse('2027-03-01T00:00:00Z') + 3 * 86_400_000 * histories++).toISOString().slice(0, 10);

const rulesUrl = () => `${local().gatewayUrl}/_local/rules/shift-bids-rules`;
async function deployRules(document: unknown): Promise<void> {
  const res = await fetch(rulesUrl(), {
    method: 'PUT',
    body: JSON.stringify(document),
    signal: AbortSignal.timeout(10_000),
  });
  expect(await res.json()).toMatchObject({ valid: true });
}

interface CxoneRequest {
  id: string;
  status: string;
  shift: { id: string };
  resolution: { by?: string } | null;
  actionInProgress?: unknown;
}
interface CxoneState {
  biddingRequests: CxoneRequest[];
  actions: { requestId: string; action: string }[];
}

export async function runShiftBidsHistory(h: History<RuntimeStep>): Promise<string> {
  const cxone = sandbox('cxone');
  const run = new RuntimeHistory('shift-bids', '/webhooks/cxone/bidding');
  const { physical } = run;
  const date = nextDate();
  const ours = (s: ReturnType<typeof shift>) => ({
    ...s,
    id: physical(s.id),
    agentId: s.agentId && physical(s.agentId),
    queueId: physical(s.queueId!),
  });
  const event = (...args: Parameters<typeof bidEvent>) => {
    const e = bidEvent(...args);
    return {
      body: JSON.stringify({
        ...e,
        data: {
          ...e.data,
          requestId: physical(e.data.requestId),
          agent: { id: physical(e.data.agent.id) },
          shift: { ...e.data.shift, id: physical(e.data.shift.id) },
        },
      }),
      eventType: e.eventType,
    };
  };

  await cxone.fixtures({
    agents: [...CREW, ...requestIds.map(bidderOf)].map((id) => ({
      id: physical(id),
      siteId: SITE,
      skills: [{ id: 'billing' }],
      roles: ['agent'],
    })),
    shifts: [
      ...CREW.map((c) => ours(shift(`q1-${c}`, c, date))),
      ...OPEN_SHIFTS.map((id) => ours(shift(id, null, date))),
    ],
    biddingRequests: h.bids.map((bid, i) => ({
      requestId: physical(requestIds[i]!),
      siteId: SITE,
      agent: { id: physical(bidderOf(requestIds[i]!)) },
      shift: { id: physical(bid.shift), date, startTime: '08:00:00', endTime: '16:00:00' },
      bid: { type: 'open_shift' },
      status: 'PENDING',
      createdAt: createdAtOf(i),
    })),
  });
  const toSend: { body: string; eventType: string }[] = [];
  h.bids.forEach((bid, i) => {
    const created = event(requestIds[i]!, bid.shift, createdAtOf(i), undefined, undefined, date);
    for (let copy = 0; copy < bid.copies; copy++) toSend.push(created);
  });
  const send = async (index: number) => {
    const [next] = toSend.splice(index % toSend.length, 1);
    await run.post(next!.body, next!.eventType);
  };
  const supervised = new Map<string, string>();
  const requestsNow = async () =>
    (await cxone.state<CxoneState>()).biddingRequests.filter((r) => r.id.startsWith(run.prefix));

  await cxone.config({ asyncActions: h.asyncActions });
  await deployRules(DOCUMENTS.v1);
  try {
    for (const s of h.steps) {
      if ('send' in s) {
        if (toSend.length) await send(s.send);
      } else if ('deliver' in s) await run.settle();
      else if ('rules' in s) await deployRules(DOCUMENTS[s.rules as DocumentName]);
      else if ('supervisor' in s) {
        // A supervisor acts in the UI on what CXone shows: after the runtime's calls in flight have landed.
        await run.settle();
        const requestId = requestIds[s.supervisor.request]!;
        const request = (await requestsNow()).find((r) => r.id === physical(requestId))!;
        if (request.status !== 'PENDING' || request.actionInProgress) continue;
        const at = new Date().toISOString();
        await cxone.fixtures({
          biddingRequests: [
            {
              ...request,
              status: s.supervisor.status,
              resolution: { action: 'REJECT', reason: null, by: 'supervisor', at },
            },
          ],
        });
        supervised.set(requestId, s.supervisor.status);
        toSend.push(
          event(
            requestId,
            h.bids[s.supervisor.request]!.shift,
            at,
            'wfm.bidding.request.status_changed',
            s.supervisor.status,
            date,
          ),
        );
      } else if ('vendorFault' in s) {
        await injectFault(
          cxone,
          s.vendorFault.call,
          s.vendorFault.fault,
          physical(`lock-${run.faultsInjected}`),
          date,
        );
        run.faultsInjected++;
      } else if ('stateFault' in s) await armStateWriteFault(run, s.stateFault.fault);
      else await applyRuntimeOnlyStep(run, cxone, API, s);
    }
    while (toSend.length) await send(0);
    await run.settle();
  } finally {
    await cxone.clearFaults();
    await disarmStateWriteFaults(run);
    await cxone.config({ asyncActions: false });
    await deployRules(LOCAL_RULE_DOCUMENT);
  }
  if (await run.replayDeadLetters()) await run.settle();

  // Reading the state settles actions CXone accepted (202) more than a second ago, as any read does.
  const state = run.logical(await cxone.state<CxoneState>());
  const store = new DynamoDbBidStateStore(ddb(), local().tables.State!);
  const records = new Map<string, { status: string; blocklisted?: boolean } | undefined>();
  for (const requestId of requestIds)
    records.set(requestId, run.logical(await store.get(physical(requestId))));
  const events = await run.events();
  // The runtime's intake (phase one) announces each bidding event once as `bid.received`: a receipt of the
  // event, not a step of the request's story (the domain driver calls phase two directly, and sees none).
  const receipts = events.filter((e) => e.type === 'bid.received');
  const notifications = events.filter((e) => e.type === 'bid.supervisor_notification');
  checkShiftBidsProperties({
    requests: new Map(state.biddingRequests.filter((r) => requestIds.includes(r.id)).map((r) => [r.id, r])),
    applied: state.actions.filter((a) => requestIds.includes(a.requestId)),
    records,
    audit: await run.audit(),
    events: events.filter((e) => !receipts.includes(e) && !notifications.includes(e)),
    notifications: notifications.map((e) => ({ requestId: String(e.detail.requestId) })),
    supervised,
  });
  // Every event the gateway accepted was received once, however often it was delivered.
  for (const eventId of new Set(run.queued.map((q) => q.eventId)))
    expect({ eventId, receipts: receipts.filter((e) => e.detail.eventId === eventId).length }).toEqual({
      eventId,
      receipts: 1,
    });
  checkDeadLetterReasons(await run.deadLetters());
  return run.summary({
    approved: state.biddingRequests.filter((r) => requestIds.includes(r.id) && r.status === 'APPROVED')
      .length,
  });
}

async function injectFault(
  cxone: ReturnType<typeof sandbox>,
  call: 'act' | 'read',
  fault: CxoneFault,
  lockId: string,
  date: string,
): Promise<void> {
  const on = CALLS[call];
  switch (fault) {
    case 'unavailable':
      return void (await cxone.faults([{ ...on, status: 503, times: EVERY_ATTEMPT }]));
    case 'recovered':
      return void (await cxone.faults([{ ...on, status: 503, times: 1 }]));
    case 'commit-then-fail':
      // A read commits nothing: its answer is lost on every attempt.
      return void (await cxone.faults([
        call === 'read'
          ? { ...on, dropConnection: true, times: EVERY_ATTEMPT }
          : { ...on, status: 503, commitFirst: true, times: EVERY_ATTEMPT },
      ]));
    case 'locked':
      // A bulk publication holds the site's schedule for the history's date: CXone answers 423 meanwhile.
      return void (await cxone.fixtures({
        locks: [
          {
            id: lockId,
            siteId: SITE,
            dateFrom: date,
            dateTo: date,
            operation: 'bulk-publish',
            expiresAt: new Date(Date.now() + LOCK_MS).toISOString(),
          },
        ],
      }));
  }
}
