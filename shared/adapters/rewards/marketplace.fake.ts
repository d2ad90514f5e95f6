/**
 * In-memory reward marketplace with the sandbox's rules (local/sandboxes/vendors/rewards.ts): 200 with a body
 * `ISSUED` or `REJECTED` (inventory, unknown type, too few points, blocked agent), idempotent on the transaction
 * id (replay, or 409 for another payload with `payloadMismatch: 'conflict'`), `PENDING` that settles by
 * `settle` or on its clock, reversal once, and scripted failures, "commit then fail" included.
 */
import { buildIssueRequest, type RewardsIssueRequest } from '../../contracts/rewards-issue.schema';
import type { MarketplaceAnswer } from '../../domain/reward-triggers/issue-outcome';
import type { RewardMarketplace } from '../../domain/reward-triggers/ports';
import { assertTransactionId } from './marketplace';

type Call = 'issue' | 'lookup' | 'reverse';
type Status = 'PENDING' | 'ISSUED' | 'REJECTED' | 'REVERSED';

export interface FakeReward {
  readonly transaction_id: string;
  status: Status;
  reward_id: string | null;
  readonly agent_id: string;
  readonly reward_type: string;
  readonly points_consumed: number;
  readonly transaction_timestamp: string;
  readonly processed_at: string;
  reason: string | null;
  reversed_at?: string;
  settled_at?: string;
}

interface Held {
  record: FakeReward;
  /** The first answer, replayed for the same id. */
  response: FakeReward;
  payloadKey: string;
  settlement?: { status: 'ISSUED' | 'REJECTED'; reason: string | null; dueAt: number | null };
}

export interface FakeRewardMarketplaceOptions {
  readonly payloadMismatch?: 'replay' | 'conflict';
  readonly now?: () => number;
}

export class FakeRewardMarketplace implements RewardMarketplace {
  /** Reward type -> units left and the minimum points. */
  readonly catalog = new Map<string, { inventory: number; pointsCost?: number }>();
  readonly blockedAgents = new Set<string>();
  /** Every call, in order, with the body an issue sent. */
  readonly calls: { call: Call; transactionId: string; body?: RewardsIssueRequest }[] = [];
  payloadMismatch: 'replay' | 'conflict';
  /** Like the sandbox's `pendingIssues`. */
  pendingIssues: { settleAfterMs: number | null; settleAs: 'ISSUED' | 'REJECTED' } | null = null;
  private readonly held = new Map<string, Held>();
  private readonly scripted: { call: Call; answer: MarketplaceAnswer; commitFirst: boolean }[] = [];
  private readonly now: () => number;
  private nextRewardId = 1;

  constructor(options: FakeRewardMarketplaceOptions = {}) {
    this.payloadMismatch = options.payloadMismatch ?? 'replay';
    this.now = options.now ?? (() => Date.now());
  }

  /** The next `call` answers `answer`; with `commitFirst`, after doing what it would have done. */
  failNext(call: Call, answer: MarketplaceAnswer, options: { commitFirst?: boolean } = {}): void {
    this.scripted.push({ call, answer, commitFirst: options.commitFirst ?? false });
  }

  /** Drops the scripted failures not yet answered (the outage is over). */
  clearFailures(): void {
    this.scripted.length = 0;
  }

  /** Rewards as the marketplace holds them, settled where due. */
  rewards(): FakeReward[] {
    return [...this.held.keys()].map((id) => ({ ...this.get(id)!.record }));
  }

  /** Settles a PENDING transaction now, as `status` (default what it was going to settle to). */
  settle(transactionId: string, status?: 'ISSUED' | 'REJECTED'): void {
    const held = this.held.get(transactionId);
    if (held?.record.status !== 'PENDING' || !held.settlement) {
      throw new Error(`transaction ${transactionId} is not PENDING`);
    }
    const to = status ?? held.settlement.status;
    this.settleHeld(held, {
      status: to,
      reason: to === 'ISSUED' ? null : (held.settlement.reason ?? 'FULFILLMENT_FAILED'),
    });
  }

  async issue(request: RewardsIssueRequest, transactionId: string): Promise<MarketplaceAnswer> {
    assertTransactionId(transactionId);
    const body = buildIssueRequest(request);
    this.calls.push({ call: 'issue', transactionId, body });
    return this.answer('issue', () => this.doIssue(body, transactionId));
  }

  async lookup(transactionId: string): Promise<MarketplaceAnswer> {
    assertTransactionId(transactionId);
    this.calls.push({ call: 'lookup', transactionId });
    return this.answer('lookup', () => {
      const held = this.get(transactionId);
      return held ? ok({ ...held.record }) : notFound(transactionId);
    });
  }

  async reverse(transactionId: string): Promise<MarketplaceAnswer> {
    assertTransactionId(transactionId);
    this.calls.push({ call: 'reverse', transactionId });
    return this.answer('reverse', () => {
      const held = this.get(transactionId);
      if (!held) return notFound(transactionId);
      const r = held.record;
      if (r.status === 'REVERSED') return ok({ ...r });
      if (r.status !== 'ISSUED') {
        return http(409, {
          error: 'conflict',
          message: `Transaction ${transactionId} was ${r.status}; nothing to reverse`,
          status: 409,
          currentStatus: r.status,
        });
      }
      const item = this.catalog.get(r.reward_type);
      if (item) item.inventory += 1;
      r.status = 'REVERSED';
      r.reversed_at = new Date(this.now()).toISOString();
      return ok({ ...r });
    });
  }

  private answer(call: Call, act: () => MarketplaceAnswer): MarketplaceAnswer {
    const index = this.scripted.findIndex((s) => s.call === call);
    if (index < 0) return act();
    const [script] = this.scripted.splice(index, 1);
    if (script!.commitFirst) {
      const real = act();
      if (real.kind === 'http' && real.status >= 300) {
        this.scripted.splice(index, 0, script!); // nothing committed: the failure waits for a call that does
        return real;
      }
    }
    return script!.answer;
  }

  private doIssue(body: RewardsIssueRequest, transactionId: string): MarketplaceAnswer {
    const existing = this.get(transactionId);
    const key = payloadKey(body);
    if (existing) {
      if (this.payloadMismatch === 'conflict' && existing.payloadKey !== key) {
        return http(409, {
          error: 'idempotency.payload.mismatch',
          message: `Transaction ${transactionId} was first sent with another payload`,
          status: 409,
          transaction_id: transactionId,
          currentStatus: existing.record.status,
        });
      }
      return ok({ ...existing.response });
    }
    const item = this.catalog.get(body.reward_type);
    const rejected = this.blockedAgents.has(body.agent_id)
      ? 'POLICY_VIOLATION'
      : !item
        ? 'UNKNOWN_REWARD_TYPE'
        : item.pointsCost !== undefined && body.points_consumed < item.pointsCost
          ? 'INSUFFICIENT_POINTS'
          : item.inventory < 1
            ? 'INSUFFICIENT_INVENTORY'
            : null;
    const pending = this.pendingIssues;
    const reason = rejected === null && pending?.settleAs === 'REJECTED' ? 'FULFILLMENT_FAILED' : rejected;
    if (reason === null && item) item.inventory -= 1;
    const now = this.now();
    const record: FakeReward = {
      transaction_id: transactionId,
      status: 'PENDING',
      reward_id: null,
      agent_id: body.agent_id,
      reward_type: body.reward_type,
      points_consumed: body.points_consumed,
      transaction_timestamp: body.transaction_timestamp,
      processed_at: new Date(now).toISOString(),
      reason: null,
    };
    const held: Held = { record, response: { ...record }, payloadKey: key };
    this.held.set(transactionId, held);
    const outcome = { status: reason === null ? ('ISSUED' as const) : ('REJECTED' as const), reason };
    if (pending) {
      held.settlement = {
        ...outcome,
        dueAt: pending.settleAfterMs === null ? null : now + pending.settleAfterMs,
      };
    } else {
      this.settleHeld(held, outcome);
    }
    return ok({ ...held.response });
  }

  private get(transactionId: string): Held | undefined {
    const held = this.held.get(transactionId);
    const due = held?.settlement?.dueAt;
    if (held && held.record.status === 'PENDING' && due != null && this.now() >= due) {
      this.settleHeld(held, held.settlement!);
    }
    return held;
  }

  private settleHeld(held: Held, outcome: { status: 'ISSUED' | 'REJECTED'; reason: string | null }): void {
    const wasPending = held.settlement !== undefined;
    const item = this.catalog.get(held.record.reward_type);
    if (wasPending && item && held.settlement!.status !== outcome.status) {
      item.inventory += outcome.status === 'ISSUED' ? -1 : 1;
    }
    const r = held.record;
    r.status = outcome.status;
    r.reason = outcome.reason;
    r.reward_id = outcome.status === 'ISSUED' ? `rwd_fake_${this.nextRewardId++}` : null;
    if (wasPending) r.settled_at = new Date(this.now()).toISOString();
    delete held.settlement;
    held.response = { ...r };
  }
}

const http = (status: number, body: unknown): MarketplaceAnswer => ({ kind: 'http', status, body });
const ok = (body: FakeReward): MarketplaceAnswer => http(200, body);
const notFound = (transactionId: string): MarketplaceAnswer =>
  http(404, { error: 'not.found', message: `Transaction ${transactionId} not found`, status: 404 });

function payloadKey(body: RewardsIssueRequest): string {
  const m = body.metadata;
  return JSON.stringify([
    body.agent_id,
    body.reward_type,
    body.points_consumed,
    body.transaction_timestamp,
    [m.source_platform, m.wfm_export_version, m.rule_version],
  ]);
}
