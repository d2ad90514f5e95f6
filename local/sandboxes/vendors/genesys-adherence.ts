/**
 * Genesys Cloud WEM adherence ingestion as spec 002 describes its behaviour:
 * - required fields `agentId, adherenceState, scheduleType, startTime, endTime, reasonCode`; timestamps must carry
 *   `Z` or an explicit offset (400 `invalid.timestamp`, naming the field); `reasonCode` must be in the compliance
 *   policy (422 `reason.code.unmapped`);
 * - `X-Genesys-Idempotency-Key`: a repeated key gets the first (2xx) answer again and records nothing;
 * - an event overlapping an earlier event of the agent with a different state is accepted but invalid
 *   (`INVALID_OVERLAP`, never shown on the dashboard) — "processes the first event, marks subsequent events as
 *   invalid";
 * - an event crossing the agent's local midnight waits for the rollover job (`QUEUED_FOR_ROLLOVER`, applied after
 *   `rolloverDelaySeconds`); a transition the state matrix does not allow from the last applied state waits for
 *   the reconciliation queue (`QUEUED_FOR_RECONCILIATION`, after `reconciliationDelaySeconds`);
 * - the dashboard (`GET .../state`) shows the latest applied event, unless a fixture injected drift since;
 * - the answer's `processing-duration` header (ms): above 200 when WEM recalculates compliance (spec 002
 *   section 4: a payload mismatch, here a schedule type that is not the agent's, or a transition off its
 *   state machine), 40 otherwise. The spec names no header; this one carries the spec's own term.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ADHERENCE_STATES } from '../../../shared/config/workflows/adherence-sync';
import {
  errorResponse,
  header,
  json,
  parseJsonObject,
  RequestRejected,
  type SandboxRequest,
} from '../core/http';
import { iso, isValidTimeZone, nextLocalMidnight, overlaps, requireInstant } from '../core/time';

export type AdherenceState = (typeof ADHERENCE_STATES)[number];
export type ProcessingStatus =
  'APPLIED' | 'QUEUED_FOR_ROLLOVER' | 'QUEUED_FOR_RECONCILIATION' | 'INVALID_OVERLAP';

export interface AdherenceSettings {
  complianceReasonCodes: Set<string>;
  transitions: Record<string, readonly string[]>;
  enforceTransitions: boolean;
  rolloverDelaySeconds: number;
  reconciliationDelaySeconds: number;
  defaultSchedule: { scheduleType: string; timezone: string };
}

export interface AdherenceEventRecord {
  id: string;
  idempotencyKey: string | null;
  agentId: string;
  adherenceState: AdherenceState;
  scheduleType: string;
  startTime: string;
  endTime: string;
  reasonCode: string;
  receivedAt: string;
  processingStatus: ProcessingStatus;
  crossesMidnight: boolean;
  /** Local midnight the event crosses, when it does. */
  midnight?: string;
  overlapsEventId?: string;
  scheduleTypeMismatch: boolean;
  transitionFrom?: AdherenceState;
  applyAt?: string;
  appliedAt?: string;
}

export interface DashboardState {
  agentId: string;
  adherenceState: AdherenceState | null;
  since: string | null;
  scheduleType: string;
  reasonCode: string | null;
  eventId: string | null;
  /** `event` when an applied event set it, `fixture` when drift was injected. */
  source: 'event' | 'fixture' | 'none';
  updatedAt: string | null;
}

const COUNT_KEYS = [
  'received',
  'accepted',
  'applied',
  'duplicates',
  'overlaps',
  'crossingMidnight',
  'deviations',
  'unmappedReasonCodes',
  'invalid',
  'scheduleTypeMismatches',
  'missingIdempotencyKey',
] as const;
export type AdherenceCounts = Record<(typeof COUNT_KEYS)[number], number>;
const emptyCounts = (): AdherenceCounts =>
  Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as AdherenceCounts;

interface AgentRecord {
  agentId: string;
  timezone?: string;
  scheduleType?: string;
  events: AdherenceEventRecord[];
  lastApplied?: { state: AdherenceState; startMs: number; eventId: string };
  dashboard?: Omit<DashboardState, 'scheduleType'>;
  counts: AdherenceCounts;
}

export const AdherenceAgentFixture = z.looseObject({
  id: z.string().min(1),
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone').optional(),
  scheduleType: z.string().min(1).optional(),
});
export const AdherenceStateFixture = z.object({
  agentId: z.string().min(1),
  adherenceState: z.enum(ADHERENCE_STATES),
  since: z.string().optional(),
  reasonCode: z.string().nullable().optional(),
});

/** Spec 002: a compliance recalculation adds 150-400 ms; above 200 ms is the signal. */
export const RECALCULATION_MS = 350;
export const PLAIN_PROCESSING_MS = 40;

function processingDurationMs(event: AdherenceEventRecord): number {
  const recalculated = event.scheduleTypeMismatch || event.processingStatus === 'QUEUED_FOR_RECONCILIATION';
  return recalculated ? RECALCULATION_MS : PLAIN_PROCESSING_MS;
}

const REQUIRED = ['agentId', 'adherenceState', 'scheduleType', 'startTime', 'endTime', 'reasonCode'] as const;

export class AdherenceLedger {
  private agents = new Map<string, AgentRecord>();
  private responses = new Map<string, { agentId: string; status: number; body: unknown }>();
  private totals = emptyCounts();

  constructor(
    private readonly now: () => number,
    private readonly settings: () => AdherenceSettings,
  ) {}

  reset(): void {
    this.agents.clear();
    this.responses.clear();
    this.totals = emptyCounts();
  }

  upsertAgent(fixture: z.output<typeof AdherenceAgentFixture>): void {
    const agent = this.agent(fixture.id);
    if (fixture.timezone !== undefined) agent.timezone = fixture.timezone;
    if (fixture.scheduleType !== undefined) agent.scheduleType = fixture.scheduleType;
  }

  removeAgent(agentId: string): void {
    this.agents.delete(agentId);
  }

  /** Drift: what the dashboard shows changes, the recorded events do not. */
  injectDashboardState(fixture: z.output<typeof AdherenceStateFixture>): void {
    const agent = this.agent(fixture.agentId);
    const now = this.now();
    agent.dashboard = {
      agentId: fixture.agentId,
      adherenceState: fixture.adherenceState,
      since: fixture.since ?? iso(now),
      reasonCode: fixture.reasonCode ?? null,
      eventId: null,
      source: 'fixture',
      updatedAt: iso(now),
    };
  }

  post(req: SandboxRequest): ReturnType<typeof json> {
    const pathAgentId = req.params.agentId ?? '';
    const key = header(req.headers, 'x-genesys-idempotency-key') ?? null;
    const agent = this.agent(pathAgentId);
    this.count(agent, 'received');
    if (key !== null) {
      const previous = this.responses.get(key);
      if (previous) {
        this.count(this.agent(previous.agentId), 'duplicates');
        return json(previous.status, previous.body, { 'idempotent-replayed': 'true' });
      }
    } else {
      this.count(agent, 'missingIdempotencyKey');
    }

    let event: AdherenceEventRecord;
    try {
      event = this.validate(req, pathAgentId, key);
    } catch (err) {
      if (err instanceof RequestRejected) {
        this.count(agent, err.response.status === 422 ? 'unmappedReasonCodes' : 'invalid');
      }
      throw err;
    }
    this.promoteDue(agent);
    this.classify(agent, event);
    agent.events.push(event);
    this.count(agent, 'accepted');
    if (event.processingStatus === 'APPLIED') this.apply(agent, event);

    const body = { ...event };
    delete body.applyAt;
    delete body.appliedAt;
    if (key !== null) this.responses.set(key, { agentId: agent.agentId, status: 201, body });
    return json(201, body, { 'processing-duration': String(processingDurationMs(event)) });
  }

  dashboard(agentId: string): DashboardState {
    const agent = this.agents.get(agentId);
    if (agent) this.promoteDue(agent);
    const scheduleType = agent?.scheduleType ?? this.settings().defaultSchedule.scheduleType;
    return {
      ...(agent?.dashboard ?? {
        agentId,
        adherenceState: null,
        since: null,
        reasonCode: null,
        eventId: null,
        source: 'none' as const,
        updatedAt: null,
      }),
      scheduleType,
    };
  }

  schedule(agentId: string): { agentId: string; scheduleType: string; timezone: string } {
    const agent = this.agents.get(agentId);
    const defaults = this.settings().defaultSchedule;
    return {
      agentId,
      scheduleType: agent?.scheduleType ?? defaults.scheduleType,
      timezone: agent?.timezone ?? defaults.timezone,
    };
  }

  snapshot(): Record<string, unknown> {
    const agents: Record<string, unknown> = {};
    for (const agent of this.agents.values()) {
      this.promoteDue(agent);
      agents[agent.agentId] = {
        agentId: agent.agentId,
        timezone: agent.timezone ?? this.settings().defaultSchedule.timezone,
        scheduleType: agent.scheduleType ?? this.settings().defaultSchedule.scheduleType,
        dashboard: this.dashboard(agent.agentId),
        lastAppliedState: agent.lastApplied?.state ?? null,
        counts: { ...agent.counts },
        events: agent.events.map((e) => ({ ...e })),
      };
    }
    return {
      complianceReasonCodes: [...this.settings().complianceReasonCodes].sort(),
      totals: { ...this.totals, agents: this.agents.size, idempotencyKeys: this.responses.size },
      agents,
    };
  }

  private validate(req: SandboxRequest, pathAgentId: string, key: string | null): AdherenceEventRecord {
    const body = parseJsonObject(req);
    const missing = REQUIRED.filter((f) => body[f] === undefined || body[f] === null || body[f] === '');
    if (missing.length > 0) {
      throw new RequestRejected(
        errorResponse(400, 'bad.request', `Missing required field(s): ${missing.join(', ')}`, { missing }),
      );
    }
    for (const f of ['agentId', 'scheduleType', 'reasonCode'] as const) {
      if (typeof body[f] !== 'string')
        throw new RequestRejected(errorResponse(400, 'bad.request', `${f} must be a string`));
    }
    if (body.agentId !== pathAgentId) {
      throw new RequestRejected(
        errorResponse(
          400,
          'bad.request',
          `agentId in the body (${String(body.agentId)}) differs from the path`,
        ),
      );
    }
    if (!(ADHERENCE_STATES as readonly unknown[]).includes(body.adherenceState)) {
      throw new RequestRejected(
        errorResponse(400, 'bad.request', `adherenceState must be one of ${ADHERENCE_STATES.join(', ')}`, {
          field: 'adherenceState',
        }),
      );
    }
    const startMs = requireInstant(body.startTime, 'startTime', 'invalid.timestamp');
    const endMs = requireInstant(body.endTime, 'endTime', 'invalid.timestamp');
    if (endMs < startMs) {
      throw new RequestRejected(errorResponse(400, 'bad.request', 'endTime is before startTime'));
    }
    const reasonCode = body.reasonCode as string;
    if (!this.settings().complianceReasonCodes.has(reasonCode)) {
      throw new RequestRejected(
        errorResponse(
          422,
          'reason.code.unmapped',
          `reasonCode "${reasonCode}" is not in the WEM compliance policy`,
          {
            field: 'reasonCode',
          },
        ),
      );
    }
    return {
      id: `adherence-event-${randomUUID()}`,
      idempotencyKey: key,
      agentId: pathAgentId,
      adherenceState: body.adherenceState as AdherenceState,
      scheduleType: body.scheduleType as string,
      startTime: iso(startMs),
      endTime: iso(endMs),
      reasonCode,
      receivedAt: iso(this.now()),
      processingStatus: 'APPLIED',
      crossesMidnight: false,
      scheduleTypeMismatch: false,
    };
  }

  private classify(agent: AgentRecord, event: AdherenceEventRecord): void {
    const settings = this.settings();
    const startMs = Date.parse(event.startTime);
    const endMs = Date.parse(event.endTime);
    const timezone = agent.timezone ?? settings.defaultSchedule.timezone;
    const scheduleType = agent.scheduleType ?? settings.defaultSchedule.scheduleType;
    if (event.scheduleType !== scheduleType) {
      event.scheduleTypeMismatch = true;
      this.count(agent, 'scheduleTypeMismatches');
    }
    const conflicting = agent.events.find(
      (e) =>
        e.processingStatus !== 'INVALID_OVERLAP' &&
        e.adherenceState !== event.adherenceState &&
        overlaps(startMs, endMs, Date.parse(e.startTime), Date.parse(e.endTime)),
    );
    if (conflicting) {
      event.processingStatus = 'INVALID_OVERLAP';
      event.overlapsEventId = conflicting.id;
      this.count(agent, 'overlaps');
      return;
    }
    const midnight = nextLocalMidnight(startMs, timezone);
    if (endMs > midnight) {
      event.crossesMidnight = true;
      event.midnight = iso(midnight);
      this.count(agent, 'crossingMidnight');
      event.processingStatus = 'QUEUED_FOR_ROLLOVER';
      event.applyAt = iso(this.now() + settings.rolloverDelaySeconds * 1000);
      return;
    }
    const from = agent.lastApplied?.state;
    if (
      settings.enforceTransitions &&
      from !== undefined &&
      from !== event.adherenceState &&
      !(settings.transitions[from] ?? []).includes(event.adherenceState)
    ) {
      event.transitionFrom = from;
      event.processingStatus = 'QUEUED_FOR_RECONCILIATION';
      event.applyAt = iso(this.now() + settings.reconciliationDelaySeconds * 1000);
      this.count(agent, 'deviations');
    }
  }

  /** Queued events whose delay has passed are applied, oldest first. */
  private promoteDue(agent: AgentRecord): void {
    const now = this.now();
    const due = agent.events
      .filter((e) => e.applyAt !== undefined && e.appliedAt === undefined && Date.parse(e.applyAt) <= now)
      .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
    for (const event of due) this.apply(agent, event);
  }

  private apply(agent: AgentRecord, event: AdherenceEventRecord): void {
    const startMs = Date.parse(event.startTime);
    event.appliedAt = iso(this.now());
    this.count(agent, 'applied');
    if (agent.lastApplied && startMs < agent.lastApplied.startMs) return;
    agent.lastApplied = { state: event.adherenceState, startMs, eventId: event.id };
    agent.dashboard = {
      agentId: agent.agentId,
      adherenceState: event.adherenceState,
      since: event.startTime,
      reasonCode: event.reasonCode,
      eventId: event.id,
      source: 'event',
      updatedAt: iso(this.now()),
    };
  }

  private agent(agentId: string): AgentRecord {
    let agent = this.agents.get(agentId);
    if (!agent) {
      agent = { agentId, events: [], counts: emptyCounts() };
      this.agents.set(agentId, agent);
    }
    return agent;
  }

  private count(agent: AgentRecord, key: keyof AdherenceCounts): void {
    agent.counts[key] += 1;
    this.totals[key] += 1;
  }
}
