/**
 * Reward marketplace sandbox (spec 004): `POST /v1/rewards/issue` is idempotent on the transaction id and answers
 * HTTP 200 with a body `status` of `ISSUED` or `REJECTED` (insufficient inventory, unknown reward type, too few
 * points, blocked agent) — spec 004's trap is trusting the HTTP status. `DELETE /v1/rewards/{transactionId}`
 * reverses an issued reward (clawback, idempotent); `GET /v1/rewards/{transactionId}` reads one back. The spec
 * names no rate limit; the sandbox enforces 20 requests/s (shared/topology.ts).
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
  type SandboxRequest,
  type SandboxResponse,
} from '../core/http';
import { iso, isInstant } from '../core/time';
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
  'INSUFFICIENT_INVENTORY' | 'UNKNOWN_REWARD_TYPE' | 'INSUFFICIENT_POINTS' | 'POLICY_VIOLATION';

interface RewardRecord {
  transaction_id: string;
  status: 'ISSUED' | 'REJECTED' | 'REVERSED';
  reward_id: string | null;
  agent_id: string;
  reward_type: string;
  points_consumed: number;
  transaction_timestamp: string;
  processed_at: string;
  reason: RejectionReason | null;
  reversed_at?: string;
  reversal_reason?: string | null;
  /** Issue response, replayed for a repeated transaction id. */
  response: Record<string, unknown>;
}

export class RewardsSandbox extends VendorSandbox {
  private catalog = new Map<string, CatalogItem>();
  private blockedAgents = new Set<string>();
  private rewards = new Map<string, RewardRecord>();
  private piiReceived: { transactionId: string | null; fields: string[]; at: string }[] = [];
  private counters = RewardsSandbox.emptyCounters();

  protected readonly vendorConfigShape = {};

  constructor(ctx: VendorContext) {
    super('rewards', ctx);
    this.route('POST', '/v1/rewards/issue', (r) => this.issue(r));
    this.route('GET', '/v1/rewards/:transactionId', (r) => {
      const record = this.rewards.get(r.params.transactionId ?? '');
      return record ? json(200, view(record)) : notFound(`Transaction ${r.params.transactionId} not found`);
    });
    this.route('DELETE', '/v1/rewards/:transactionId', (r) => this.reverse(r));
    this.reset();
  }

  private static emptyCounters() {
    return { issued: 0, rejected: 0, reversed: 0, duplicateIssues: 0, duplicateReversals: 0 };
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

  protected applyVendorConfig(): void {}

  protected vendorConfig(): Record<string, unknown> {
    return {};
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
    return {
      catalog: (f.catalog?.length ?? 0) + Object.keys(f.inventory ?? {}).length,
      blockedAgents: f.blockedAgents?.length ?? 0,
    };
  }

  state(): Record<string, unknown> {
    return {
      ...this.commonState(),
      catalog: [...this.catalog.values()],
      blockedAgents: [...this.blockedAgents],
      rewards: [...this.rewards.values()].map(view),
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
    const existing = this.rewards.get(transactionId);
    if (existing) {
      this.counters.duplicateIssues += 1;
      return json(200, existing.response, { 'idempotent-replayed': 'true' });
    }
    const parsed = IssueSchema.safeParse(body);
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
    if (reason === null && item)
      this.catalog.set(item.rewardType, { ...item, inventory: item.inventory - 1 });
    const processedAt = iso(this.ctx.now());
    const record: RewardRecord = {
      transaction_id: transactionId,
      status: reason === null ? 'ISSUED' : 'REJECTED',
      reward_id: reason === null ? `rwd_${randomUUID()}` : null,
      agent_id: request.agent_id,
      reward_type: request.reward_type,
      points_consumed: request.points_consumed,
      transaction_timestamp: request.transaction_timestamp,
      processed_at: processedAt,
      reason,
      response: {},
    };
    record.response = view(record);
    this.rewards.set(transactionId, record);
    this.counters[reason === null ? 'issued' : 'rejected'] += 1;
    return json(200, record.response);
  }

  private reverse(r: SandboxRequest): SandboxResponse {
    const transactionId = r.params.transactionId ?? '';
    const record = this.rewards.get(transactionId);
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
  const { response: _response, ...rest } = record;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}
