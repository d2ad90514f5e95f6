/**
 * Spec 002 section 4: a 2xx only means WEM accepted an event, not that its dashboard shows it. Every minute,
 * compare each agent's last acknowledged state with the dashboard; where they have differed for more than
 * 30 s, push the acknowledged state again and emit `adherence.drift` with what a diagnosis needs. The same run
 * retries transitions held because the matrix had no path for them (the matrix may have been fixed since), and
 * first re-sends any push an event left unacknowledged (WEM's answer lost, or the write after it failed).
 *
 * A repair is a push like any other: under the agent's lock, along the transition matrix (from what the
 * dashboard shows), and stamped at the moment the acknowledged state began, so a real event processed after
 * the repair is later in WEM's timeline and wins.
 */
import { createHash } from 'node:crypto';
import type { DomainEventPublisher } from '../../ports/platform';
import type { AgentRecord, HeldTransition, ReconcileCandidate } from './ports';
import {
  AGENT_LEASE_SECONDS,
  agentLockKey,
  applyTransition,
  settlePendingPush,
  type AdherenceDeps,
} from './process-agent-state';
import { planTransition, type AdherenceState } from './transitions';
import { translateReasonCode } from './windows';

export const DRIFT_THRESHOLD_MS = 30_000;

/** Spec 000: live (< 30 s stale), recent (< 5 min), batch (< 24 h); older is stale. */
export function freshness(ageMs: number): 'live' | 'recent' | 'batch' | 'stale' {
  return ageMs < 30_000 ? 'live' : ageMs < 300_000 ? 'recent' : ageMs < 86_400_000 ? 'batch' : 'stale';
}

export interface DashboardState {
  readonly adherenceState: string | null;
  readonly since?: string | null;
}

export interface ReconcileDeps {
  readonly agents: () => Promise<ReconcileCandidate[]>;
  readonly dashboard: (agentId: string) => Promise<DashboardState>;
  /** What a push needs: WEM, the agent store, the agents' locks, the audit log and the matrix. */
  readonly adherence: AdherenceDeps;
  readonly events: DomainEventPublisher;
  /** For the drift diagnosis: when the OAuth token was last refreshed and the last rate-limit headers seen. */
  readonly diagnostics: () => {
    lastTokenRefreshAt?: string;
    lastRateLimitHeaders: Readonly<Record<string, string>>;
  };
  readonly reasonCode: string;
}

/** A repair's idempotency key: unlike a redelivery, a repair of the same state at the same time must be sent. */
export const repairIdempotencyKeyOf = (agentId: string, state: string, startTime: string, now: number) =>
  createHash('sha256').update(`${agentId}|${state}|${startTime}|repair@${now}`).digest('hex').slice(0, 32);

/** The record, with the held transition when it is newer than the acknowledged state (older ones are moot). */
export function withNewerHeld(
  record: ReconcileCandidate,
  held: HeldTransition | undefined,
): ReconcileCandidate {
  return held && held.eventTime > record.eventTime ? { ...record, held } : record;
}

type AgentOutcome =
  | 'in-step'
  | 'repaired'
  /** The matrix has no path from what the dashboard shows to the acknowledged state: nothing pushed. */
  | 'unrepairable'
  /** Another worker held the agent's lock, or a real event moved the agent since the list was read. */
  | 'busy'
  | 'released'
  | 'still-held'
  /** An event's push left unacknowledged was re-sent and acknowledged. */
  | 'settled';

/**
 * Checks agents most recently changed first (drift follows pushes) until `deadline`, if one is given: each
 * dashboard read counts against Genesys' 300/min org limit, so a large tenant cannot be read in full every
 * minute, and a run must end before its function times out. Agents not reached are counted in `deferred`.
 */
export async function reconcile(
  deps: ReconcileDeps,
  now: number,
  budget?: { deadline: number; clock: () => number },
) {
  const agents = (await deps.agents()).sort(
    (a, b) => (b.held?.eventTime ?? b.eventTime) - (a.held?.eventTime ?? a.eventTime),
  );
  const outcomes: Record<AgentOutcome, number> = {
    'in-step': 0,
    repaired: 0,
    unrepairable: 0,
    busy: 0,
    released: 0,
    'still-held': 0,
    settled: 0,
  };
  let checked = 0;
  const errors: { agentId: string; error: string }[] = [];
  for (const candidate of agents) {
    if (budget && budget.clock() >= budget.deadline) break;
    checked++;
    try {
      const outcome = candidate.pending
        ? await settlePending(deps, candidate.agentId)
        : candidate.held
          ? await releaseHeld(deps, candidate.held)
          : await reconcileAgent(deps, candidate, now);
      outcomes[outcome]++;
    } catch (err) {
      // One agent's failed read or repair must not cost the others their check: count it, report it, go on.
      errors.push({ agentId: candidate.agentId, error: (err as Error).message ?? String(err) });
    }
  }
  return {
    agents: agents.length,
    checked,
    deferred: agents.length - checked,
    repaired: outcomes.repaired,
    unrepairable: outcomes.unrepairable,
    busy: outcomes.busy,
    released: outcomes.released,
    stillHeld: outcomes['still-held'],
    settled: outcomes.settled,
    failed: errors.length,
    errors,
  };
}

/** Runs `work` under the agent's lock; 'busy' when another worker holds it. */
async function underAgentLock(
  deps: ReconcileDeps,
  agentId: string,
  work: (
    lease: NonNullable<Awaited<ReturnType<AdherenceDeps['locks']['tryAcquire']>>>,
  ) => Promise<AgentOutcome>,
): Promise<AgentOutcome> {
  const lease = await deps.adherence.locks.tryAcquire(agentLockKey(agentId), AGENT_LEASE_SECONDS);
  if (!lease) return 'busy';
  try {
    return await work(lease);
  } finally {
    await lease.release();
  }
}

/**
 * Re-sends a push an event left unacknowledged (WEM's answer lost, or the write after it failed) before
 * comparing anything: until then neither our record nor the dashboard says what WEM was asked for.
 */
async function settlePending(deps: ReconcileDeps, agentId: string): Promise<AgentOutcome> {
  return underAgentLock(deps, agentId, async () => {
    const { pending } = await deps.adherence.store.read(agentId);
    if (!pending) return 'busy';
    await settlePendingPush(agentId, pending, deps.adherence);
    return 'settled';
  });
}

/** Retries the agent's latest held transition with today's matrix, exactly as its event would be processed. */
async function releaseHeld(deps: ReconcileDeps, held: HeldTransition): Promise<AgentOutcome> {
  return underAgentLock(deps, held.agentId, async (lease) => {
    const outcome = await applyTransition(
      { agentId: held.agentId, target: held.state, eventTime: held.eventTime, reasonCode: held.reasonCode },
      deps.adherence,
      lease,
    );
    return outcome.kind === 'held' ? 'still-held' : outcome.kind === 'stale' ? 'busy' : 'released';
  });
}

/** Checks one agent; repairs and reports drift. */
async function reconcileAgent(deps: ReconcileDeps, record: AgentRecord, now: number): Promise<AgentOutcome> {
  const shown = await deps.dashboard(record.agentId);
  if (shown.adherenceState === record.state) return 'in-step';
  const differingSince = Math.max(record.eventTime, Date.parse(shown.since ?? '') || 0);
  if (now - differingSince <= DRIFT_THRESHOLD_MS) return 'in-step';
  return underAgentLock(deps, record.agentId, async () => {
    const { acknowledged: current, pending } = await deps.adherence.store.read(record.agentId);
    if (pending) {
      // Recorded since the list was read: an event's push is in flight, or went unacknowledged just now.
      await settlePendingPush(record.agentId, pending, deps.adherence);
      return 'settled';
    }
    if (current?.state !== record.state || current.eventTime !== record.eventTime) return 'busy';
    const observed = (shown.adherenceState ?? undefined) as AdherenceState | undefined;
    const plan = planTransition(observed, record.state, deps.adherence.settings.transitions);
    const states = plan.kind === 'held' ? [] : plan.kind === 'none' ? [record.state] : plan.states;
    const scheduleType = states.length ? await deps.adherence.wem.scheduleType(record.agentId) : undefined;
    let repushStatus: number | undefined;
    let payloadHash: string | undefined;
    for (const [i, state] of states.entries()) {
      // Stamped when the acknowledged state began (bridges 1 ms apart before it): any real event after it is
      // later in WEM's timeline, whenever it is processed.
      const at = new Date(record.eventTime - (states.length - 1 - i)).toISOString();
      const event = {
        agentId: record.agentId,
        adherenceState: state,
        scheduleType: scheduleType!,
        startTime: at,
        endTime: at,
        reasonCode: deps.reasonCode,
      };
      payloadHash = createHash('sha256').update(JSON.stringify(event)).digest('hex');
      repushStatus = (
        await deps.adherence.wem.push(event, repairIdempotencyKeyOf(record.agentId, state, at, now))
      ).status;
    }
    await deps.events.publish({
      type: 'adherence.drift',
      detail: {
        agentId: record.agentId,
        expected: record.state,
        observed: shown.adherenceState,
        differingForMs: now - differingSince,
        ...(plan.kind === 'held'
          ? { repair: 'not pushed', repairReason: plan.reason }
          : { repair: plan.kind === 'bridged' ? 'bridged' : 'direct', repushStatus, payloadHash }),
        ...deps.diagnostics(),
        freshness: freshness(now - record.eventTime),
      },
    });
    return plan.kind === 'held' ? 'unrepairable' : 'repaired';
  });
}

export type ReconcileResult = Awaited<ReturnType<typeof reconcile>>;

/** Stop checking this long before the function's timeout: the last dashboard read may wait for the limiter. */
export const STOP_BEFORE_TIMEOUT_MS = 10_000;

/** The run's budget: until shortly before the invocation's own timeout. */
export function reconcileBudget(now: number, remainingMs: number, clock: () => number) {
  return { deadline: now + remainingMs - STOP_BEFORE_TIMEOUT_MS, clock };
}

/** The reason code a re-pushed state carries: what "no reason" maps to, or NONE. */
export function reconcileReasonCode(reasonCodeMap: Readonly<Record<string, string>>): string {
  const noReason = translateReasonCode(null, reasonCodeMap);
  return noReason.ok ? noReason.code : 'NONE';
}

/** What a run reports: always its counts; a warning for agents it could not check, and one for agents left for the next run. */
export function reconcileReport(result: ReconcileResult) {
  const { errors, ...counts } = result;
  const lines: { level: 'info' | 'warn'; message: string; detail: Record<string, unknown> }[] = [
    { level: 'info', message: 'adherence reconciled', detail: counts },
  ];
  if (result.failed)
    lines.push({
      level: 'warn',
      message: 'reconciliation could not check some agents',
      detail: { failed: result.failed, errors: errors.slice(0, 20) },
    });
  if (result.unrepairable)
    lines.push({
      level: 'warn',
      message: 'reconciliation found drift the transition matrix cannot repair',
      detail: { unrepairable: result.unrepairable },
    });
  if (result.deferred)
    lines.push({
      level: 'warn',
      message: 'reconciliation ran out of time: the least recently changed agents were not checked',
      detail: { deferred: result.deferred },
    });
  return lines;
}
