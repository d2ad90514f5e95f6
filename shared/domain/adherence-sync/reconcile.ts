/**
 * Spec 002 section 4: a 2xx only means WEM accepted an event, not that its dashboard shows it. Every minute,
 * compare each agent's last acknowledged state with the dashboard; where they have differed for more than
 * 30 s, push the acknowledged state again and emit `adherence.drift` with what a diagnosis needs.
 */
import { createHash } from 'node:crypto';
import type { DomainEventPublisher } from '../../ports/platform';
import type { AgentRecord, GenesysWem } from './ports';
import { idempotencyKeyOf } from './process-agent-state';
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
  readonly agents: () => Promise<AgentRecord[]>;
  readonly dashboard: (agentId: string) => Promise<DashboardState>;
  readonly wem: GenesysWem;
  readonly events: DomainEventPublisher;
  /** For the drift diagnosis: when the OAuth token was last refreshed and the last rate-limit headers seen. */
  readonly diagnostics: () => {
    lastTokenRefreshAt?: string;
    lastRateLimitHeaders: Readonly<Record<string, string>>;
  };
  readonly reasonCode: string;
}

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
  const agents = (await deps.agents()).sort((a, b) => b.eventTime - a.eventTime);
  let repaired = 0;
  let checked = 0;
  const errors: { agentId: string; error: string }[] = [];
  for (const record of agents) {
    if (budget && budget.clock() >= budget.deadline) break;
    checked++;
    try {
      if (await reconcileAgent(deps, record, now)) repaired++;
    } catch (err) {
      // One agent's failed read or repair must not cost the others their check: count it, report it, go on.
      errors.push({ agentId: record.agentId, error: (err as Error).message ?? String(err) });
    }
  }
  return {
    agents: agents.length,
    checked,
    deferred: agents.length - checked,
    repaired,
    failed: errors.length,
    errors,
  };
}

/** Checks one agent; repairs and reports drift. True when it repaired. */
async function reconcileAgent(deps: ReconcileDeps, record: AgentRecord, now: number): Promise<boolean> {
  const shown = await deps.dashboard(record.agentId);
  if (shown.adherenceState === record.state) return false;
  const differingSince = Math.max(record.eventTime, Date.parse(shown.since ?? '') || 0);
  if (now - differingSince <= DRIFT_THRESHOLD_MS) return false;
  const at = new Date(now).toISOString();
  const event = {
    agentId: record.agentId,
    adherenceState: record.state,
    scheduleType: await deps.wem.scheduleType(record.agentId),
    startTime: at,
    endTime: at,
    reasonCode: deps.reasonCode,
  };
  const payloadHash = createHash('sha256').update(JSON.stringify(event)).digest('hex');
  const result = await deps.wem.push(event, idempotencyKeyOf(record.agentId, record.state, at));
  await deps.events.publish({
    type: 'adherence.drift',
    detail: {
      agentId: record.agentId,
      expected: record.state,
      observed: shown.adherenceState,
      differingForMs: now - differingSince,
      repushStatus: result.status,
      payloadHash,
      ...deps.diagnostics(),
      freshness: freshness(now - record.eventTime),
    },
  });
  return true;
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
  if (result.deferred)
    lines.push({
      level: 'warn',
      message: 'reconciliation ran out of time: the least recently changed agents were not checked',
      detail: { deferred: result.deferred },
    });
  return lines;
}
