/**
 * The shift-overrides model (./shift-overrides.ts) driven through the local runtime: its generated requests, sent
 * as signed Genesys webhooks to the gateway, under the Genesys sandbox's real faults; afterwards the same
 * properties, checked against the sandbox's overrides, the Audit table, the bus and the DLQ.
 */
import fc from 'fast-check';
import type { GenesysFault, GenesysOperation } from '../../../shared/adapters/genesys/scheduling.fake';
import { loadStageConfig } from '../../../shared/config/stage';
import { decideIngress } from '../../../shared/domain/ingress/rules';
import { timeOffIngressRule } from '../../../shared/domain/shift-overrides/ingress-rule';
import { sandbox } from '../local';
import {
  applyRuntimeOnlyStep,
  armStateWriteFault,
  disarmStateWriteFaults,
  RuntimeHistory,
  runtimeOnlySteps,
  type RuntimeOnlyStep,
} from './runtime';
import {
  checkAuditStory,
  checkRemainingDeadLetters,
  checkVendorAgainstModel,
  deliverStep,
  payload,
  REQUEST_IDS,
  requestHistory,
  sendStep,
  stateFaultStep,
  SHIFTS,
  USERS,
  vendorFaultStep,
  type DeliverStep,
  type History,
  type ObservedOverride,
  type SendStep,
  type StateFaultStep,
  type VendorFaultStep,
} from './shift-overrides';

/**
 * Steps of a history through the runtime: the domain's sends and faults; its `deliver` becomes "let the runtime
 * settle" (the pollers choose the order); State-table faults go through the runtime's DynamoDB fault switch; and
 * the runtime's own steps (./runtime.ts).
 */
export type RuntimeStep = SendStep | DeliverStep | VendorFaultStep | StateFaultStep | RuntimeOnlyStep;

export const runtimeHistory: fc.Arbitrary<History<RuntimeStep>> = fc.record({
  requests: fc.record({ r1: requestHistory, r2: requestHistory, r3: requestHistory }),
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: sendStep as fc.Arbitrary<RuntimeStep> },
      { weight: 2, arbitrary: deliverStep },
      { weight: 3, arbitrary: vendorFaultStep },
      { weight: 1, arbitrary: stateFaultStep },
      ...runtimeOnlySteps,
    ),
    { minLength: 4, maxLength: 12 },
  ),
});

const OVERRIDES = '/api/v2/wfm/scheduling/overrides';
const CALLS: Record<GenesysOperation, { method: string; path: string }> = {
  read: { method: 'GET', path: '/api/v2/wfm/scheduling/' },
  post: { method: 'POST', path: OVERRIDES },
  delete: { method: 'DELETE', path: `${OVERRIDES}/` },
};
/** A 503 on the first try and on each of spec 000's three retries: the delivery fails. */
const EVERY_ATTEMPT = 4;

/** The domain's vendor faults as the sandbox serves them (docs/sandboxes.md, "Faults"). */
function sandboxFaults(operation: GenesysOperation, fault: GenesysFault): object[] {
  const call = CALLS[operation];
  switch (fault) {
    case 'unavailable':
      return [{ ...call, status: 503, times: EVERY_ATTEMPT }];
    case 'recovered':
      return [{ ...call, status: 503, times: 1 }];
    case 'conflict':
      return [{ ...call, status: 409, times: 1 }];
    case 'commit-then-fail':
      // A read commits nothing: its answer is lost on every attempt (spec 000's three network attempts).
      if (operation === 'read') return [{ ...call, dropConnection: true, times: 3 }];
      // The POST creates the override, then every answer to it and to the retries (replays) is a 503.
      return [{ ...call, status: 503, commitFirst: true, times: operation === 'post' ? EVERY_ATTEMPT : 1 }];
  }
}

const settings = loadStageConfig('local').workflows['shift-overrides'];

export async function runShiftOverridesHistory(h: History<RuntimeStep>): Promise<string> {
  const genesys = sandbox('genesys');
  const run = new RuntimeHistory('shift-overrides', '/webhooks/genesys/timeoff');
  const { physical } = run;
  await genesys.fixtures({
    users: Object.entries(USERS).map(([id, timezone]) => ({ id: physical(id), timezone })),
    shifts: SHIFTS.map((s) => ({
      ...s,
      id: physical(s.id),
      userId: physical(s.userId),
      shiftType: 'REGULAR',
    })),
  });

  const ingressSettings = { timeOffOverrideScope: Object.keys(settings.reasonCodeByRequestType) };
  const toSend: { body: string; eventType: string; expected: ReturnType<typeof decideIngress> }[] = [];
  for (const requestId of REQUEST_IDS)
    h.requests[requestId].events.forEach((e, index) => {
      const body = payload(requestId, h.requests[requestId], index);
      const expected = decideIngress(timeOffIngressRule, body.eventType, body, ingressSettings);
      const sent = JSON.stringify({
        ...body,
        data: { ...body.data, requestId: physical(requestId), userId: physical(body.data.userId) },
      });
      for (let copy = 0; copy < e.copies; copy++)
        toSend.push({ body: sent, eventType: body.eventType, expected });
    });
  const send = async (index: number) => {
    const [next] = toSend.splice(index % toSend.length, 1);
    await run.post(next!.body, next!.eventType, next!.expected);
  };

  try {
    for (const s of h.steps) {
      if ('send' in s) {
        if (toSend.length) await send(s.send);
      } else if ('deliver' in s) await run.settle();
      else if ('vendorFault' in s) {
        await genesys.faults(sandboxFaults(s.vendorFault.operation, s.vendorFault.fault));
        run.faultsInjected++;
      } else if ('stateFault' in s) await armStateWriteFault(run, s.stateFault.fault);
      else await applyRuntimeOnlyStep(run, genesys, '/api/v2/', s);
    }
    while (toSend.length) await send(0);
    await run.settle();
  } finally {
    // The faults have passed (or the history failed: the rest of the suite must not meet them).
    await genesys.clearFaults();
    await disarmStateWriteFaults(run);
  }
  // The on-call engineer replays the DLQ (runbook), as often as it still helps.
  if (await run.replayDeadLetters()) await run.settle();

  const overrides = run.logical(
    (await genesys.state<{ overrides: (ObservedOverride & { userId: string })[] }>()).overrides.filter((o) =>
      o.userId.startsWith(run.prefix),
    ),
  );
  checkVendorAgainstModel(h.requests, overrides);

  // Every event is accounted for: ignored at the edge with its reason, a duplicate delivery, or queued; and the
  // queue has drained, so each queued message completed or is on the DLQ with a documented reason.
  expect(run.posted).toHaveLength(
    h.requests.r1.events.concat(h.requests.r2.events, h.requests.r3.events).reduce((n, e) => n + e.copies, 0),
  );
  const dead = await run.deadLetters();
  checkRemainingDeadLetters(dead);

  checkAuditStory(overrides, await run.audit(), await run.events());
  return run.summary({ overrides: overrides.length });
}
