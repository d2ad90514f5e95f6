/**
 * Composes a vendor's HTTP client for a workflow function: OAuth from Secrets Manager with one token per
 * vendor client shared by every instance through the State table (docs/decisions/0007-shared-vendor-token.md),
 * the client and its scopes being the function's `oauthClient` (one per workflow and vendor, decision 0013),
 * the vendor's rate limit shared the same way, spec 002's breaker, metrics per call. The vendor, the retry table,
 * the timeouts and the breaker settings come from the function's declaration in shared/topology.ts
 * (`vendor`, `vendorClient`); what it leaves out keeps the defaults. Retry delays and the breaker pause are
 * scaled by WFM_RETRY_SCALE (1 in AWS; the local runtime sets 0.1 so failures show within a minute).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CircuitBreaker, type BreakerSettings, type BreakerState } from '../http/circuit-breaker';
import { DynamoDbTokenBucket } from '../adapters/aws/dynamodb-token-bucket';
import { DynamoDbTokenStore } from '../adapters/aws/dynamodb-token-store';
import { secretsManagerCredentials } from '../adapters/aws/secrets-credentials';
import type { RateLimit } from '../http/rate-limiter';
import type { RetryTable } from '../http/retry-policy';
import { TokenManager, type TokenManagerOptions, type TokenRefresh } from '../http/token-manager';
import {
  createVendorHttpClient,
  type CallInfo,
  type InstrumentedVendorHttpClient,
  type Timeouts,
} from '../http/vendor-http-client';
import type { Clock } from '../ports/clock';
import { count, countWith, MetricName, recordDuration } from '../observability/metrics';
import { oauthTokenCredentialsId, vendorByName, workflowFunction, type VendorName } from '../topology';
import type { WorkflowRuntime } from './workflow-runtime';

export interface VendorClient {
  readonly http: InstrumentedVendorHttpClient;
  readonly tokens: TokenManager;
  readonly breaker: CircuitBreaker;
}

export interface VendorClientParts {
  readonly vendor: VendorName;
  readonly baseUrl: string;
  readonly getCredentials: TokenManagerOptions['getCredentials'];
  /**
   * What identifies those credentials and scopes (`oauthTokenCredentialsId` of the function's OAuth client):
   * every instance composing with the same id shares one token, kept in the State table. Default `default`.
   */
  readonly credentialsId?: string;
  /** Requested on every token request (`scope`, space-separated); none sends no `scope`. */
  readonly scopes?: readonly string[];
  /** A token manager to share (a second client of this instance on the same credentials). */
  readonly tokens?: TokenManager;
  readonly clock: Clock;
  /** Where the shared token and rate-limit bucket live (the State table). */
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The vendor's limit; the declared one by default. The bucket runs with `withHeadroom`. */
  readonly limit?: RateLimit;
  readonly limiterName?: string;
  readonly leaseSize?: number;
  readonly refreshBeforeSeconds?: number;
  /** Multiplies retry delays and the breaker pause (WFM_RETRY_SCALE). Default 1. */
  readonly scale?: number;
  /** Overrides of spec 000's retry table (DEFAULT_RETRY). */
  readonly retry?: Partial<RetryTable>;
  /** Per-phase budgets and the whole-call deadline (DEFAULT_TIMEOUTS: 3 s + 7 s, 7 s idle, none). */
  readonly timeouts?: Partial<Timeouts>;
  /** Spec 002's breaker by default: below 85% success over 10 s (at least 20 calls), pause 5 s. */
  readonly breaker?: BreakerSettings;
  readonly onBreakerChange?: (state: BreakerState) => void;
  readonly onCall?: (call: CallInfo) => void;
  /** Every token request of the client's token manager, with its duration (the refresh-time metric). */
  readonly onTokenRefresh?: (refresh: TokenRefresh) => void;
}

/** The composition itself, for workflow functions (below) and benchmarks that drive a vendor path alone. */
export function composeVendorClient(p: VendorClientParts): VendorClient {
  const declared = vendorByName(p.vendor);
  const scale = p.scale ?? 1;
  const tokens =
    p.tokens ??
    new TokenManager({
      tokenUrl: `${p.baseUrl.replace(/\/$/, '')}${declared.tokenPath}`,
      getCredentials: p.getCredentials,
      scopes: p.scopes,
      clock: p.clock,
      refreshBeforeSeconds: p.refreshBeforeSeconds ?? declared.refreshBeforeSeconds ?? 300,
      pauseAfterUnauthorizedMs: (declared.pauseAfterUnauthorizedMs ?? 0) * scale,
      onRefresh: (refresh) => p.onTokenRefresh?.(refresh),
      store: new DynamoDbTokenStore({
        doc: p.doc,
        tableName: p.tableName,
        vendor: p.vendor,
        credentialsId: p.credentialsId ?? 'default',
      }),
    });
  const breaker = new CircuitBreaker({
    clock: p.clock,
    ...p.breaker,
    pauseMs: (p.breaker?.pauseMs ?? 5000) * scale,
    onStateChange: (state) => p.onBreakerChange?.(state),
  });
  const http = createVendorHttpClient({
    vendor: p.vendor,
    baseUrl: p.baseUrl,
    clock: p.clock,
    tokens,
    breaker,
    limiter: new DynamoDbTokenBucket({
      name: p.limiterName ?? p.vendor,
      limit: withHeadroom(p.limit ?? declared.rateLimit),
      doc: p.doc,
      tableName: p.tableName,
      clock: p.clock,
      leaseSize: p.leaseSize,
    }),
    retry: { ...p.retry, scale },
    timeouts: p.timeouts,
    adaptiveBackoff: true,
    onCall: p.onCall,
  });
  return { http, tokens, breaker };
}

/** Per-client settings a function's composition root may add (a second client on another endpoint's limit). */
export interface VendorClientOverrides {
  /** The token manager of this instance's other client on the same credentials: one token per instance. */
  readonly tokens?: TokenManager;
  readonly limit?: RateLimit;
  readonly limiterName?: string;
  readonly refreshBeforeSeconds?: number;
  readonly leaseSize?: number;
}

/**
 * How much a function scales its waits (retries, breaker pause, lock leases): WFM_RETRY_SCALE, 1 in AWS,
 * 0.1 in the local runtime so failures show within a minute. The local runtime reads it from a function's
 * environment to scale the timeout that function's context reports (local/function-host.ts).
 */
export function waitScale(env: Readonly<Record<string, string | undefined>> = process.env): number {
  return Number(env.WFM_RETRY_SCALE ?? '1');
}

/** The vendor client of the running function, as its topology declaration (`WORKFLOW_FUNCTION`) describes it. */
export function buildVendorClient(runtime: WorkflowRuntime, opts: VendorClientOverrides = {}): VendorClient {
  const declared = workflowFunction(runtime.env.WORKFLOW, runtime.env.WORKFLOW_FUNCTION);
  const vendor = declared.vendor;
  const profile = declared.vendorClient ?? {};
  const { env, metrics, logger } = runtime;
  return composeVendorClient({
    vendor,
    baseUrl: env.VENDOR_BASE_URL,
    getCredentials: secretsManagerCredentials(env.VENDOR_SECRET_ID, env.SECRETS_CACHE_TTL_SECONDS),
    credentialsId: oauthTokenCredentialsId(declared.oauthClient),
    scopes: declared.oauthClient.scopes,
    clock: runtime.clock,
    doc: runtime.doc,
    tableName: env.STATE_TABLE_NAME,
    scale: waitScale(),
    retry: profile.retry,
    timeouts: profile.timeouts,
    breaker: profile.breaker,
    ...opts,
    onBreakerChange: (state) => {
      logger.warn('vendor circuit breaker changed state', { vendor, state });
      if (state === 'open') count(metrics, MetricName.BreakerOpen);
    },
    onCall: (call) => {
      countWith(metrics, MetricName.VendorCalls, { status: String(call.status) });
      if (call.status === 429) count(metrics, MetricName.RateLimited);
      logger.info('vendor call', { ...call });
    },
    onTokenRefresh: ({ durationMs, ok }) => {
      recordDuration(metrics, MetricName.TokenRefreshDuration, durationMs);
      logger.info('vendor token refresh', { vendor, durationMs, ok });
    },
  });
}

/**
 * Requests leave at the limiter's pace but reach the vendor bunched by network jitter; running 5% under the
 * vendor's rate (and one under its burst) keeps its bucket from seeing a burst it would answer with 429.
 */
export function withHeadroom(limit: RateLimit): RateLimit {
  return { ratePerSecond: limit.ratePerSecond * 0.95, burst: Math.max(1, limit.burst - 1) };
}
