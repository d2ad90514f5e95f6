/**
 * Reward marketplace sandbox (spec 004): `POST /v1/rewards/issue` is idempotent on the transaction id and answers
 * HTTP 200 with a body `status` of `ISSUED` or `REJECTED` (insufficient inventory, unknown reward type, too few
 * points, blocked agent) — spec 004's trap is trusting the HTTP status. `DELETE /v1/rewards/{transactionId}`
 * reverses an issued reward (clawback, idempotent); `GET /v1/rewards/{transactionId}` reads one back. The spec
 * names no rate limit; the sandbox enforces 20 requests/s (shared/topology.ts), which `rateLimits.general` lowers
 * to Tango's 1/s.
 *
 * What real marketplaces also do (shared/spec README), behind config switches: answer `PENDING` and settle later
 * (`pendingIssues`: on a timer of the sandbox clock, or by an admin `settle` fixture), and answer 409 to a
 * transaction id sent again with another payload (`payloadMismatch: "conflict"`; spec 004 section 3 replays).
 * "Commit then fail" is a `commitFirst` fault (core/faults.ts).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { vendorByName } from '../../../shared/topology';
import { parseFixtures } from '../core/fixtures';
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
import { iso, isInstant } from '../core/time';
import { localClientId } from '../core/oauth';
import { VendorSandbox, type CommonConfig, type VendorContext } from '../core/vendor-sandbox';
import { REWARDS_SEED } from './seed';

/** Fields spec 004 says never to send (edge case 2); the sandbox records them instead of failing the call. */
export const PII_FIELDS = [
  'agent_email',
  'email',
  'phone_number',
  'phone',
  'agent_name',
  'name',
  'first_name',
  'last_name',
] as const;

const CatalogItemSchema = z.object({
  rewardType: z.string().min(1),
  /** Units left; issuing takes one, a reversal gives it back. */
  inventory: z.number().int().nonnegative(),
  /** Minimum `points_consumed` for this reward, when set. */
  pointsCost: z.number().int().positive().optional(),
});
type CatalogItem = z.output<typeof CatalogItemSchema>;

export const RewardsFixturesSchema = z
  .object({
    catalog: z.array(CatalogItemSchema).optional(),
    /** Shorthand: reward type -> units left. */
    inventory: z.record(z.string(), z.number().int().nonnegative()).optional(),
    /** Agents the marketplace refuses (body status REJECTED, reason POLICY_VIOLATION). */
    blockedAgents: z.array(z.string().min(1)).optional(),
    /** Settles PENDING transactions now: as `status` (default what they were going to settle to). */
    settle: z
      .array(
        z
          .object({
            transactionId: z.string().min(1),
            status: z.enum(['ISSUED', 'REJECTED']).optional(),
            reason: z.string().min(1).optional(),
          })
          .strict(),
      )
      .optional(),
    remove: z
      .object({ catalog: z.array(z.string()).optional(), blockedAgents: z.array(z.string()).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type RewardsFixtures = z.input<typeof RewardsFixturesSchema>;

const IssueSchema = z.looseObject({
  agent_id: z.string().min(1),
  reward_type: z.string().min(1),
  points_consumed: z.number().int().positive(),
  transaction_timestamp: z
    .string()
    .refine(isInstant, 'must be an ISO 8601 timestamp with Z or an explicit offset'),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type RejectionReason =
  | 'INSUFFICIENT_INVENTORY'
  | 'UNKNOWN_REWARD_TYPE'
  | 'INSUFFICIENT_POINTS'
  | 'POLICY_VIOLATION'
  /** A PENDING order the marketplace could not fulfil after all (or an admin `settle` without a reason). */
  | 'FULFILLMENT_FAILED';

const RewardsConfigShape = {
  /**
   * A transaction id sent again with another payload: `replay` answers the first answer (spec 004 section 3,
   * the default), `conflict` answers 409 `idempotency.payload.mismatch` (Stripe-style keys; what issue 12 asks).
   */
  payloadMismatch: z.enum(['replay', 'conflict']),
  /**
   * When set, every new issue answers `PENDING` and settles later: `settleAfterMs` after it arrived (sandbox
   * clock, read whenever the transaction is) or, with `settleAfterMs: null`, only by an admin `settle` fixture;
   * it settles to `settleAs` (`REJECTED` with reason `FULFILLMENT_FAILED`) unless the business rules reject it.
   */
  pendingIssues: z
    .object({
      settleAfterMs: z.number().int().nonnegative().nullable(),
      settleAs: z.enum(['ISSUED', 'REJECTED']).default('ISSUED'),
    })
    .strict()
    .nullable(),
};
type RewardsConfig = {
  payloadMismatch: 'replay' | 'conflict';
  pendingIssues: { settleAfterMs: number | null; settleAs: 'ISSUED' | 'REJECTED' } | null;
};

interface Settlement {
  readonly status: 'ISSUED' | 'REJECTED';
  readonly reason: RejectionReason | null;
  /** Sandbox-clock ms after which a read settles it; null: only an admin `settle`. */
  readonly dueAt: number | null;
}

interface RewardRecord {
  transaction_id: string;
  status: 'PENDING' | 'ISSUED' | 'REJECTED' | 'REVERSED';
  reward_id: string | null;
  agent_id: string;
  reward_type: string;
  points_consumed: number;
  transaction_timestamp: string;
  processed_at: string;
  reason: RejectionReason | null;
  reversed_at?: string;
  reversal_reason?: string | null;
  settled_at?: string;
  /** Issue response, replayed for a repeated transaction id. */
  response: Record<string, unknown>;
  /** The payload the id was first sent with (canonical JSON), for `payloadMismatch: "conflict"`. */
  payloadKey: string;
  /** What a PENDING transaction will become. */
  settlement?: Settlement;
}

export class RewardsSandbox extends VendorSandbox {
  private catalog = new Map<string, CatalogItem>();
  private blockedAgents = new Set<string>();
  private rewards = new Map<string, RewardRecord>();
  private piiReceived: { transactionId: string | null; fields: string[]; at: string }[] = [];
  private counters = RewardsSandbox.emptyCounters();
  private rewardsConfig: RewardsConfig = RewardsSandbox.defaultRewardsConfig();

  protected readonly vendorConfigShape = RewardsConfigShape;

  constructor(ctx: VendorContext) {
    // reward-triggers' client; spec 004 names no marketplace scope, so no route asks one.
    super('rewards', ctx, [{ clientId: localClientId('reward-triggers'), scopes: [] }]);
    this.route('POST', '/v1/rewards/issue', (r) => this.issue(r));
    this.route('GET', '/v1/rewards/:transactionId', (r) => {
      const record = this.record(r.params.transactionId ?? '');
      return record ? json(200, view(record)) : notFound(`Transaction ${r.params.transactionId} not found`);
    });
    this.route('DELETE', '/v1/rewards/:transactionId', (r) => this.reverse(r));
    this.reset();
  }

  private static emptyCounters() {
    return {
      issued: 0,
      rejected: 0,
      reversed: 0,
      duplicateIssues: 0,
      duplicateReversals: 0,
      pending: 0,
      payloadConflicts: 0,
    };
  }

  private static defaultRewardsConfig(): RewardsConfig {
    return { payloadMismatch: 'replay', pendingIssues: null };
  }

  protected defaultConfig(): CommonConfig {
    return {
      tokenTtlSeconds: 3600,
      invalidatePreviousToken: false,
      refreshCollisionWindowMs: 0,
      requireAuth: true,
      rateLimits: {
        general: { ...vendorByName('rewards').rateLimit },
        oauth: { ratePerSecond: 10, burst: 10 },
      },
    };
  }

  protected applyVendorConfig(patch: Record<string, unknown>, reset: boolean): void {
    if (reset) this.rewardsConfig = RewardsSandbox.defaultRewardsConfig();
    const parsed = z.object(RewardsConfigShape).partial().parse(patch);
    this.rewardsConfig = { ...this.rewardsConfig, ...parsed };
  }

  protected vendorConfig(): Record<string, unknown> {
    return { ...this.rewardsConfig };
  }

  protected resetState(seed: boolean): void {
    this.catalog.clear();
    this.blockedAgents.clear();
    this.rewards.clear();
    this.piiReceived = [];
    this.counters = RewardsSandbox.emptyCounters();
    if (seed) this.loadFixtures(REWARDS_SEED);
  }

  loadFixtures(input: unknown): Record<string, unknown> {
    const f = parseFixtures(RewardsFixturesSchema, input);
    for (const type of f.remove?.catalog ?? []) this.catalog.delete(type);
    for (const agent of f.remove?.blockedAgents ?? []) this.blockedAgents.delete(agent);
    for (const item of f.catalog ?? [])
      this.catalog.set(item.rewardType, { ...this.catalog.get(item.rewardType), ...item });
    for (const [rewardType, inventory] of Object.entries(f.inventory ?? {})) {
      this.catalog.set(rewardType, { ...this.catalog.get(rewardType), rewardType, inventory });
    }
    for (const agent of f.blockedAgents ?? []) this.blockedAgents.add(agent);
    for (const s of f.settle ?? []) {
      const record = this.rewards.get(s.transactionId);
      if (record?.status !== 'PENDING' || !record.settlement) {
        throw new RequestRejected(
          badRequest(`settle: transaction ${s.transactionId} is not PENDING`, {
            currentStatus: record?.status ?? null,
          }),
        );
      }
      const planned = record.settlement;
      const status = s.status ?? planned.status;
      this.settle(record, {
        status,
        reason:
          status === 'ISSUED'
            ? null
            : ((s.reason as RejectionReason | undefined) ?? planned.reason ?? 'FULFILLMENT_FAILED'),
        dueAt: null,
      });
    }
    return {
      catalog: (f.catalog?.length ?? 0) + Object.keys(f.inventory ?? {}).length,
      blockedAgents: f.blockedAgents?.length ?? 0,
      settled: f.settle?.length ?? 0,
    };
  }

  state(): Record<string, unknown> {
    return {
      ...this.commonState(),
      catalog: [...this.catalog.values()],
      blockedAgents: [...this.blockedAgents],
      rewards: [...this.rewards.keys()].map((id) => view(this.record(id)!)),
      piiReceived: this.piiReceived,
      counters: { ...this.counters },
    };
  }

  private issue(r: SandboxRequest): SandboxResponse {
    const body = parseJsonObject(r);
    const transactionId =
      (typeof body.transaction_id === 'string' && body.transaction_id !== ''
        ? body.transaction_id
        : undefined) ?? header(r.headers, 'x-request-id');
    const pii = PII_FIELDS.filter((f) => f in body);
    if (pii.length > 0)
      this.piiReceived.push({ transactionId: transactionId ?? null, fields: pii, at: iso(this.ctx.now()) });
    if (!transactionId) {
      return badRequest('transaction_id (or an X-Request-ID header) is required for idempotency', {
        field: 'transaction_id',
      });
    }
    const existing = this.record(transactionId);
    const parsed = IssueSchema.safeParse(body);
    if (existing) {
      if (
        this.rewardsConfig.payloadMismatch === 'conflict' &&
        parsed.success &&
        payloadKey(parsed.data) !== existing.payloadKey
      ) {
        this.counters.payloadConflicts += 1;
        return errorResponse(
          409,
          'idempotency.payload.mismatch',
          `Transaction ${transactionId} was first sent with another payload`,
          { transaction_id: transactionId, currentStatus: existing.status },
        );
      }
      this.counters.duplicateIssues += 1;
      return json(200, existing.response, { 'idempotent-replayed': 'true' });
    }
    if (!parsed.success) {
      return badRequest(
        parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; '),
        {
          issues: parsed.error.issues.map((i) => ({
            path: i.path.map(String).join('.'),
            message: i.message,
          })),
        },
      );
    }
    const request = parsed.data;
    const item = this.catalog.get(request.reward_type);
    const reason: RejectionReason | null = this.blockedAgents.has(request.agent_id)
      ? 'POLICY_VIOLATION'
      : !item
        ? 'UNKNOWN_REWARD_TYPE'
        : item.pointsCost !== undefined && request.points_consumed < item.pointsCost
          ? 'INSUFFICIENT_POINTS'
          : item.inventory < 1
            ? 'INSUFFICIENT_INVENTORY'
            : null;
    const pending = this.rewardsConfig.pendingIssues;
    const settlesAs = reason === null && pending?.settleAs === 'REJECTED' ? 'FULFILLMENT_FAILED' : reason;
    // Inventory is held from the moment the order is accepted, PENDING included.
    if (settlesAs === null && item)
      this.catalog.set(item.rewardType, { ...item, inventory: item.inventory - 1 });
    const now = this.ctx.now();
    const record: RewardRecord = {
      transaction_id: transactionId,
      status: 'PENDING',
      reward_id: null,
      agent_id: request.agent_id,
      reward_type: request.reward_type,
      points_consumed: request.points_consumed,
      transaction_timestamp: request.transaction_timestamp,
      processed_at: iso(now),
      reason: null,
      response: {},
      payloadKey: payloadKey(request),
    };
    this.rewards.set(transactionId, record);
    const settlement: Settlement = {
      status: settlesAs === null ? 'ISSUED' : 'REJECTED',
      reason: settlesAs,
      dueAt: pending?.settleAfterMs == null ? null : now + pending.settleAfterMs,
    };
    if (pending) {
      record.settlement = settlement;
      record.response = view(record);
      this.counters.pending += 1;
    } else {
      this.settle(record, settlement);
    }
    return json(200, record.response);
  }

  /** A transaction, settled first if it was PENDING and its time has come. */
  private record(transactionId: string): RewardRecord | undefined {
    const record = this.rewards.get(transactionId);
    const due = record?.settlement?.dueAt;
    if (record?.status === 'PENDING' && due != null && this.ctx.now() >= due) {
      this.settle(record, record.settlement!);
    }
    return record;
  }

  private settle(record: RewardRecord, outcome: Settlement): void {
    const wasPending = record.status === 'PENDING' && record.settlement !== undefined;
    const heldUnit = wasPending && record.settlement!.status === 'ISSUED';
    const item = this.catalog.get(record.reward_type);
    // An admin may settle differently from the plan: give back, or take, the unit.
    if (heldUnit && outcome.status === 'REJECTED' && item)
      this.catalog.set(item.rewardType, { ...item, inventory: item.inventory + 1 });
    if (wasPending && !heldUnit && outcome.status === 'ISSUED' && item)
      this.catalog.set(item.rewardType, { ...item, inventory: Math.max(0, item.inventory - 1) });
    record.status = outcome.status;
    record.reason = outcome.reason;
    record.reward_id = outcome.status === 'ISSUED' ? `rwd_${randomUUID()}` : null;
    delete record.settlement;
    if (wasPending) record.settled_at = iso(this.ctx.now());
    record.response = view(record);
    this.counters[outcome.status === 'ISSUED' ? 'issued' : 'rejected'] += 1;
  }

  private reverse(r: SandboxRequest): SandboxResponse {
    const transactionId = r.params.transactionId ?? '';
    const record = this.record(transactionId);
    if (!record) return notFound(`Transaction ${transactionId} not found`);
    if (record.status === 'REVERSED') {
      this.counters.duplicateReversals += 1;
      return json(200, view(record), { 'idempotent-replayed': 'true' });
    }
    if (record.status !== 'ISSUED') {
      return errorResponse(
        409,
        'conflict',
        `Transaction ${transactionId} was ${record.status}; nothing to reverse`,
        {
          currentStatus: record.status,
        },
      );
    }
    let reason: string | null = null;
    if (r.rawBody.trim() !== '') {
      const body = parseJsonObject(r);
      reason = typeof body.reason === 'string' ? body.reason : null;
    }
    const item = this.catalog.get(record.reward_type);
    if (item) this.catalog.set(item.rewardType, { ...item, inventory: item.inventory + 1 });
    record.status = 'REVERSED';
    record.reversed_at = iso(this.ctx.now());
    record.reversal_reason = reason;
    this.counters.reversed += 1;
    return json(200, view(record));
  }
}

function view(record: RewardRecord): Record<string, unknown> {
  const { response: _response, payloadKey: _payloadKey, settlement: _settlement, ...rest } = record;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}

/** The fields that make a payload "the same" for one transaction id, in a canonical form. */
function payloadKey(request: z.output<typeof IssueSchema>): string {
  return canonicalJson({
    agent_id: request.agent_id,
    reward_type: request.reward_type,
    points_consumed: request.points_consumed,
    transaction_timestamp: request.transaction_timestamp,
    metadata: request.metadata ?? null,
  });
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
