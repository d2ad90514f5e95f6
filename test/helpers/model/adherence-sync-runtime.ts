/**
 * The adherence-sync model (./adherence-sync.ts) driven through the local runtime: its generated agent states,
 * sent as signed webhooks to the gateway, under the Genesys WEM sandbox's real faults (5xx through every retry,
 * commit-then-fail, revoked tokens, 429); afterwards the same properties, checked against what WEM recorded, the
 * Audit table and the DLQ.
 */
import fc from 'fast-check';
import type { WemFault } from '../../../shared/adapters/genesys/adherence.fake';
import { sandbox } from '../local';
import {
  AGENTS,
  checkRemainingDeadLetters,
  checkWemAgainstModel,
  deliverStep,
  events,
  payload,
  sendStep,
  stateFaultStep,
  vendorFaultStep,
  type DeliverStep,
  type History,
  type RecordedWemEvent,
  type SendStep,
  type StateFaultStep,
  type VendorFaultStep,
} from './adherence-sync';
import {
  applyRuntimeOnlyStep,
  armStateWriteFault,
  disarmStateWriteFaults,
  RuntimeHistory,
  runtimeOnlySteps,
  type RuntimeOnlyStep,
} from './runtime';

/**
 * Steps of a history through the runtime: the domain's, with `deliver` as "let the runtime settle", and the
 * runtime's own (./runtime.ts); State-table faults go through the runtime's DynamoDB fault switch.
 */
export type RuntimeStep = SendStep | DeliverStep | VendorFaultStep | StateFaultStep | RuntimeOnlyStep;

export const runtimeHistory: fc.Arbitrary<History<RuntimeStep>> = fc.record({
  events,
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: sendStep as fc.Arbitrary<RuntimeStep> },
      { weight: 2, arbitrary: deliverStep },
      { weight: 2, arbitrary: vendorFaultStep },
      { weight: 1, arbitrary: stateFaultStep },
      ...runtimeOnlySteps,
    ),
    { minLength: 4, maxLength: 12 },
  ),
});

const PUSH = { method: 'POST', path: '/api/v2/wem/adherence/agents/*/adherence-events' };
/** A 503 on the first try and on each of spec 000's three retries: the delivery fails. */
const EVERY_ATTEMPT = 4;
const sandboxFaults: Record<WemFault, object[]> = {
  unavailable: [{ ...PUSH, status: 503, times: EVERY_ATTEMPT }],
  // WEM records the push, then every answer to it and to the retries (replays of its key) is a 503.
  'commit-then-fail': [{ ...PUSH, status: 503, commitFirst: true, times: EVERY_ATTEMPT }],
};

interface AdherenceState {
  adherence: { agents: Record<string, { events: RecordedWemEvent[] } | undefined> };
}

export async function runAdherenceSyncHistory(h: History<RuntimeStep>): Promise<string> {
  const genesys = sandbox('genesys');
  const run = new RuntimeHistory('adherence-sync', '/webhooks/agent-state');
  const { physical } = run;
  const toSend = h.events.flatMap((e, index) => {
    const body = payload(e, index);
    const sent = JSON.stringify({ ...body, data: { ...body.data, agent_id: physical(e.agent) } });
    return Array.from({ length: e.copies }, () => ({ body: sent, eventType: body.event_type }));
  });
  const send = async (index: number) => {
    const [next] = toSend.splice(index % toSend.length, 1);
    await run.post(next!.body, next!.eventType);
  };

  try {
    for (const s of h.steps) {
      if ('send' in s) {
        if (toSend.length) await send(s.send);
      } else if ('deliver' in s) await run.settle();
      else if ('vendorFault' in s) {
        await genesys.faults(sandboxFaults[s.vendorFault]);
        run.faultsInjected++;
      } else if ('stateFault' in s) await armStateWriteFault(run, s.stateFault.fault);
      else await applyRuntimeOnlyStep(run, genesys, '/api/v2/', s);
    }
    while (toSend.length) await send(0);
    await run.settle();
  } finally {
    await genesys.clearFaults();
    await disarmStateWriteFaults(run);
  }
  if (await run.replayDeadLetters()) await run.settle();

  const wem = (await genesys.state<AdherenceState>()).adherence.agents;
  checkWemAgainstModel(h, (agent) => wem[physical(agent)]?.events ?? [], await run.audit());
  checkRemainingDeadLetters(await run.deadLetters());
  return run.summary({
    pushed: AGENTS.reduce((n, agent) => n + (wem[physical(agent)]?.events.length ?? 0), 0),
  });
}
