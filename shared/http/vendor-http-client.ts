/**
 * The one way adapters reach a vendor: every attempt waits for the circuit breaker and the rate limiter,
 * carries a bearer token from the token manager, and follows spec 000's retry table. Non-retryable answers
 * and exhausted retries reject with `VendorHttpError`, which adapters translate into workflow outcomes.
 */
import type { Clock } from '../ports/clock';
import type { CircuitBreaker } from './circuit-breaker';
import type { RateLimiter } from './rate-limiter';
import { decideRetry, DEFAULT_RETRY, retryAfterMs, type RetryConfig } from './retry-policy';
import type { TokenManager } from './token-manager';
import { VendorHttpError, type HttpRequest, type HttpResponse, type VendorHttpClient } from './types';

export interface CallInfo {
  readonly vendor: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | 'network';
  readonly attempt: number;
  readonly dispatchedAt: number;
  readonly durationMs: number;
}

export interface VendorHttpClientOptions {
  readonly vendor: string;
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly limiter: RateLimiter;
  readonly tokens?: TokenManager;
  readonly breaker?: CircuitBreaker;
  readonly retry?: Partial<RetryConfig>;
  /** Connect + read timeout of the first attempt; network retries get 1.5x more each time. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly onCall?: (info: CallInfo) => void;
  /** Spec 002: when 429s exceed 10% of recent calls, pause 100-500 ms (jittered) before each attempt. */
  readonly adaptiveBackoff?: boolean;
}

export interface InstrumentedVendorHttpClient extends VendorHttpClient {
  /** The last rate-limit headers the vendor sent (x-ratelimit-*, retry-after), for diagnostics. */
  readonly lastRateLimitHeaders: Readonly<Record<string, string>>;
}

const RECENT = 100;

export function createVendorHttpClient(o: VendorHttpClientOptions): InstrumentedVendorHttpClient {
  const retry: RetryConfig = { ...DEFAULT_RETRY, ...o.retry };
  const doFetch = o.fetch ?? fetch;
  const recent: boolean[] = []; // true = 429
  let lastRateLimitHeaders: Record<string, string> = {};

  const throttledShare = () => (recent.length ? recent.filter(Boolean).length / recent.length : 0);

  async function attemptOnce(req: HttpRequest, token: string | undefined, attempt: number) {
    const url = new URL(o.baseUrl.replace(/\/$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = (req.timeoutMs ?? o.timeoutMs ?? 10_000) * 1.5 ** (attempt - 1);
    const res = await doFetch(url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(timeout),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => (responseHeaders[name] = value));
    return { status: res.status, headers: responseHeaders, body };
  }

  return {
    get lastRateLimitHeaders() {
      return lastRateLimitHeaders;
    },
    async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
      let refreshedOn401 = false;
      for (let attempt = 1; ; attempt++) {
        await o.breaker?.acquire();
        await o.limiter.acquire();
        if (o.adaptiveBackoff && recent.length >= 20 && throttledShare() > 0.1) {
          await o.clock.sleep(100 + Math.round(retry.random() * 400));
        }
        const token = o.tokens ? await o.tokens.getToken() : undefined;
        const dispatchedAt = o.clock.now();
        let outcome: { status: number; headers: Record<string, string>; body: unknown } | undefined;
        let networkError: Error | undefined;
        try {
          outcome = await attemptOnce(req, token, attempt);
        } catch (err) {
          networkError = err as Error;
        }
        const status = outcome?.status ?? 'network';
        o.onCall?.({
          vendor: o.vendor,
          method: req.method,
          path: req.path,
          status,
          attempt,
          dispatchedAt,
          durationMs: o.clock.now() - dispatchedAt,
        });
        recent.push(status === 429);
        if (recent.length > RECENT) recent.shift();
        o.breaker?.record(status !== 'network' && status !== 429 && status < 500);

        if (outcome) {
          const rl = Object.fromEntries(
            Object.entries(outcome.headers).filter(
              ([k]) => k.startsWith('x-ratelimit') || k === 'retry-after',
            ),
          );
          if (Object.keys(rl).length) lastRateLimitHeaders = rl;
          if (outcome.status < 300)
            return {
              status: outcome.status,
              headers: outcome.headers,
              body: outcome.body as T,
              attempts: attempt,
            };
          if (outcome.status === 401 && token && o.tokens && !refreshedOn401) {
            refreshedOn401 = true;
            o.tokens.invalidate(token);
            continue;
          }
          if (outcome.status === 429) {
            await o.limiter.onThrottled(retryAfterMs(outcome.headers['retry-after'], o.clock.now()) ?? 1000);
          }
        }
        const decision = decideRetry(status, attempt, outcome?.headers ?? {}, o.clock.now(), retry);
        if (!decision.retry) {
          const why = networkError ? `network error: ${networkError.message}` : `HTTP ${status}`;
          throw new VendorHttpError(
            o.vendor,
            outcome?.status ?? 0,
            outcome?.body,
            attempt,
            `${o.vendor} ${req.method} ${req.path} failed after ${attempt} attempt(s): ${why}`,
          );
        }
        if (decision.delayMs > 0) await o.clock.sleep(decision.delayMs);
      }
    },
  };
}
