/**
 * NICE CXone WFM sandbox (spec 003): sites with their IANA time zone, queues with their minimum staffing,
 * published shifts, agents with skills, bidding requests and their action endpoint (APPROVE / REJECT with
 * `Idempotency-Key` deduplicated for 24 h, 409 once a request is resolved, 423 while a schedule lock covers it),
 * and the schedule locks. Lists are paginated by cursor. `asyncActions` makes an action answer 202 (accepted,
 * still pending) the way real CXone may, settling later. 50 requests per second (spec 000); the token endpoint
 * allows 10 per second (spec 003 edge case 3).
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
  RequestRejected,
  type SandboxRequest,
  type SandboxResponse,
} from '../core/http';
import { iso, isInstant, isValidTimeZone } from '../core/time';
import { localClientId, type SandboxClient } from '../core/oauth';
import { VendorSandbox, type CommonConfig, type VendorContext } from '../core/vendor-sandbox';
import { CXONE_SEED } from './seed';

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const localTime = z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'must be a local time hh:mm[:ss]');
const instant = z.string().refine(isInstant, 'must be an ISO 8601 timestamp with Z or an explicit offset');

const SiteSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. America/New_York'),
});
type Site = z.output<typeof SiteSchema>;

const QueueSchema = z.looseObject({
  id: z.string().min(1),
  siteId: z.string().min(1),
  name: z.string().optional(),
  /** Agents the queue needs on shift in every interval. */
  minimumStaffing: z.number().int().nonnegative(),
});
type Queue = z.output<typeof QueueSchema>;

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
    sites: entities,
    queues: entities,
    agents: entities,
    shifts: entities,
    /** Accepts the bidding webhook's `data` shape: `requestId` (or `id`), `siteId`, `agent`, `shift`, `bid`. */
    biddingRequests: entities,
    locks: entities,
    /** Settles actions answered 202 now, as requested or with the status given (CXone's own rules decided). */
    settleActions: z
      .array(z.object({ requestId: z.string().min(1), status: z.enum(['APPROVED', 'REJECTED']).optional() }))
      .optional(),
    remove: z
      .object({ sites: ids, queues: ids, agents: ids, shifts: ids, biddingRequests: ids, locks: ids })
      .strict()
      .optional(),
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

/** An action answered 202: the request stays PENDING until it settles. */
interface ActionInProgress {
  action: 'APPROVE' | 'REJECT';
  reason: string | null;
  metadata: Record<string, unknown> | undefined;
  acceptedAt: number;
  idempotencyKey: string | null;
}

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_ACTION_SETTLE_MS = 1000;

/** A cursor is the sort key of the last item of the page, opaque to clients. */
const encodeCursor = (key: readonly string[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
function decodeCursor(cursor: string): string[] | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.every((k) => typeof k === 'string') ? key : undefined;
  } catch {
    return undefined;
  }
}
const compareKeys = (a: readonly string[], b: readonly string[]) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = (a[i] ?? '').localeCompare(b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
};
/** Instants sort as numbers whatever their ISO spelling (`Z`, offset, milliseconds or not). */
const instantKey = (at: string | undefined) => String(Date.parse(at ?? '') || 0).padStart(16, '0');

const requestView = (r: BiddingRequest, inProgress?: ActionInProgress) => ({
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
  ...(inProgress && {
    actionInProgress: { action: inProgress.action, acceptedAt: iso(inProgress.acceptedAt) },
  }),
});

// OAuth scopes. Spec 003 names the client's; which endpoint each one opens is this sandbox's reading of them (a write
// scope also reads). Its own list, not the topology's, so a client asking a scope never granted is caught.
const SITE_READ = 'wfm:site:read';
const SCHEDULE_READ = 'wfm:schedule:read';
const AGENT_READ = 'wfm:agent:read';
const BIDDING_READ = 'wfm:bidding:read';
const BIDDING_WRITE = 'wfm:bidding:write';

/** The tenant's OAuth clients (docs/decisions/0013-oauth-client-per-workflow.md). */
export const CXONE_CLIENTS: readonly SandboxClient[] = [
  // Spec 003, Prerequisites.
  { clientId: localClientId('shift-bids'), scopes: [BIDDING_WRITE, SCHEDULE_READ, AGENT_READ, SITE_READ] },
];

export class CxoneSandbox extends VendorSandbox {
  private sites = new Map<string, Site>();
  private queues = new Map<string, Queue>();
  private agents = new Map<string, Agent>();
  private shifts = new Map<string, Shift>();
  private biddingRequests = new Map<string, BiddingRequest>();
  private locks = new Map<string, Lock>();
  private actions = new Map<string, StoredAction>();
  private inProgress = new Map<string, ActionInProgress>();
  private actionLog: {
    requestId: string;
    action: string;
    idempotencyKey: string | null;
    at: string;
    /** 200: resolved at once; 202: accepted, settled later. */
    answered: number;
  }[] = [];
  private counters = CxoneSandbox.emptyCounters();
  private idempotencyWindowSeconds = 86_400;
  private pageSize = DEFAULT_PAGE_SIZE;
  private asyncActions = false;
  private actionSettleMs = DEFAULT_ACTION_SETTLE_MS;

  protected readonly vendorConfigShape = {
    idempotencyWindowSeconds: z.number().positive(),
    /** Largest page of a list (and the page size when the client asks none). */
    pageSize: z.number().int().min(1).max(1000),
    /** Actions answer 202 (accepted, still PENDING) and settle `actionSettleMs` later, on the next read. */
    asyncActions: z.boolean(),
    actionSettleMs: z.number().int().nonnegative(),
  };

  constructor(ctx: VendorContext) {
    super('cxone', ctx, CXONE_CLIENTS);
    const site = { scopes: [SITE_READ] };
    const schedule = { scopes: [SCHEDULE_READ] };
    const agent = { scopes: [AGENT_READ] };
    const biddingRead = { scopes: [BIDDING_READ, BIDDING_WRITE] };
    this.route('GET', '/api/wfm/v2/sites', () => json(200, { sites: [...this.sites.values()] }), site);
    this.route(
      'GET',
      '/api/wfm/v2/sites/:siteId',
      (r) => {
        const found = this.sites.get(r.params.siteId ?? '');
        return found ? json(200, { ...found }) : notFound(`Site ${r.params.siteId} not found`);
      },
      site,
    );
    this.route(
      'GET',
      '/api/wfm/v2/queues',
      (r) => {
        const siteId = r.query.get('siteId');
        return json(200, { queues: [...this.queues.values()].filter((q) => !siteId || q.siteId === siteId) });
      },
      site,
    );
    this.route(
      'GET',
      '/api/wfm/v2/queues/:queueId',
      (r) => {
        const queue = this.queues.get(r.params.queueId ?? '');
        return queue ? json(200, { ...queue }) : notFound(`Queue ${r.params.queueId} not found`);
      },
      site,
    );
    this.route('GET', '/api/wfm/v2/schedule/shifts', (r) => this.queryShifts(r), schedule);
    this.route('GET', '/api/wfm/v2/schedule/locks', (r) => this.listLocks(r), schedule);
    this.route('GET', '/api/wfm/v2/agents', (r) => this.listAgents(r), agent);
    this.route(
      'GET',
      '/api/wfm/v2/agents/:agentId',
      (r) => {
        const found = this.agents.get(r.params.agentId ?? '');
        return found ? json(200, { ...found }) : notFound(`Agent ${r.params.agentId} not found`);
      },
      agent,
    );
    this.route('GET', '/api/wfm/v2/bidding/requests', (r) => this.listRequests(r), biddingRead);
    this.route(
      'GET',
      '/api/wfm/v2/bidding/requests/:requestId',
      (r) => {
        const request = this.biddingRequest(r.params.requestId ?? '');
        return request
          ? json(200, requestView(request, this.inProgress.get(request.id)))
          : notFound(`Bidding request ${r.params.requestId} not found`);
      },
      biddingRead,
    );
    this.route('POST', '/api/wfm/v2/bidding/requests/:requestId/actions', (r) => this.act(r), {
      scopes: [BIDDING_WRITE],
    });
    this.reset();
  }

  /** Spec 003 section 3: CXone answers 401 "for scope issues", not 403. */
  protected override scopeRefused(required: readonly string[]): SandboxResponse {
    const message = `The token lacks every scope this call needs (${required.join(' or ')})`;
    return errorResponse(
      401,
      'insufficient_scope',
      message,
      { requiredScopes: required },
      { 'www-authenticate': `Bearer error="insufficient_scope", scope="${required.join(' ')}"` },
    );
  }

  private static emptyCounters() {
    return {
      actionsApplied: 0,
      actionsAccepted202: 0,
      idempotentReplays: 0,
      conflicts409: 0,
      locked423: 0,
      shiftQueries: 0,
    };
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
    if (reset) {
      this.idempotencyWindowSeconds = 86_400;
      this.pageSize = DEFAULT_PAGE_SIZE;
      this.asyncActions = false;
      this.actionSettleMs = DEFAULT_ACTION_SETTLE_MS;
    }
    const parsed = z.object(this.vendorConfigShape).partial().parse(patch);
    if (parsed.idempotencyWindowSeconds !== undefined)
      this.idempotencyWindowSeconds = parsed.idempotencyWindowSeconds;
    if (parsed.pageSize !== undefined) this.pageSize = parsed.pageSize;
    if (parsed.asyncActions !== undefined) this.asyncActions = parsed.asyncActions;
    if (parsed.actionSettleMs !== undefined) this.actionSettleMs = parsed.actionSettleMs;
  }

  protected vendorConfig(): Record<string, unknown> {
    return {
      idempotencyWindowSeconds: this.idempotencyWindowSeconds,
      pageSize: this.pageSize,
      asyncActions: this.asyncActions,
      actionSettleMs: this.actionSettleMs,
    };
  }

  protected resetState(seed: boolean): void {
    for (const m of [
      this.sites,
      this.queues,
      this.agents,
      this.shifts,
      this.biddingRequests,
      this.locks,
      this.actions,
      this.inProgress,
    ])
      m.clear();
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
      note('removedSites', removeByIds(this.sites, f.remove.sites));
      note('removedQueues', removeByIds(this.queues, f.remove.queues));
      note('removedAgents', removeByIds(this.agents, f.remove.agents));
      note('removedShifts', removeByIds(this.shifts, f.remove.shifts));
      note('removedBiddingRequests', removeByIds(this.biddingRequests, f.remove.biddingRequests));
      note('removedLocks', removeByIds(this.locks, f.remove.locks));
    }
    note('sites', upsertById(this.sites, f.sites, SiteSchema, 'sites'));
    note('queues', upsertById(this.queues, f.queues, QueueSchema, 'queues'));
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
    if (f.settleActions) {
      const missing = f.settleActions.filter((s) => !this.inProgress.has(s.requestId));
      if (missing.length > 0) {
        throw new RequestRejected(
          badRequest(`No action in progress for ${missing.map((s) => s.requestId).join(', ')}`),
        );
      }
      for (const s of f.settleActions) this.settle(s.requestId, s.status);
      note('settledActions', f.settleActions.length);
    }
    return loaded;
  }

  state(): Record<string, unknown> {
    return {
      ...this.commonState(),
      sites: [...this.sites.values()],
      queues: [...this.queues.values()],
      agents: [...this.agents.values()],
      shifts: [...this.shifts.values()],
      biddingRequests: [...this.biddingRequests.keys()].map((id) => {
        const request = this.biddingRequest(id)!;
        return requestView(request, this.inProgress.get(id));
      }),
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
    const shifts = [...this.shifts.values()].filter(
      (s) =>
        s.siteId === siteId &&
        s.date >= dateFrom! &&
        s.date <= dateTo! &&
        (status === null || s.status === status),
    );
    const page = this.page(r, shifts, (s) => [s.date, s.startTime, s.id]);
    if ('error' in page) return page.error;
    this.counters.shiftQueries += 1;
    return json(200, { shifts: page.items, ...page.links });
  }

  /**
   * Cursor pagination, the same for every list: `limit` (at most `pageSize`, which is also the default) and the
   * `cursor` of the previous page's `nextCursor`; the last page has none. Items are in sort-key order and a
   * cursor names the last key seen, so items added or changed between pages are neither repeated nor skipped
   * unless their key moved past the cursor.
   */
  private page<T>(
    r: SandboxRequest,
    items: readonly T[],
    sortKey: (item: T) => string[],
  ): { items: T[]; links: { nextCursor?: string } } | { error: SandboxResponse } {
    const rawLimit = r.query.get('limit');
    const limit = rawLimit === null ? this.pageSize : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1) {
      return { error: badRequest('limit must be an integer >= 1', { field: 'limit' }) };
    }
    const rawCursor = r.query.get('cursor');
    const after = rawCursor === null || rawCursor === '' ? undefined : decodeCursor(rawCursor);
    if (rawCursor && !after)
      return { error: badRequest('cursor is not one this API issued', { field: 'cursor' }) };
    const keyed = items
      .map((item) => ({ item, key: sortKey(item) }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .filter((k) => !after || compareKeys(k.key, after) > 0);
    const taken = keyed.slice(0, Math.min(limit, this.pageSize));
    const last = taken.at(-1);
    return {
      items: taken.map((k) => k.item),
      links: keyed.length > taken.length && last ? { nextCursor: encodeCursor(last.key) } : {},
    };
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
    if (updatedFrom !== null && !isInstant(updatedFrom)) {
      return badRequest('updatedFrom must be an ISO 8601 timestamp with Z or an explicit offset', {
        field: 'updatedFrom',
      });
    }
    const requests = [...this.biddingRequests.keys()]
      .map((id) => this.biddingRequest(id)!)
      .filter(
        (q) =>
          (!agentId || q.agent.id === agentId) &&
          (!siteId || q.siteId === siteId) &&
          (!status || q.status === status) &&
          (!updatedFrom || Date.parse(q.updatedAt ?? '') >= Date.parse(updatedFrom)),
      );
    // Oldest change first, so a sweep can move its watermark to the last one it saw.
    const page = this.page(r, requests, (q) => [instantKey(q.updatedAt), q.id]);
    if ('error' in page) return page.error;
    return json(200, {
      requests: page.items.map((q) => requestView(q, this.inProgress.get(q.id))),
      ...page.links,
    });
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
    const inProgress = this.inProgress.get(requestId);
    if (inProgress) {
      this.counters.conflicts409 += 1;
      return errorResponse(
        409,
        'conflict',
        `Bidding request ${requestId} has an action in progress (${inProgress.action}, accepted at ${iso(inProgress.acceptedAt)})`,
        {
          currentStatus: request.status,
          resolution: null,
          actionInProgress: { action: inProgress.action, acceptedAt: iso(inProgress.acceptedAt) },
        },
      );
    }
    const action = parsed.data.action;
    // Spec 003 edge case 1: CXone awards a shift first come, first served; a second approval is a 409.
    const rival =
      action === 'APPROVE'
        ? [...this.biddingRequests.values()].find(
            (q) =>
              q.id !== requestId &&
              q.shift.id === request.shift.id &&
              q.shift.date === request.shift.date &&
              (q.status === 'APPROVED' || this.inProgress.get(q.id)?.action === 'APPROVE'),
          )
        : undefined;
    if (rival) {
      this.counters.conflicts409 += 1;
      return errorResponse(
        409,
        'conflict',
        `Shift ${request.shift.id} on ${request.shift.date} was already awarded to bidding request ${rival.id}`,
        { currentStatus: request.status, resolution: null, conflictingRequestId: rival.id },
      );
    }
    const reason = parsed.data.reason ?? null;
    const metadata = parsed.data.metadata;
    this.actionLog.push({
      requestId,
      action,
      idempotencyKey: key,
      at: iso(now),
      answered: this.asyncActions ? 202 : 200,
    });
    let answer: { status: number; body: unknown };
    if (this.asyncActions) {
      this.inProgress.set(requestId, { action, reason, metadata, acceptedAt: now, idempotencyKey: key });
      this.counters.actionsAccepted202 += 1;
      answer = {
        status: 202,
        body: { requestId, action, status: 'PENDING', accepted: true, acceptedAt: iso(now) },
      };
    } else {
      const status = this.resolve(request, action, reason, metadata, now);
      answer = { status: 200, body: { requestId, action, status, processedAt: iso(now) } };
    }
    if (key !== null) this.actions.set(key, { fingerprint, storedAt: now, ...answer });
    return json(answer.status, answer.body);
  }

  /** Applies an action to a pending request: its status and resolution, and an approved bid's shift. */
  private resolve(
    request: BiddingRequest,
    action: 'APPROVE' | 'REJECT',
    reason: string | null,
    metadata: Record<string, unknown> | undefined,
    atMs: number,
    status: 'APPROVED' | 'REJECTED' = action === 'APPROVE' ? 'APPROVED' : 'REJECTED',
  ): BidStatus {
    const at = iso(atMs);
    const approvedBy = typeof metadata?.approved_by === 'string' ? metadata.approved_by : 'api-client';
    this.biddingRequests.set(request.id, {
      ...request,
      status,
      resolution: { action, reason, by: approvedBy, at, metadata },
      updatedAt: at,
    });
    if (status === 'APPROVED') {
      const shift = this.shifts.get(request.shift.id);
      if (shift) this.shifts.set(shift.id, { ...shift, agentId: request.agent.id });
    }
    this.counters.actionsApplied += 1;
    return status;
  }

  /**
   * Settles an action answered 202: as requested, or with `status` (CXone's own approval rules decided
   * otherwise). A request resolved meanwhile (a supervisor, expiry) keeps its state; the action is dropped.
   */
  private settle(requestId: string, status?: 'APPROVED' | 'REJECTED'): void {
    const pending = this.inProgress.get(requestId);
    if (!pending) return;
    this.inProgress.delete(requestId);
    const request = this.biddingRequests.get(requestId);
    if (!request || request.status !== 'PENDING') return;
    const at = Math.max(this.ctx.now(), pending.acceptedAt);
    this.resolve(request, pending.action, pending.reason, pending.metadata, at, status);
  }

  /**
   * Every read of a request goes through here: an action accepted `actionSettleMs` ago or longer settles,
   * and a pending request past its `expiresAt` reads as EXPIRED.
   */
  private biddingRequest(id: string): BiddingRequest | undefined {
    const pending = this.inProgress.get(id);
    if (pending && this.ctx.now() - pending.acceptedAt >= this.actionSettleMs) this.settle(id);
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
