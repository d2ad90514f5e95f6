/**
 * NICE CXone WFM sandbox (spec 003): published shifts, agents with skills, bidding requests and their action
 * endpoint (APPROVE / REJECT with `Idempotency-Key` deduplicated for 24 h, 409 once a request is resolved, 423
 * while a schedule lock covers it), and the schedule locks. 50 requests per second (spec 000); the token
 * endpoint allows 10 per second (spec 003 edge case 3).
 */
import { z } from 'zod';
import { vendorByName } from '../../../shared/topology';
import { parseFixtures, removeByIds, upsertById } from '../core/fixtures';
import {
  badRequest,
  errorResponse,
  header,
  json,
  notFound,
  parseJsonObject,
  type SandboxRequest,
  type SandboxResponse,
} from '../core/http';
import { iso, isInstant } from '../core/time';
import { VendorSandbox, type CommonConfig, type VendorContext } from '../core/vendor-sandbox';
import { CXONE_SEED } from './seed';

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const localTime = z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'must be a local time hh:mm[:ss]');
const instant = z.string().refine(isInstant, 'must be an ISO 8601 timestamp with Z or an explicit offset');

const SkillSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  proficiency: z.number().optional(),
});
const AgentSchema = z.looseObject({
  id: z.string().min(1),
  siteId: z.string().min(1),
  name: z.string().optional(),
  skills: z.array(SkillSchema).default([]),
  roles: z.array(z.string()).default([]),
});
type Agent = z.output<typeof AgentSchema>;

export const SHIFT_STATUSES = ['published', 'draft', 'open'] as const;
const ShiftSchema = z.looseObject({
  id: z.string().min(1),
  siteId: z.string().min(1),
  agentId: z.string().min(1).nullable().default(null),
  date: localDate,
  startTime: localTime,
  endTime: localTime,
  status: z.enum(SHIFT_STATUSES).default('published'),
  queueId: z.string().optional(),
  requiredSkills: z.array(z.string()).default([]),
});
type Shift = z.output<typeof ShiftSchema>;

export const BID_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED'] as const;
type BidStatus = (typeof BID_STATUSES)[number];
const BiddingRequestSchema = z.looseObject({
  id: z.string().min(1),
  siteId: z.string().min(1),
  agent: z.looseObject({ id: z.string().min(1) }),
  shift: z.looseObject({ id: z.string().min(1), date: localDate, startTime: localTime, endTime: localTime }),
  bid: z.looseObject({ type: z.string().min(1) }),
  requestMetadata: z.record(z.string(), z.unknown()).default({}),
  status: z.enum(BID_STATUSES).default('PENDING'),
  resolution: z
    .object({
      action: z.string(),
      reason: z.string().nullable(),
      by: z.string(),
      at: z.string(),
      metadata: z.unknown().optional(),
    })
    .nullable()
    .default(null),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  expiresAt: instant.optional(),
});
type BiddingRequest = z.output<typeof BiddingRequestSchema>;

const LockSchema = z.looseObject({
  id: z.string().min(1),
  siteId: z.string().min(1),
  dateFrom: localDate.optional(),
  dateTo: localDate.optional(),
  operation: z.string().default('schedule.publish'),
  acquiredAt: z.string().optional(),
  expiresAt: instant.optional(),
});
type Lock = z.output<typeof LockSchema>;

const entities = z.array(z.record(z.string(), z.unknown())).optional();
const ids = z.array(z.string()).optional();
export const CxoneFixturesSchema = z
  .object({
    agents: entities,
    shifts: entities,
    /** Accepts the bidding webhook's `data` shape: `requestId` (or `id`), `siteId`, `agent`, `shift`, `bid`. */
    biddingRequests: entities,
    locks: entities,
    remove: z.object({ agents: ids, shifts: ids, biddingRequests: ids, locks: ids }).strict().optional(),
  })
  .strict();
export type CxoneFixtures = z.input<typeof CxoneFixturesSchema>;

const ActionSchema = z.object({
  action: z.enum(['APPROVE', 'REJECT']),
  reason: z.string().max(2000).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

interface StoredAction {
  fingerprint: string;
  storedAt: number;
  status: number;
  body: unknown;
}

const requestView = (r: BiddingRequest) => ({
  id: r.id,
  requestId: r.id,
  siteId: r.siteId,
  agent: r.agent,
  shift: r.shift,
  bid: { ...r.bid, status: r.status },
  requestMetadata: r.requestMetadata,
  status: r.status,
  resolution: r.resolution,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  ...(r.expiresAt && { expiresAt: r.expiresAt }),
});

export class CxoneSandbox extends VendorSandbox {
  private agents = new Map<string, Agent>();
  private shifts = new Map<string, Shift>();
  private biddingRequests = new Map<string, BiddingRequest>();
  private locks = new Map<string, Lock>();
  private actions = new Map<string, StoredAction>();
  private actionLog: { requestId: string; action: string; idempotencyKey: string | null; at: string }[] = [];
  private counters = CxoneSandbox.emptyCounters();
  private idempotencyWindowSeconds = 86_400;

  protected readonly vendorConfigShape = { idempotencyWindowSeconds: z.number().positive() };

  constructor(ctx: VendorContext) {
    super('cxone', ctx);
    this.route('GET', '/api/wfm/v2/schedule/shifts', (r) => this.queryShifts(r));
    this.route('GET', '/api/wfm/v2/schedule/locks', (r) => this.listLocks(r));
    this.route('GET', '/api/wfm/v2/agents', (r) => this.listAgents(r));
    this.route('GET', '/api/wfm/v2/agents/:agentId', (r) => {
      const agent = this.agents.get(r.params.agentId ?? '');
      return agent ? json(200, { ...agent }) : notFound(`Agent ${r.params.agentId} not found`);
    });
    this.route('GET', '/api/wfm/v2/bidding/requests', (r) => this.listRequests(r));
    this.route('GET', '/api/wfm/v2/bidding/requests/:requestId', (r) => {
      const request = this.biddingRequest(r.params.requestId ?? '');
      return request
        ? json(200, requestView(request))
        : notFound(`Bidding request ${r.params.requestId} not found`);
    });
    this.route('POST', '/api/wfm/v2/bidding/requests/:requestId/actions', (r) => this.act(r));
    this.reset();
  }

  private static emptyCounters() {
    return { actionsApplied: 0, idempotentReplays: 0, conflicts409: 0, locked423: 0, shiftQueries: 0 };
  }

  protected defaultConfig(): CommonConfig {
    return {
      tokenTtlSeconds: 3600,
      invalidatePreviousToken: false,
      refreshCollisionWindowMs: 0,
      requireAuth: true,
      rateLimits: {
        general: { ...vendorByName('cxone').rateLimit },
        oauth: { ratePerSecond: 10, burst: 10 },
      },
    };
  }

  protected applyVendorConfig(patch: Record<string, unknown>, reset: boolean): void {
    if (reset) this.idempotencyWindowSeconds = 86_400;
    const parsed = z.object(this.vendorConfigShape).partial().parse(patch);
    if (parsed.idempotencyWindowSeconds !== undefined)
      this.idempotencyWindowSeconds = parsed.idempotencyWindowSeconds;
  }

  protected vendorConfig(): Record<string, unknown> {
    return { idempotencyWindowSeconds: this.idempotencyWindowSeconds };
  }

  protected resetState(seed: boolean): void {
    for (const m of [this.agents, this.shifts, this.biddingRequests, this.locks, this.actions]) m.clear();
    this.actionLog = [];
    this.counters = CxoneSandbox.emptyCounters();
    if (seed) this.loadFixtures(CXONE_SEED);
  }

  loadFixtures(input: unknown): Record<string, unknown> {
    const f = parseFixtures(CxoneFixturesSchema, input);
    const now = iso(this.ctx.now());
    const loaded: Record<string, number> = {};
    const note = (k: string, n: number) => {
      if (n > 0) loaded[k] = n;
    };
    if (f.remove) {
      note('removedAgents', removeByIds(this.agents, f.remove.agents));
      note('removedShifts', removeByIds(this.shifts, f.remove.shifts));
      note('removedBiddingRequests', removeByIds(this.biddingRequests, f.remove.biddingRequests));
      note('removedLocks', removeByIds(this.locks, f.remove.locks));
    }
    note('agents', upsertById(this.agents, f.agents, AgentSchema, 'agents'));
    note('shifts', upsertById(this.shifts, f.shifts, ShiftSchema, 'shifts'));
    const requests = f.biddingRequests?.map((r) => {
      const { requestId, ...rest } = r;
      return { ...rest, id: (rest.id as string | undefined) ?? requestId };
    });
    note(
      'biddingRequests',
      upsertById(
        this.biddingRequests,
        requests,
        BiddingRequestSchema,
        'biddingRequests',
        (next, previous) => ({
          ...next,
          createdAt: next.createdAt ?? now,
          updatedAt: previous && previous.status === next.status ? next.updatedAt : now,
        }),
      ),
    );
    note(
      'locks',
      upsertById(this.locks, f.locks, LockSchema, 'locks', (next) => ({
        ...next,
        acquiredAt: next.acquiredAt ?? now,
      })),
    );
    return loaded;
  }

  state(): Record<string, unknown> {
    return {
      ...this.commonState(),
      agents: [...this.agents.values()],
      shifts: [...this.shifts.values()],
      biddingRequests: [...this.biddingRequests.keys()].map((id) => requestView(this.biddingRequest(id)!)),
      locks: [...this.locks.values()].map((l) => ({ ...l, active: this.isActive(l) })),
      actions: this.actionLog,
      idempotencyKeys: this.actions.size,
      counters: { ...this.counters },
    };
  }

  private queryShifts(r: SandboxRequest): SandboxResponse {
    const siteId = r.query.get('siteId');
    const dateFrom = r.query.get('dateFrom');
    const dateTo = r.query.get('dateTo');
    const status = r.query.get('status');
    if (!siteId) return badRequest('siteId is required', { field: 'siteId' });
    for (const [name, value] of [
      ['dateFrom', dateFrom],
      ['dateTo', dateTo],
    ] as const) {
      if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        return badRequest(`${name} is required as a date YYYY-MM-DD`, { field: name });
      }
    }
    if (dateTo! < dateFrom!) return badRequest('dateTo is before dateFrom');
    if (status !== null && !(SHIFT_STATUSES as readonly string[]).includes(status)) {
      return badRequest(`status must be one of ${SHIFT_STATUSES.join(', ')}`, { field: 'status' });
    }
    this.counters.shiftQueries += 1;
    const shifts = [...this.shifts.values()]
      .filter(
        (s) =>
          s.siteId === siteId &&
          s.date >= dateFrom! &&
          s.date <= dateTo! &&
          (status === null || s.status === status),
      )
      .sort((a, b) => a.date.localeCompare(b.date) || a.startTime.localeCompare(b.startTime));
    return json(200, { shifts });
  }

  private listLocks(r: SandboxRequest): SandboxResponse {
    const siteId = r.query.get('siteId');
    const locks = [...this.locks.values()].filter(
      (l) => this.isActive(l) && (!siteId || l.siteId === siteId),
    );
    return json(200, { locks });
  }

  private listAgents(r: SandboxRequest): SandboxResponse {
    const siteId = r.query.get('siteId');
    const skillId = r.query.get('skillId');
    const agents = [...this.agents.values()].filter(
      (a) => (!siteId || a.siteId === siteId) && (!skillId || a.skills.some((s) => s.id === skillId)),
    );
    return json(200, { agents });
  }

  private listRequests(r: SandboxRequest): SandboxResponse {
    const agentId = r.query.get('agentId');
    const siteId = r.query.get('siteId');
    const status = r.query.get('status');
    const updatedFrom = r.query.get('updatedFrom');
    const requests = [...this.biddingRequests.keys()]
      .map((id) => this.biddingRequest(id)!)
      .filter(
        (q) =>
          (!agentId || q.agent.id === agentId) &&
          (!siteId || q.siteId === siteId) &&
          (!status || q.status === status) &&
          (!updatedFrom || Date.parse(q.updatedAt ?? '') >= Date.parse(updatedFrom)),
      );
    return json(200, { requests: requests.map(requestView) });
  }

  private act(r: SandboxRequest): SandboxResponse {
    const requestId = r.params.requestId ?? '';
    const key = header(r.headers, 'idempotency-key') ?? null;
    const body = parseJsonObject(r);
    const parsed = ActionSchema.safeParse(body);
    const fingerprint = `${requestId}|${String(body.action)}`;
    const now = this.ctx.now();
    if (key !== null) {
      const stored = this.actions.get(key);
      if (stored && now - stored.storedAt < this.idempotencyWindowSeconds * 1000) {
        if (stored.fingerprint !== fingerprint) {
          return errorResponse(
            422,
            'idempotency.key.reused',
            'This Idempotency-Key was used for a different request within 24 hours',
          );
        }
        this.counters.idempotentReplays += 1;
        return json(stored.status, stored.body, { 'idempotent-replayed': 'true' });
      }
    }
    if (!parsed.success) {
      return badRequest('action must be APPROVE or REJECT; reason and metadata are optional', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      });
    }
    const request = this.biddingRequest(requestId);
    if (!request) return notFound(`Bidding request ${requestId} not found`);
    const lock = [...this.locks.values()].find((l) => this.isActive(l) && this.covers(l, request));
    if (lock) {
      this.counters.locked423 += 1;
      return errorResponse(
        423,
        'schedule.locked',
        `Site ${request.siteId} schedule is locked by ${lock.operation}`,
        {
          lock,
        },
      );
    }
    if (request.status !== 'PENDING') {
      this.counters.conflicts409 += 1;
      return errorResponse(409, 'conflict', `Bidding request ${requestId} is already ${request.status}`, {
        currentStatus: request.status,
        resolution: request.resolution,
      });
    }
    const at = iso(now);
    const action = parsed.data.action;
    const status: BidStatus = action === 'APPROVE' ? 'APPROVED' : 'REJECTED';
    const metadata = parsed.data.metadata;
    const approvedBy = typeof metadata?.approved_by === 'string' ? metadata.approved_by : 'api-client';
    this.biddingRequests.set(requestId, {
      ...request,
      status,
      resolution: { action, reason: parsed.data.reason ?? null, by: approvedBy, at, metadata },
      updatedAt: at,
    });
    if (status === 'APPROVED') {
      const shift = this.shifts.get(request.shift.id);
      if (shift) this.shifts.set(shift.id, { ...shift, agentId: request.agent.id });
    }
    this.counters.actionsApplied += 1;
    this.actionLog.push({ requestId, action, idempotencyKey: key, at });
    const responseBody = { requestId, action, status, processedAt: at };
    if (key !== null) this.actions.set(key, { fingerprint, storedAt: now, status: 200, body: responseBody });
    return json(200, responseBody);
  }

  /** A request past its `expiresAt` reads as EXPIRED. */
  private biddingRequest(id: string): BiddingRequest | undefined {
    const request = this.biddingRequests.get(id);
    if (
      request &&
      request.status === 'PENDING' &&
      request.expiresAt &&
      Date.parse(request.expiresAt) <= this.ctx.now()
    ) {
      const expired: BiddingRequest = { ...request, status: 'EXPIRED', updatedAt: request.expiresAt };
      this.biddingRequests.set(id, expired);
      return expired;
    }
    return request;
  }

  private isActive(lock: Lock): boolean {
    return !lock.expiresAt || Date.parse(lock.expiresAt) > this.ctx.now();
  }

  private covers(lock: Lock, request: BiddingRequest): boolean {
    if (lock.siteId !== request.siteId) return false;
    const date = request.shift.date;
    return (!lock.dateFrom || date >= lock.dateFrom) && (!lock.dateTo || date <= lock.dateTo);
  }
}
