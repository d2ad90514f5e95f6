/**
 * The adherence-sync model (spec 002) shared by its two drivers: the domain with the fakes
 * (test/unit/adherence-sync/adherence-sync.model.test.ts) and the local runtime end to end
 * (test/e2e/model-runs.test.ts). One history generator, one set of property checks over what WEM recorded, the
 * audit trail and the dead letters.
 */
import fc from 'fast-check';
import type { StateWriteFault } from '../../../shared/adapters/aws/dynamodb-faults.fake';
import type { WemFault } from '../../../shared/adapters/genesys/adherence.fake';
import { loadStageConfig } from '../../../shared/config/stage';
import { ADHERENCE_SYNC_FAILURE_REASONS } from '../../../shared/domain/adherence-sync/failure-reasons';
import type { AuditRecord } from '../../../shared/ports/platform';
import { agentStateChanged } from '../payloads';

export const settings = loadStageConfig('local').workflows['adherence-sync'];
export const AGENTS = ['agent-1', 'agent-2'] as const;
const ACD_STATES = [...Object.keys(settings.stateMap), 'unknown-state'];

export interface AgentEvent {
  readonly agent: (typeof AGENTS)[number];
  readonly acdState: string;
  readonly copies: number;
}

export type SendStep = { readonly send: number };
export type DeliverStep = { readonly deliver: readonly number[] };
export type VendorFaultStep = { readonly vendorFault: WemFault };
export type StateFaultStep = { readonly stateFault: { skip: number; fault: StateWriteFault } };
export type Step = SendStep | DeliverStep | VendorFaultStep | StateFaultStep;

export interface History<S = Step> {
  /** In event-time order, one minute apart. */
  readonly events: readonly AgentEvent[];
  readonly steps: readonly S[];
}

export const events: fc.Arbitrary<readonly AgentEvent[]> = fc.array(
  fc.record({
    agent: fc.constantFrom(...AGENTS),
    acdState: fc.constantFrom(...ACD_STATES),
    copies: fc.integer({ min: 1, max: 2 }),
  }),
  { minLength: 1, maxLength: 10 },
);
export const sendStep: fc.Arbitrary<SendStep> = fc.record({ send: fc.nat() });
export const deliverStep: fc.Arbitrary<DeliverStep> = fc.record({
  deliver: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
});
export const vendorFaultStep: fc.Arbitrary<VendorFaultStep> = fc.record({
  vendorFault: fc.constantFrom<WemFault>('unavailable', 'commit-then-fail'),
});
export const stateFaultStep: fc.Arbitrary<StateFaultStep> = fc.record({
  stateFault: fc.record({
    skip: fc.integer({ min: 0, max: 4 }),
    fault: fc.constantFrom<StateWriteFault>('throttled', 'timeout-after-write'),
  }),
});

/** Histories of the domain driver: every step kind, State-table faults included. */
export const history: fc.Arbitrary<History> = fc.record({
  events,
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: sendStep as fc.Arbitrary<Step> },
      { weight: 4, arbitrary: deliverStep },
      { weight: 2, arbitrary: vendorFaultStep },
      { weight: 2, arbitrary: stateFaultStep },
    ),
    { maxLength: 40 },
  ),
});

export function payload(e: AgentEvent, index: number) {
  const timestamp = new Date(Date.parse('2026-12-01T09:00:00Z') + index * 60_000).toISOString();
  return agentStateChanged(e.agent, e.acdState, timestamp, e.acdState === 'aux' ? 'meeting' : null);
}

/** An adherence event as WEM recorded it. */
export interface RecordedWemEvent {
  readonly adherenceState: keyof typeof settings.transitions;
  readonly startTime: string;
}

/**
 * WEM ends in the newest state of each agent, never went back in time, never received a transition its matrix
 * forbids or the same event twice, and the audit trail lists what WEM recorded.
 */
export function checkWemAgainstModel(
  h: History<unknown>,
  recordedFor: (agent: string) => readonly RecordedWemEvent[],
  audit: readonly Pick<AuditRecord, 'subject' | 'action' | 'detail' | 'at'>[],
): void {
  for (const agent of AGENTS) {
    const recorded = recordedFor(agent);
    // Never the same event twice, never back in time, never a transition the matrix forbids.
    const times = recorded.map((e) => Date.parse(e.startTime));
    for (let i = 1; i < recorded.length; i++) {
      expect({ agent, i, forward: times[i]! > times[i - 1]! }).toEqual({ agent, i, forward: true });
      const from = recorded[i - 1]!.adherenceState;
      const to = recorded[i]!.adherenceState;
      expect({ agent, from, to, allowed: settings.transitions[from]?.includes(to) }).toEqual({
        agent,
        from,
        to,
        allowed: true,
      });
    }
    // WEM ends in the agent's newest mapped state (the matrix connects every state, so none is held).
    const newest = h.events.filter((e) => e.agent === agent && e.acdState in settings.stateMap).at(-1);
    expect({ agent, state: recorded.at(-1)?.adherenceState }).toEqual({
      agent,
      state: newest && settings.stateMap[newest.acdState],
    });
    // The audit trail lists what WEM recorded, in order.
    const told = audit
      .filter((a) => a.subject === `agent#${agent}` && a.action === 'SENT')
      .map((a) => `${String(a.detail?.state)}@${a.at}`);
    const story = recorded.map((e) => `${e.adherenceState}@${e.startTime}`);
    expect({ agent, audit: [...new Set(told)] }).toEqual({ agent, audit: story });
  }
}

/** Only the unmapped states stay on the DLQ once the faults have passed, with their documented reason. */
export function checkRemainingDeadLetters(deadLettered: readonly { reason: string }[]): void {
  for (const d of deadLettered) {
    expect(d.reason).toBe('STATE_UNMAPPED');
    expect(ADHERENCE_SYNC_FAILURE_REASONS).toHaveProperty(d.reason);
  }
}
