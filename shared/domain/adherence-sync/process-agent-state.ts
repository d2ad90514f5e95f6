/**
 * Spec 002 for one agent-state event: map the ACD state, drop stale and repeated states, bridge disallowed
 * transitions, send each state as a WEM event, then record it as acknowledged.
 *
 * Windowing: each event marks the moment a state began (startTime = endTime = the event time). WEM shows a
 * state until the next event, so consecutive events can never overlap and no event crosses a local midnight;
 * bridged intermediate states are stamped 1 ms apart just before the target so their order is unambiguous
 * (docs/decisions/0003-adherence-events-as-markers.md).
 */
import { createHash } from 'node:crypto';
import { PermanentFailure, ResourceNotFound, RetryableFailure } from '../../errors';
import type { AuditLog, Lease, LockManager } from '../../ports/platform';
import type { AdherenceSyncSettings } from '../../config/workflows/adherence-sync';
import type { AgentRecord, AgentStateStore, GenesysWem, PendingPush } from './ports';
import { planTransition, toAdherenceState, type AdherenceState } from './transitions';
import { translateReasonCode } from './windows';
import { LOCK_KEY } from '../../tables';

export interface AgentStateInput {
  readonly timestamp: string;
  readonly data: { agent_id: string; new_state: string; reason_code?: string | null };
}

export interface AdherenceDeps {
  readonly wem: GenesysWem;
  readonly store: AgentStateStore;
  readonly locks: LockManager;
  readonly audit: AuditLog;
  readonly settings: Pick<AdherenceSyncSettings, 'stateMap' | 'transitions' | 'reasonCodeMap'>;
}

export type AdherenceOutcome =
  | { kind: 'stale' }
  | { kind: 'repeat' }
  | { kind: 'held'; reason: string }
  | { kind: 'sent'; states: string[] }
  /** Spec 000 "log and skip": a read answered 404 (audited as SKIPPED_NOT_FOUND); nothing was sent or recorded. */
  | { kind: 'skipped'; reason: string };

/** Deterministic per agent, state and start time: a redelivery reuses the key and WEM records nothing new. */
export const idempotencyKeyOf = (agentId: string, state: string, startTime: string) =>
  createHash('sha256').update(`${agentId}|${state}|${startTime}`).digest('hex').slice(0, 32);

export async function processAgentState(
  event: AgentStateInput,
  deps: AdherenceDeps,
): Promise<AdherenceOutcome> {
  const { agent_id: agentId, new_state: acdState, reason_code: reason } = event.data;
  const target = toAdherenceState(acdState, deps.settings);
  if (!target)
    throw new PermanentFailure('STATE_UNMAPPED', `ACD state "${acdState}" has no WEM adherence state`);
  const reasonCode = translateReasonCode(reason, deps.settings.reasonCodeMap);
  if (!reasonCode.ok) throw new PermanentFailure('REASON_CODE_UNMAPPED', reasonCode.reason);
  const eventTime = Date.parse(event.timestamp);

  const lease = await deps.locks.tryAcquire(agentLockKey(agentId), AGENT_LEASE_SECONDS);
  if (!lease) throw new RetryableFailure('LOCK_HELD', `Agent ${agentId} is being updated by another worker`);
  try {
    return await applyTransition({ agentId, target, eventTime, reasonCode: reasonCode.code }, deps, lease);
  } finally {
    await lease.release();
  }
}

/** The agent's lock: every write of its state, from events and from reconciliation, happens under it. */
export const agentLockKey = (agentId: string) => `${LOCK_KEY.agent}${agentId}`;
export const AGENT_LEASE_SECONDS = 15;

export interface TransitionRequest {
  readonly agentId: string;
  readonly target: AdherenceState;
  readonly eventTime: number;
  readonly reasonCode: string;
}

/**
 * Moves WEM to `target` as of `eventTime`, under the agent's lease: a push left unacknowledged is re-sent first,
 * stale and repeated states are dropped, a transition is bridged or held along the matrix, and what is sent is
 * recorded as pending before the first push and acknowledged after the last.
 */
export async function applyTransition(
  request: TransitionRequest,
  deps: Omit<AdherenceDeps, 'locks'>,
  lease: Lease,
): Promise<AdherenceOutcome> {
  const { agentId, target, eventTime, reasonCode } = request;
  const stored = await deps.store.read(agentId);
  const last = stored.pending ? await settlePendingPush(agentId, stored.pending, deps) : stored.acknowledged;
  if (last && last.eventTime >= eventTime) return { kind: 'stale' };
  if (last?.state === target) {
    await deps.store.advance({ agentId, state: target, eventTime }, lease);
    return { kind: 'repeat' };
  }
  const plan = planTransition(last?.state, target, deps.settings.transitions);
  if (plan.kind === 'held') {
    await deps.store.hold({ agentId, state: target, eventTime, reason: plan.reason, reasonCode }, lease);
    return { kind: 'held', reason: plan.reason };
  }
  const states = plan.kind === 'none' ? [] : plan.states;
  let scheduleType: string;
  try {
    scheduleType = await deps.wem.scheduleType(agentId);
  } catch (err) {
    if (!(err instanceof ResourceNotFound)) throw err;
    await deps.audit.append({
      workflow: 'adherence-sync',
      subject: `${LOCK_KEY.agent}${agentId}`,
      action: 'SKIPPED_NOT_FOUND',
      at: new Date(eventTime).toISOString(),
      detail: { state: target, resource: err.resource, reason: err.message },
    });
    return { kind: 'skipped', reason: err.message };
  }
  const pending: PendingPush = {
    state: target,
    eventTime,
    bridged: plan.kind === 'bridged',
    pushes: states.map((state, i) => {
      const at = new Date(eventTime - (states.length - 1 - i)).toISOString();
      return {
        event: { agentId, adherenceState: state, scheduleType, startTime: at, endTime: at, reasonCode },
        idempotencyKey: idempotencyKeyOf(agentId, state, at),
      };
    }),
  };
  if (!(await deps.store.recordPending(agentId, pending, lease))) return { kind: 'stale' };
  await sendPendingPush(agentId, pending, deps);
  return { kind: 'sent', states };
}

/**
 * Sends a recorded push and acknowledges it. WEM's 422 means it recorded none of it (every event of a push
 * carries the same reason code), so the push is forgotten and the failure stands.
 */
async function sendPendingPush(
  agentId: string,
  pending: PendingPush,
  deps: Pick<AdherenceDeps, 'wem' | 'store' | 'audit'>,
  resent = false,
): Promise<void> {
  for (const { event, idempotencyKey } of pending.pushes) {
    let result: Awaited<ReturnType<GenesysWem['push']>>;
    try {
      result = await deps.wem.push(event, idempotencyKey);
    } catch (err) {
      if (err instanceof PermanentFailure) await deps.store.dropPending(agentId, pending);
      throw err;
    }
    await deps.audit.append({
      workflow: 'adherence-sync',
      subject: `${LOCK_KEY.agent}${agentId}`,
      action: 'SENT',
      at: event.startTime,
      detail: {
        state: event.adherenceState,
        httpStatus: result.status,
        processingStatus: result.processingStatus,
        bridged: pending.bridged,
        ...(resent && { resent }),
      },
    });
  }
  await deps.store.completePending(agentId, pending);
}

/**
 * A push recorded but never acknowledged (WEM's answer lost, or the acknowledgement's write failed): WEM may
 * hold any prefix of it, so planning from the acknowledged state could send a transition its matrix forbids or
 * skip a state as a repeat. Re-sent with the same keys (WEM records nothing new where one landed), it becomes the
 * acknowledged state to plan from.
 */
export async function settlePendingPush(
  agentId: string,
  pending: PendingPush,
  deps: Pick<AdherenceDeps, 'wem' | 'store' | 'audit'>,
): Promise<AgentRecord> {
  await sendPendingPush(agentId, pending, deps, true);
  return { agentId, state: pending.state, eventTime: pending.eventTime };
}
