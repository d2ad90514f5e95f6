/**
 * The reward marketplace (spec 004 sections 2-3, paths as the spec writes them). Every answer, success or not,
 * comes back as a `MarketplaceAnswer` for issue-outcome.ts to classify: this adapter decides nothing.
 *
 * The HTTP client must be composed with `MARKETPLACE_RETRY` (no automatic retry of a 5xx or a network failure:
 * an issue is retried only by the workflow, after a lookup by its id, because the marketplace may have issued
 * before failing) and `MARKETPLACE_TIMEOUTS` (spec 004 edge case 1: 10 s connect, 45 s read).
 */
import { TokenRequestError } from '../../http/token-manager';
import { VendorHttpError, type HttpRequest, type VendorHttpClient } from '../../http/types';
import {
  buildIssueRequest,
  RewardsAnswerSchema,
  type RewardsIssueRequest,
} from '../../contracts/rewards-issue.schema';
import type { MarketplaceAnswer } from '../../domain/reward-triggers/issue-outcome';
import type { RewardMarketplace } from '../../domain/reward-triggers/ports';

export { MARKETPLACE_RETRY, MARKETPLACE_TIMEOUTS } from '../../topology';

/** The transaction id is a GUID (transaction-id.ts): nothing else, an HR id least of all, goes in the header. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export class TransactionIdRefused extends Error {
  constructor() {
    super('reward transaction id refused: it must be a GUID (transaction-id.ts)');
    this.name = 'TransactionIdRefused';
  }
}

export function assertTransactionId(transactionId: string): void {
  if (!GUID.test(transactionId)) throw new TransactionIdRefused();
}

export interface RewardMarketplaceOptions {
  /** Sent as `X-Integration-ID` (spec 004 section 2: identifies the source for the marketplace's limits). */
  readonly integrationId: string;
}

export class RewardMarketplaceAdapter implements RewardMarketplace {
  constructor(
    /** Composed with `MARKETPLACE_RETRY` and `MARKETPLACE_TIMEOUTS`. */
    private readonly http: VendorHttpClient,
    private readonly options: RewardMarketplaceOptions,
  ) {}

  async issue(request: RewardsIssueRequest, transactionId: string): Promise<MarketplaceAnswer> {
    assertTransactionId(transactionId);
    // The allowlist again, at the door: a spread or a cast upstream cannot smuggle a field past it.
    const body = buildIssueRequest(request);
    return this.call({
      method: 'POST',
      path: '/v1/rewards/issue',
      body,
      headers: { 'X-Integration-ID': this.options.integrationId, 'X-Request-ID': transactionId },
    });
  }

  async lookup(transactionId: string): Promise<MarketplaceAnswer> {
    return this.onReward('GET', transactionId);
  }

  async reverse(transactionId: string): Promise<MarketplaceAnswer> {
    return this.onReward('DELETE', transactionId);
  }

  /** `/v1/rewards/{transactionId}`: the reward issued under that id. */
  private async onReward(method: 'GET' | 'DELETE', transactionId: string): Promise<MarketplaceAnswer> {
    assertTransactionId(transactionId);
    return this.call({
      method,
      path: `/v1/rewards/${encodeURIComponent(transactionId)}`,
      headers: { 'X-Integration-ID': this.options.integrationId },
    });
  }

  private async call(req: HttpRequest): Promise<MarketplaceAnswer> {
    try {
      const res = await this.http.request<unknown>(req);
      return { kind: 'http', status: res.status, body: answerBody(res.body) };
    } catch (err) {
      return toAnswer(err);
    }
  }
}

/**
 * A 2xx body in the answer's shape is passed on as parsed (zod/mini); one that is not is passed on as received,
 * and `classifyAnswer` sends it to manual review ("answer without a status").
 */
function answerBody(body: unknown): unknown {
  const parsed = RewardsAnswerSchema.safeParse(body);
  return parsed.success ? parsed.data : body;
}

function toAnswer(err: unknown): MarketplaceAnswer {
  if (!(err instanceof VendorHttpError)) throw err;
  // No token, so no call: nothing happened at the marketplace, and this is not its answer.
  if (err.cause instanceof TokenRequestError) throw err;
  if (err.status > 0) return { kind: 'http', status: err.status, body: err.body };
  const cause = err.cause as { name?: string; message?: string; cause?: { code?: string } } | undefined;
  // fetch exposes no connect phase (vendor-http-client.ts), so every timeout is reported as the ambiguous
  // one: the request may have arrived.
  if (cause?.name === 'TimeoutError') return { kind: 'timeout', phase: 'read' };
  const code = cause?.cause?.code;
  return code ? { kind: 'connection-error', code } : { kind: 'connection-error' };
}
