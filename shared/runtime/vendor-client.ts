/**
 * Composes a vendor's HTTP client for a workflow function: OAuth from Secrets Manager, the vendor's rate
 * limit shared through the State table, spec 002's breaker, metrics per call. Retry delays and the breaker
 * pause are scaled by WFM_RETRY_SCALE (1 in AWS; the local runtime sets 0.1 so failures show within a minute).
 */
import { CircuitBreaker } from '../http/circuit-breaker';
import { DynamoDbTokenBucket, type RateLimit } from '../http/rate-limiter';
import { secretsManagerCredentials } from '../http/secrets-credentials';
import { TokenManager } from '../http/token-manager';
import { createVendorHttpClient, type InstrumentedVendorHttpClient } from '../http/vendor-http-client';
import { count, countWith, MetricName } from '../observability/metrics';
import { vendorByName, type VendorName } from '../topology';
import type { WorkflowRuntime } from './workflow-runtime';

export interface VendorClient {
  readonly http: InstrumentedVendorHttpClient;
  readonly tokens: TokenManager;
  readonly breaker: CircuitBreaker;
}

export function buildVendorClient(
  runtime: WorkflowRuntime,
  vendor: VendorName,
  opts: { limit?: RateLimit; limiterName?: string; refreshBeforeSeconds?: number; leaseSize?: number } = {},
): VendorClient {
  const { env, clock, metrics, logger } = runtime;
  const declared = vendorByName(vendor);
  const tokens = new TokenManager({
    tokenUrl: `${env.VENDOR_BASE_URL.replace(/\/$/, '')}${declared.tokenPath}`,
    getCredentials: secretsManagerCredentials(env.VENDOR_SECRET_ID, env.SECRETS_CACHE_TTL_SECONDS),
    clock,
    refreshBeforeSeconds: opts.refreshBeforeSeconds ?? 300,
  });
  const scale = Number(process.env.WFM_RETRY_SCALE ?? '1');
  const breaker = new CircuitBreaker({
    clock,
    pauseMs: 5000 * scale,
    onStateChange: (state) => {
      logger.warn('vendor circuit breaker changed state', { vendor, state });
      if (state === 'open') count(metrics, MetricName.BreakerOpen);
    },
  });
  const http = createVendorHttpClient({
    vendor,
    baseUrl: env.VENDOR_BASE_URL,
    clock,
    tokens,
    breaker,
    limiter: new DynamoDbTokenBucket({
      name: opts.limiterName ?? vendor,
      limit: withHeadroom(opts.limit ?? declared.rateLimit),
      doc: runtime.doc,
      tableName: env.STATE_TABLE_NAME,
      clock,
      leaseSize: opts.leaseSize,
    }),
    retry: { scale },
    adaptiveBackoff: true,
    onCall: (call) => {
      countWith(metrics, MetricName.VendorCalls, { status: String(call.status) });
      if (call.status === 429) count(metrics, MetricName.RateLimited);
      logger.debug('vendor call', { ...call });
    },
  });
  return { http, tokens, breaker };
}

/**
 * Requests leave at the limiter's pace but reach the vendor bunched by network jitter; running 5% under the
 * vendor's rate (and one under its burst) keeps its bucket from seeing a burst it would answer with 429.
 */
export function withHeadroom(limit: RateLimit): RateLimit {
  return { ratePerSecond: limit.ratePerSecond * 0.95, burst: Math.max(1, limit.burst - 1) };
}
