/**
 * Genesys Cloud sandbox: the endpoints of spec 001 (users, shifts, reason codes, shift overrides), spec 002 (WEM
 * adherence, see genesys-adherence.ts) and spec 004 (a paginated performance export), at the paths the specs
 * write. Rate limits: spec 000's 300 requests/minute for the org (`general`), spec 002's 100 rps / burst 150 for
 * the adherence ingestion endpoint (`adherence`), 10 rps for the token endpoint (`oauth`).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GENESYS_ADHERENCE_RATE_LIMIT, vendorByName } from '../../../shared/topology';
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
import { iso, isInstant, isValidTimeZone, overlaps, requireInstant } from '../core/time';
import { localClientId, type SandboxClient } from '../core/oauth';
import { VendorSandbox, type CommonConfig, type VendorContext } from '../core/vendor-sandbox';
import {
  AdherenceAgentFixture,
  AdherenceLedger,
  AdherenceStateFixture,
  type AdherenceSettings,
} from './genesys-adherence';
import { GENESYS_SEED, GENESYS_WEM_POLICY } from './seed';
import {
  GeneratedExportSchema,
  generatedRange,
  generatedRow,
  type GeneratedExport,
} from './performance-export-generator';

/** Stored and answered in the vendor's canonical form, `2024-11-20T08:00:00.000Z`. */
const instant = z
  .string()
  .refine(isInstant, 'must be an ISO 8601 timestamp with Z or an explicit offset')
  .transform((s) => iso(Date.parse(s)));

const UserSchema = z.looseObject({
  id: z.string().min(1),
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone'),
  name: z.string().optional(),
});
type User = z.output<typeof UserSchema>;

const ShiftSchema = z
  .object({
    id: z.string().min(1),
    userId: z.string().min(1),
    startTime: instant,
    endTime: instant,
    shiftType: z.string().min(1).default('REGULAR'),
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone').optional(),
    version: z.number().int().positive().default(1),
    updatedAt: z.string().optional(),
  })
  .refine((s) => Date.parse(s.startTime) < Date.parse(s.endTime), 'startTime must be before endTime');
type Shift = z.output<typeof ShiftSchema>;

const ReasonCodeSchema = z.looseObject({ id: z.string().min(1), name: z.string().min(1) });
type ReasonCode = z.output<typeof ReasonCodeSchema>;

const OverrideSchema = z.object({
  id: z.string().min(1),
  overrideType: z.literal('REMOVE').default('REMOVE'),
  userId: z.string().min(1),
  shiftId: z.string().min(1),
  startTime: instant,
  endTime: instant,
  reasonCodeId: z.string().min(1),
  notes: z.string().nullable().default(null),
  idempotencyKey: z.string().nullable().default(null),
  createdAt: z.string().optional(),
});
type Override = z.output<typeof OverrideSchema>;

const ShiftEditSchema = z.object({
  shiftId: z.string().min(1),
  startTime: instant.optional(),
  endTime: instant.optional(),
  shiftType: z.string().min(1).optional(),
});

const PerformanceRowSchema = z.looseObject({
  agentId: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
});
type PerformanceRow = z.output<typeof PerformanceRowSchema>;

const entities = z.array(z.record(z.string(), z.unknown())).optional();
const ids = z.array(z.string()).optional();

export const GenesysFixturesSchema = z
  .object({
    users: entities,
    shifts: entities,
    reasonCodes: entities,
    overrides: entities,
    /** Applied when the next override POST for the shift arrives, which then answers 409 (a planner edit). */
    shiftEdits: z.array(ShiftEditSchema).optional(),
    agents: z.array(AdherenceAgentFixture).optional(),
    complianceReasonCodes: z.array(z.string().min(1)).optional(),
    /** Drift: sets what the WEM dashboard shows for an agent without recording an event. */
    adherenceStates: z.array(AdherenceStateFixture).optional(),
    performance: z.array(PerformanceRowSchema).optional(),
    remove: z
      .object({
        users: ids,
        shifts: ids,
        reasonCodes: ids,
        overrides: ids,
        agents: ids,
        complianceReasonCodes: ids,
        performance: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type GenesysFixtures = z.input<typeof GenesysFixturesSchema>;

const AdherenceConfigShape = {
  enforceTransitions: z.boolean(),
  transitions: z.record(z.string(), z.array(z.string())),
  rolloverDelaySeconds: z.number().nonnegative(),
  reconciliationDelaySeconds: z.number().nonnegative(),
  defaultSchedule: z.object({
    scheduleType: z.string().min(1),
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone'),
  }),
};

const ExportDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** The performance export's switches (docs/sandboxes.md). */
const PerformanceExportConfigSchema = z
  .object({
    /** Largest `pageSize` accepted (Genesys: 100); raised for the benchmark. */
    maxPageSize: z.number().int().positive(),
    /**
     * Cursor pages shorter than the page size (shared/spec README: Genesys' can be): every page serves at most
     * this many rows and `nextUri` carries a `cursor`. Null: full pages.
     */
    shortPageRows: z.number().int().positive().nullable(),
    /** Per day, what the export's `total` gets wrong: `{ "2026-05-15": 1 }` announces one row more than it serves. */
    totalOffsets: z.record(ExportDate, z.number().int()),
    /** Serves a generated export (performance-export-generator.ts) instead of the fixture rows. */
    generated: GeneratedExportSchema.nullable(),
  })
  .partial()
  .strict();
type PerformanceExportConfig = Required<z.output<typeof PerformanceExportConfigSchema>>;

const defaultPerformanceExportConfig = (): PerformanceExportConfig => ({
  maxPageSize: 100,
  shortPageRows: null,
  totalOffsets: {},
  generated: null,
});

/**
 * Largest page of the shift, override and reason-code lists (docs/sandboxes.md). The default serves every
 * list on one page, as before; a contract test lowers it to make the adapter follow `nextUri`.
 */
const DEFAULT_LIST_PAGE_SIZE = 10_000;

/**
 * One page of a list, spec 000's shape (`entities`, `pageNumber`, `pageSize`, `nextUri` while more remain),
 * plus the page's items under the list's older field name (`legacyField`) for readers that predate paging.
 */
function listPage<T>(
  r: SandboxRequest,
  all: readonly T[],
  legacyField: string,
  maxPageSize: number,
  view: (served: T[]) => unknown[] = (served) => served,
): SandboxResponse {
  const pageNumber = Number(r.query.get('pageNumber') ?? '1');
  const requested = Number(r.query.get('pageSize') ?? String(maxPageSize));
  if (!Number.isInteger(pageNumber) || pageNumber < 1)
    return badRequest('pageNumber must be an integer >= 1');
  if (!Number.isInteger(requested) || requested < 1) return badRequest('pageSize must be an integer >= 1');
  const pageSize = Math.min(requested, maxPageSize);
  const offset = (pageNumber - 1) * pageSize;
  const served = all.slice(offset, offset + pageSize);
  const entities = view(served);
  const next = new URLSearchParams(r.query);
  next.set('pageNumber', String(pageNumber + 1));
  next.set('pageSize', String(pageSize));
  return json(200, {
    [legacyField]: entities,
    entities,
    pageNumber,
    pageSize,
    ...(offset + served.length < all.length && { nextUri: `${r.path}?${next.toString()}` }),
  });
}

const OVERRIDE_FIELDS = [
  'id',
  'overrideType',
  'userId',
  'shiftId',
  'startTime',
  'endTime',
  'reasonCodeId',
  'notes',
  'idempotencyKey',
] as const;
const overrideView = (o: Override) => Object.fromEntries(OVERRIDE_FIELDS.map((f) => [f, o[f]]));

const shiftView = (s: Shift, users: Map<string, User>) => ({
  id: s.id,
  userId: s.userId,
  startTime: s.startTime,
  endTime: s.endTime,
  shiftType: s.shiftType,
  timezone: s.timezone ?? users.get(s.userId)?.timezone ?? 'UTC',
});

// OAuth scopes. Specs 001, 002 and 004 name what each integration's client asks; which endpoint each one opens is
// this sandbox's reading of them (a write scope also reads what it writes). Its own list, not the topology's, so a
// client asking a scope the org never granted is caught (400 invalid_scope).
const SHIFT_READ = 'wfm:scheduling:shift:read';
const OVERRIDE_READ = 'wfm:scheduling:override:read';
const OVERRIDE_WRITE = 'wfm:scheduling:override:write';
const REASON_CODE_READ = 'wfm:reasoncode:read';
const ADHERENCE_VIEW = 'wem:adherence:view';
const ADHERENCE_EDIT = 'wem:adherence:edit';
const AGENT_VIEW = 'wem:agent:view';
const EXPORT_READ = 'wfm.export.read';

/** The org's OAuth clients, one per integration (docs/decisions/0013-oauth-client-per-workflow.md). */
export const GENESYS_CLIENTS: readonly SandboxClient[] = [
  // Spec 001, Prerequisites.
  {
    clientId: localClientId('shift-overrides'),
    scopes: ['wfm:timeoff:request:read', SHIFT_READ, OVERRIDE_WRITE],
  },
  // Spec 002, Prerequisites.
  { clientId: localClientId('adherence-sync'), scopes: [ADHERENCE_VIEW, ADHERENCE_EDIT, AGENT_VIEW] },
  // Spec 004 names `wfm.export.read` among its client's scopes; the export is all the ingestion reads.
  { clientId: localClientId('reward-triggers'), scopes: [EXPORT_READ] },
];

export class GenesysSandbox extends VendorSandbox {
  private users = new Map<string, User>();
  private shifts = new Map<string, Shift>();
  private reasonCodes = new Map<string, ReasonCode>();
  private overrides = new Map<string, Override>();
  private overrideIdByKey = new Map<string, string>();
  private deletedOverrides: (Override & { deletedAt: string })[] = [];
  /** Shift version last returned by the shifts query (the 409 "changed since it was read" rule). */
  private shiftVersionRead = new Map<string, number>();
  private pendingShiftEdits = new Map<string, z.output<typeof ShiftEditSchema>>();
  private performance = new Map<string, PerformanceRow>();
  private performanceExport: PerformanceExportConfig = defaultPerformanceExportConfig();
  private listPageSize = DEFAULT_LIST_PAGE_SIZE;
  private complianceReasonCodes = new Set<string>();
  private adherenceConfig!: Omit<AdherenceSettings, 'complianceReasonCodes'>;
  private counters = GenesysSandbox.emptyCounters();
  private readonly adherence: AdherenceLedger;

  protected readonly vendorConfigShape = {
    ...AdherenceConfigShape,
    performanceExport: PerformanceExportConfigSchema,
    listPageSize: z.number().int().positive(),
  };

  constructor(ctx: VendorContext) {
    super('genesys', ctx, GENESYS_CLIENTS);
    this.adherence = new AdherenceLedger(ctx.now, () => ({
      ...this.adherenceConfig,
      complianceReasonCodes: this.complianceReasonCodes,
    }));
    const scopes = (...any: string[]) => ({ scopes: any });
    this.route('GET', '/api/v2/users/:userId', (r) => this.getUser(r), scopes(SHIFT_READ, AGENT_VIEW));
    this.route('GET', '/api/v2/wfm/scheduling/shifts', (r) => this.queryShifts(r), scopes(SHIFT_READ));
    this.route(
      'GET',
      '/api/v2/wfm/reasoncodes',
      (r) =>
        listPage(
          r,
          [...this.reasonCodes.values()].map((c) => ({ ...c })),
          'reasonCodes',
          this.listPageSize,
        ),
      scopes(REASON_CODE_READ, OVERRIDE_WRITE),
    );
    const overrideRead = scopes(OVERRIDE_READ, OVERRIDE_WRITE);
    this.route('GET', '/api/v2/wfm/scheduling/overrides', (r) => this.listOverrides(r), overrideRead);
    this.route(
      'POST',
      '/api/v2/wfm/scheduling/overrides',
      (r) => this.createOverride(r),
      scopes(OVERRIDE_WRITE),
    );
    this.route(
      'GET',
      '/api/v2/wfm/scheduling/overrides/:overrideId',
      (r) => this.getOverride(r),
      overrideRead,
    );
    this.route(
      'DELETE',
      '/api/v2/wfm/scheduling/overrides/:overrideId',
      (r) => this.deleteOverride(r),
      scopes(OVERRIDE_WRITE),
    );
    this.route(
      'POST',
      '/api/v2/wem/adherence/agents/:agentId/adherence-events',
      (r) => this.adherence.post(r),
      { bucket: 'adherence', scopes: [ADHERENCE_EDIT] },
    );
    this.route(
      'GET',
      '/api/v2/wem/adherence/agents/:agentId/state',
      (r) => json(200, this.adherence.dashboard(r.params.agentId ?? '')),
      scopes(ADHERENCE_VIEW, ADHERENCE_EDIT),
    );
    this.route(
      'GET',
      '/api/v2/wem/adherence/agents/:agentId/schedule',
      (r) => json(200, this.adherence.schedule(r.params.agentId ?? '')),
      scopes(AGENT_VIEW),
    );
    this.route(
      'GET',
      '/api/v2/wfm/exports/performance',
      (r) => this.exportPerformance(r),
      scopes(EXPORT_READ),
    );
    this.reset();
  }

  private static emptyCounters() {
    return {
      overridesCreated: 0,
      overridesDeleted: 0,
      overrideReplays: 0,
      overrideRejected400: 0,
      overrideConflicts409: 0,
      shiftQueries: 0,
    };
  }

  protected defaultConfig(): CommonConfig {
    return {
      tokenTtlSeconds: 3600,
      invalidatePreviousToken: true,
      refreshCollisionWindowMs: 0,
      requireAuth: true,
      rateLimits: {
        general: { ...vendorByName('genesys').rateLimit },
        adherence: { ...GENESYS_ADHERENCE_RATE_LIMIT },
        oauth: { ratePerSecond: 10, burst: 10 },
      },
    };
  }

  protected applyVendorConfig(patch: Record<string, unknown>, reset: boolean): void {
    if (reset) {
      this.adherenceConfig = {
        enforceTransitions: true,
        transitions: GENESYS_WEM_POLICY.transitions,
        rolloverDelaySeconds: 300,
        reconciliationDelaySeconds: 120,
        defaultSchedule: { scheduleType: 'Regular', timezone: 'UTC' },
      };
    }
    if (reset) {
      this.performanceExport = defaultPerformanceExportConfig();
      this.listPageSize = DEFAULT_LIST_PAGE_SIZE;
    }
    const { performanceExport, listPageSize, ...adherence } = patch;
    if (listPageSize !== undefined) this.listPageSize = z.number().int().positive().parse(listPageSize);
    const parsed = z.object(AdherenceConfigShape).partial().parse(adherence);
    this.adherenceConfig = { ...this.adherenceConfig, ...parsed };
    if (performanceExport !== undefined) {
      this.performanceExport = {
        ...this.performanceExport,
        ...PerformanceExportConfigSchema.parse(performanceExport),
      };
    }
  }

  protected vendorConfig(): Record<string, unknown> {
    return {
      ...this.adherenceConfig,
      performanceExport: { ...this.performanceExport },
      listPageSize: this.listPageSize,
    };
  }

  protected resetState(seed: boolean): void {
    for (const m of [
      this.users,
      this.shifts,
      this.reasonCodes,
      this.overrides,
      this.overrideIdByKey,
      this.shiftVersionRead,
      this.pendingShiftEdits,
      this.performance,
    ]) {
      m.clear();
    }
    this.deletedOverrides = [];
    this.counters = GenesysSandbox.emptyCounters();
    this.adherence.reset();
    this.complianceReasonCodes = new Set(GENESYS_WEM_POLICY.complianceReasonCodes);
    if (seed) this.loadFixtures(GENESYS_SEED);
  }

  loadFixtures(input: unknown): Record<string, unknown> {
    const f = parseFixtures(GenesysFixturesSchema, input);
    const now = iso(this.ctx.now());
    const loaded: Record<string, number> = {};
    const note = (k: string, n: number) => {
      if (n > 0) loaded[k] = (loaded[k] ?? 0) + n;
    };
    if (f.remove) {
      note('removedUsers', removeByIds(this.users, f.remove.users));
      note('removedShifts', removeByIds(this.shifts, f.remove.shifts));
      note('removedReasonCodes', removeByIds(this.reasonCodes, f.remove.reasonCodes));
      for (const id of f.remove.overrides ?? []) {
        const o = this.overrides.get(id);
        if (o?.idempotencyKey) this.overrideIdByKey.delete(o.idempotencyKey);
        if (this.overrides.delete(id)) note('removedOverrides', 1);
      }
      for (const id of f.remove.agents ?? []) this.adherence.removeAgent(id);
      for (const code of f.remove.complianceReasonCodes ?? []) this.complianceReasonCodes.delete(code);
      if (f.remove.performance) this.performance.clear();
    }
    note('users', upsertById(this.users, f.users, UserSchema, 'users'));
    note('reasonCodes', upsertById(this.reasonCodes, f.reasonCodes, ReasonCodeSchema, 'reasonCodes'));
    note(
      'shifts',
      upsertById(this.shifts, f.shifts, ShiftSchema, 'shifts', (next, previous) => {
        if (!previous) return { ...next, updatedAt: next.updatedAt ?? now };
        const changed = (['userId', 'startTime', 'endTime', 'shiftType'] as const).some(
          (k) => next[k] !== previous[k],
        );
        return changed ? { ...next, version: previous.version + 1, updatedAt: now } : previous;
      }),
    );
    note(
      'overrides',
      upsertById(this.overrides, f.overrides, OverrideSchema, 'overrides', (next) => {
        if (next.idempotencyKey) this.overrideIdByKey.set(next.idempotencyKey, next.id);
        return { ...next, createdAt: next.createdAt ?? now };
      }),
    );
    for (const edit of f.shiftEdits ?? []) {
      if (!this.shifts.has(edit.shiftId)) {
        throw new RequestRejected(badRequest(`shiftEdits: unknown shift ${edit.shiftId}`));
      }
      this.pendingShiftEdits.set(edit.shiftId, edit);
      note('shiftEdits', 1);
    }
    for (const agent of f.agents ?? []) this.adherence.upsertAgent(agent);
    note('agents', f.agents?.length ?? 0);
    for (const code of f.complianceReasonCodes ?? []) this.complianceReasonCodes.add(code);
    note('complianceReasonCodes', f.complianceReasonCodes?.length ?? 0);
    for (const drift of f.adherenceStates ?? []) this.adherence.injectDashboardState(drift);
    note('adherenceStates', f.adherenceStates?.length ?? 0);
    for (const row of f.performance ?? []) this.performance.set(`${row.date}|${row.agentId}`, row);
    note('performance', f.performance?.length ?? 0);
    return loaded;
  }

  state(): Record<string, unknown> {
    return {
      ...this.commonState(),
      users: [...this.users.values()],
      shifts: [...this.shifts.values()].map((s) => ({
        ...s,
        lastReadVersion: this.shiftVersionRead.get(s.id) ?? null,
        pendingEdit: this.pendingShiftEdits.get(s.id) ?? null,
      })),
      reasonCodes: [...this.reasonCodes.values()],
      overrides: [...this.overrides.values()],
      deletedOverrides: this.deletedOverrides,
      counters: { ...this.counters },
      adherence: this.adherence.snapshot(),
      performanceRows: this.performance.size,
    };
  }

  // ---- spec 001 ----------------------------------------------------------------------------------------

  private getUser(r: SandboxRequest): SandboxResponse {
    const user = this.users.get(r.params.userId ?? '');
    return user ? json(200, { ...user }) : notFound(`User ${r.params.userId} not found`);
  }

  private queryShifts(r: SandboxRequest): SandboxResponse {
    const userId = r.query.get('userId');
    if (!userId) return badRequest('userId is required', { field: 'userId' });
    const from = requireInstant(r.query.get('startTime') ?? undefined, 'startTime');
    const to = requireInstant(r.query.get('endTime') ?? undefined, 'endTime');
    if (to <= from) return badRequest('endTime must be after startTime');
    this.counters.shiftQueries += 1;
    const shifts = [...this.shifts.values()]
      .filter(
        (s) => s.userId === userId && overlaps(Date.parse(s.startTime), Date.parse(s.endTime), from, to),
      )
      .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
    // Only the shifts actually served count as read (the 409 "changed since it was read" rule).
    return listPage(r, shifts, 'shifts', this.listPageSize, (served) =>
      served.map((s) => {
        this.shiftVersionRead.set(s.id, s.version);
        return shiftView(s, this.users);
      }),
    );
  }

  private listOverrides(r: SandboxRequest): SandboxResponse {
    const userId = r.query.get('userId');
    if (!userId) return badRequest('userId is required', { field: 'userId' });
    const shiftId = r.query.get('shiftId');
    const overrides = [...this.overrides.values()]
      .filter((o) => o.userId === userId && (!shiftId || o.shiftId === shiftId))
      .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
    return listPage(r, overrides.map(overrideView), 'overrides', this.listPageSize);
  }

  private getOverride(r: SandboxRequest): SandboxResponse {
    const o = this.overrides.get(r.params.overrideId ?? '');
    return o ? json(200, overrideView(o)) : notFound(`Override ${r.params.overrideId} not found`);
  }

  private deleteOverride(r: SandboxRequest): SandboxResponse {
    const id = r.params.overrideId ?? '';
    const o = this.overrides.get(id);
    if (!o) return notFound(`Override ${id} not found`);
    this.overrides.delete(id);
    if (o.idempotencyKey) this.overrideIdByKey.delete(o.idempotencyKey);
    this.deletedOverrides.push({ ...o, deletedAt: iso(this.ctx.now()) });
    this.counters.overridesDeleted += 1;
    return { status: 204 };
  }

  private createOverride(r: SandboxRequest): SandboxResponse {
    const body = parseJsonObject(r);
    const key =
      (typeof body.idempotencyKey === 'string' && body.idempotencyKey !== ''
        ? body.idempotencyKey
        : undefined) ??
      header(r.headers, 'x-genesys-idempotency-key') ??
      null;
    if (key !== null) {
      const existing = this.overrides.get(this.overrideIdByKey.get(key) ?? '');
      if (existing) {
        this.counters.overrideReplays += 1;
        return json(200, overrideView(existing), { 'idempotent-replayed': 'true' });
      }
    }
    try {
      return this.validateAndCreate(body, key);
    } catch (err) {
      if (err instanceof RequestRejected && err.response.status === 400)
        this.counters.overrideRejected400 += 1;
      throw err;
    }
  }

  private validateAndCreate(body: Record<string, unknown>, key: string | null): SandboxResponse {
    const reject = (message: string, field?: string): never => {
      throw new RequestRejected(badRequest(message, field ? { field } : {}));
    };
    if (body.overrideType !== 'REMOVE') reject('overrideType must be REMOVE', 'overrideType');
    if (typeof body.userId !== 'string' || body.userId === '') reject('userId is required', 'userId');
    if (typeof body.shiftId !== 'string' || body.shiftId === '') reject('shiftId is required', 'shiftId');
    if (typeof body.reasonCodeId !== 'string' || body.reasonCodeId === '') {
      reject('reasonCodeId is required: a REMOVE override needs a valid reason code', 'reasonCodeId');
    }
    const reasonCodeId = body.reasonCodeId as string;
    if (!this.reasonCodes.has(reasonCodeId)) reject(`Unknown reasonCodeId "${reasonCodeId}"`, 'reasonCodeId');
    if (body.notes !== undefined && body.notes !== null && typeof body.notes !== 'string') {
      reject('notes must be a string', 'notes');
    }
    const start = requireInstant(body.startTime, 'startTime');
    const end = requireInstant(body.endTime, 'endTime');
    if (start >= end) reject('startTime must be before endTime', 'startTime');
    const shiftId = body.shiftId as string;
    const userId = body.userId as string;
    const shift = this.shifts.get(shiftId);
    if (!shift) return reject(`Unknown shiftId "${shiftId}"`, 'shiftId');
    if (shift.userId !== userId) reject(`Shift ${shiftId} does not belong to user ${userId}`, 'userId');

    const conflict = (message: string, extra: Record<string, unknown> = {}): SandboxResponse => {
      this.counters.overrideConflicts409 += 1;
      return errorResponse(409, 'conflict', message, { shiftId, ...extra });
    };
    const edit = this.pendingShiftEdits.get(shiftId);
    if (edit) {
      this.pendingShiftEdits.delete(shiftId);
      this.applyShiftEdit(shift, edit);
      return conflict(`Shift ${shiftId} was modified while the override was being submitted`);
    }
    const read = this.shiftVersionRead.get(shiftId);
    const current = this.shifts.get(shiftId)!;
    if (read !== undefined && read < current.version) {
      return conflict(`Shift ${shiftId} changed since it was read; re-fetch it`, {
        version: current.version,
      });
    }
    if (start < Date.parse(current.startTime) || end > Date.parse(current.endTime)) {
      reject(
        `Override window ${iso(start)}..${iso(end)} lies outside shift ${shiftId} (${current.startTime}..${current.endTime})`,
        'startTime',
      );
    }
    const clash = [...this.overrides.values()].find(
      (o) =>
        o.shiftId === shiftId &&
        o.idempotencyKey !== key &&
        overlaps(start, end, Date.parse(o.startTime), Date.parse(o.endTime)),
    );
    if (clash) {
      return conflict(`Override ${clash.id} already covers part of this window of shift ${shiftId}`, {
        conflictingOverrideId: clash.id,
      });
    }
    const override: Override = {
      id: `override-${randomUUID()}`,
      overrideType: 'REMOVE',
      userId,
      shiftId,
      startTime: iso(start),
      endTime: iso(end),
      reasonCodeId,
      notes: typeof body.notes === 'string' ? body.notes : null,
      idempotencyKey: key,
      createdAt: iso(this.ctx.now()),
    };
    this.overrides.set(override.id, override);
    if (key !== null) this.overrideIdByKey.set(key, override.id);
    this.counters.overridesCreated += 1;
    return json(201, overrideView(override));
  }

  private applyShiftEdit(shift: Shift, edit: z.output<typeof ShiftEditSchema>): void {
    this.shifts.set(shift.id, {
      ...shift,
      ...(edit.startTime !== undefined && { startTime: edit.startTime }),
      ...(edit.endTime !== undefined && { endTime: edit.endTime }),
      ...(edit.shiftType !== undefined && { shiftType: edit.shiftType }),
      version: shift.version + 1,
      updatedAt: iso(this.ctx.now()),
    });
  }

  // ---- spec 004 ----------------------------------------------------------------------------------------

  private exportPerformance(r: SandboxRequest): SandboxResponse {
    const dateFrom = r.query.get('dateFrom');
    const dateTo = r.query.get('dateTo');
    for (const [name, value] of [
      ['dateFrom', dateFrom],
      ['dateTo', dateTo],
    ] as const) {
      if (value !== null && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        return badRequest(`${name} must be a date YYYY-MM-DD`, { field: name });
      }
    }
    const { maxPageSize, shortPageRows, totalOffsets, generated } = this.performanceExport;
    const pageNumber = Number(r.query.get('pageNumber') ?? '1');
    const pageSize = Number(r.query.get('pageSize') ?? '25');
    const cursor = Number(r.query.get('cursor') ?? String((pageNumber - 1) * pageSize));
    if (!Number.isInteger(pageNumber) || pageNumber < 1)
      return badRequest('pageNumber must be an integer >= 1');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
      return badRequest(`pageSize must be an integer between 1 and ${maxPageSize}`);
    }
    if (!Number.isInteger(cursor) || cursor < 0) return badRequest('cursor must be an integer >= 0');
    const source = generated
      ? this.generatedSource(generated, dateFrom, dateTo)
      : this.fixtureSource(dateFrom, dateTo);
    const served = Math.min(pageSize, shortPageRows ?? pageSize);
    const offset = shortPageRows === null ? (pageNumber - 1) * pageSize : cursor;
    const entities = source.slice(offset, Math.min(source.total, offset + served));
    const misreported = Object.entries(totalOffsets)
      .filter(([date]) => (!dateFrom || date >= dateFrom) && (!dateTo || date <= dateTo))
      .reduce((sum, [, by]) => sum + by, 0);
    const total = Math.max(0, source.total + misreported);
    const pageCount = Math.ceil(source.total / served);
    const uri = (page: number, at?: number) => {
      const q = new URLSearchParams({
        ...(dateFrom && { dateFrom }),
        ...(dateTo && { dateTo }),
        pageNumber: String(page),
        pageSize: String(pageSize),
        ...(at !== undefined && { cursor: String(at) }),
      });
      return `/api/v2/wfm/exports/performance?${q.toString()}`;
    };
    const more = offset + entities.length < source.total;
    return json(200, {
      exportVersion: 'v2.1',
      entities,
      pageNumber,
      pageSize,
      total,
      pageCount,
      ...(more && {
        nextUri: shortPageRows === null ? uri(pageNumber + 1) : uri(pageNumber + 1, offset + entities.length),
      }),
      ...(pageNumber > 1 && shortPageRows === null && { previousUri: uri(pageNumber - 1) }),
    });
  }

  private fixtureSource(dateFrom: string | null, dateTo: string | null): ExportRowSource {
    const rows = [...this.performance.values()]
      .filter((row) => (!dateFrom || row.date >= dateFrom) && (!dateTo || row.date <= dateTo))
      .sort((a, b) => a.date.localeCompare(b.date) || a.agentId.localeCompare(b.agentId));
    return { total: rows.length, slice: (from, to) => rows.slice(from, to).map((row) => ({ ...row })) };
  }

  private generatedSource(
    g: GeneratedExport,
    dateFrom: string | null,
    dateTo: string | null,
  ): ExportRowSource {
    const { firstDay, total } = generatedRange(g, dateFrom, dateTo);
    return {
      total,
      slice: (from, to) =>
        Array.from({ length: Math.max(0, to - from) }, (_, i) => generatedRow(g, firstDay, from + i)),
    };
  }
}

interface ExportRowSource {
  readonly total: number;
  slice(from: number, to: number): Record<string, unknown>[];
}
