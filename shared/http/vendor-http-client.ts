/**
 * The one way adapters reach a vendor: every attempt waits for the circuit breaker, spec 002's adaptive
 * brake and the rate limiter, carries a bearer token from the token manager, and follows spec 000's retry
 * table. Every attempt carries `X-Correlation-Id` (the record's, see correlation.ts) and `X-Timestamp-Dispatch`,
 * stamped when it is really sent (spec 002 section 4). Non-retryable answers and exhausted retries reject with `VendorHttpError`, which adapters
 * translate into workflow outcomes.
 *
 * Timeouts, per phase (`Timeouts`): connect, response headers, body idle, and the whole call. Transport is
 * the global `fetch` (undici: keep-alive connection reuse by default), which exposes no separate connect
 * phase to time: a connection is opened (or reused) inside the wait for the response headers. So the
 * connect budget is honest only as an allowance: `connectMs + responseHeadersMs` bounds the wait from
 * dispatch to the response headers, whether the time went to connecting or to the vendor thinking.
 * `bodyIdleMs` bounds every wait for the next chunk of the body. Network retries grow these per-attempt
 * budgets (spec 000). `totalMs`, when set, is the deadline of the whole call (every attempt, retry wait,
 * breaker pause and adaptive brake): an attempt is cut at it, and a wait that would end past it is not
 * slept; the call fails at once as a timeout (`VendorHttpError`, status 0, transient).
 */
import type { Clock } from '../ports/clock';
import { correlationId } from './correlation';
import type { BreakerPermit, CircuitBreaker } from './circuit-breaker';
import { AdaptiveThrottle, type RateLimiter } from './rate-limiter';
import {
  attemptTimeoutMs,
  decideRetry,
  DEFAULT_RETRY,
  requestedWaitMs,
  type RetryConfig,
} from './retry-policy';
import { TokenRequestError, type TokenManager } from './token-manager';
import { probeVendorCall } from './vendor-call-probe';
import { VendorHttpError, type HttpRequest, type HttpResponse, type VendorHttpClient } from './types';

export interface CallInfo {
  readonly vendor: string;
  readonly method: string;
  /** The request path without the query string (no identifiers beyond what the path carries). */
  readonly path: string;
  readonly status: number | 'network';
  readonly attempt: number;
  readonly dispatchedAt: number;
  readonly durationMs: number;
  /** `*ratelimit*`, `retry-after` and `retry-after-ms` headers of this response, when it had any. */
  readonly rateLimitHeaders?: Readonly<Record<string, string>>;
  /** What went wrong on a network failure (timeout, refused connection...). */
  readonly error?: string;
  /** How long spec 002's adaptive brake held this attempt back. */
  readonly throttledForMs?: number;
}

export interface Timeouts {
  /** Allowance for connecting, added to the response-header wait (fetch has no separate connect phase). Default 3 s. */
  readonly connectMs: number;
  /** From the request being sent (after connecting) to the response headers. Default 7 s. */
  readonly responseHeadersMs: number;
  /** Longest gap between two chunks of the response body. Default 7 s. */
  readonly bodyIdleMs: number;
  /** Deadline of the whole call, retries and waits included. Default none (the retry table bounds it). */
  readonly totalMs?: number;
}

export interface VendorHttpClientOptions {
  readonly vendor: string;
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly limiter: RateLimiter;
  readonly tokens?: TokenManager;
  readonly breaker?: CircuitBreaker;
  readonly retry?: Partial<RetryConfig>;
  /** Per-phase budgets; each one not given keeps its default (`DEFAULT_TIMEOUTS`). */
  readonly timeouts?: Partial<Timeouts>;
  readonly fetch?: typeof fetch;
  readonly onCall?: (info: CallInfo) => void;
  /** Spec 002: when 429s exceed 10% of recent calls, hold each attempt back (exponential + 100-500 ms). */
  readonly adaptiveBackoff?: boolean | AdaptiveThrottle;
}

export interface InstrumentedVendorHttpClient extends VendorHttpClient {
  /** The last rate-limit headers the vendor sent (x-ratelimit-*, retry-after), for diagnostics. */
  readonly lastRateLimitHeaders: Readonly<Record<string, string>>;
  /** The adaptive brake, when enabled (its share of 429s feeds logs and tests). */
  readonly throttle?: AdaptiveThrottle;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 3000, responseHeadersMs: 7000, bodyIdleMs: 7000 };

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

class AttemptTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what} within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** The whole-call deadline (`Timeouts.totalMs`) passed: never retried. */
class CallDeadlineExceeded extends AttemptTimeout {
  constructor(totalMs: number) {
    super('the call did not finish', totalMs);
  }
}

export function createVendorHttpClient(o: VendorHttpClientOptions): InstrumentedVendorHttpClient {
  const retry: RetryConfig = { ...DEFAULT_RETRY, ...o.retry };
  const doFetch = o.fetch ?? fetch;
  const throttle =
    o.adaptiveBackoff instanceof AdaptiveThrottle
      ? o.adaptiveBackoff
      : o.adaptiveBackoff
        ? new AdaptiveThrottle({ clock: o.clock, random: retry.random, scale: retry.scale })
        : undefined;
  let lastRateLimitHeaders: Record<string, string> = {};

  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };

  function budget(req: HttpRequest, attempt: number) {
    const base = req.timeoutMs
      ? { headersMs: req.timeoutMs, idleMs: req.timeoutMs }
      : { headersMs: timeouts.connectMs + timeouts.responseHeadersMs, idleMs: timeouts.bodyIdleMs };
    return {
      headersMs: attemptTimeoutMs(base.headersMs, attempt, retry),
      idleMs: attemptTimeoutMs(base.idleMs, attempt, retry),
    };
  }

  /** `remainingMs`: time left before the whole-call deadline (Infinity without one); the attempt is cut there. */
  async function send(
    req: HttpRequest,
    token: string | undefined,
    attempt: number,
    remainingMs: number,
    dispatchedAt: number,
    correlation: string,
  ): Promise<Answer> {
    const url = new URL(o.baseUrl.replace(/\/$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers = new Headers({ accept: 'application/json' });
    if (req.body !== undefined) headers.set('content-type', 'application/json');
    for (const [k, v] of Object.entries(req.headers ?? {})) headers.set(k, v);
    if (token) headers.set('authorization', `Bearer ${token}`);
    // Spec 002 telemetry: the moment this attempt leaves, after every wait (breaker, brake, limiter, token).
    headers.set('x-timestamp-dispatch', new Date(dispatchedAt).toISOString());
    headers.set('x-correlation-id', correlation);
    const { headersMs, idleMs } = budget(req, attempt);
    const controller = new AbortController();
    let timer = setTimeout(
      () => controller.abort(new AttemptTimeout('no response headers', headersMs)),
      headersMs,
    );
    const deadline = Number.isFinite(remainingMs)
      ? setTimeout(() => controller.abort(new CallDeadlineExceeded(timeouts.totalMs!)), remainingMs)
      : undefined;
    try {
      const res = await doFetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: controller.signal,
      });
      const responseHeaders: Record<string, string> = {};
      res.headers.forEach((value, name) => (responseHeaders[name] = value));
      let text = '';
      if (res.body) {
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          clearTimeout(timer);
          timer = setTimeout(() => controller.abort(new AttemptTimeout('no body data', idleMs)), idleMs);
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        text += decoder.decode();
      }
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text
      }
      return { status: res.status, headers: responseHeaders, body };
    } catch (err) {
      throw controller.signal.aborted ? controller.signal.reason : err;
    } finally {
      clearTimeout(timer);
      clearTimeout(deadline);
    }
  }

  function rateLimitHeadersOf(headers: Record<string, string>) {
    const found = Object.entries(headers).filter(
      ([k]) => k.includes('ratelimit') || k === 'retry-after' || k === 'retry-after-ms',
    );
    return found.length ? Object.fromEntries(found) : undefined;
  }

  /** The vendor's own words for a refusal (`message`, `error_description` or `error`), kept short. */
  function vendorReason(body: unknown): string | undefined {
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const found = [fields.message, fields.error_description, fields.error].find(
      (v): v is string => typeof v === 'string' && v.trim() !== '',
    );
    const text = found ?? (typeof body === 'string' ? body : undefined);
    return text?.trim().slice(0, 200) || undefined;
  }

  function describeNetworkError(err: unknown): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const cause = e.cause?.code ?? e.cause?.message;
    return `${e.name ?? 'Error'}: ${e.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
  }

  async function tokenFor(attempt: number, req: HttpRequest): Promise<string | undefined> {
    if (!o.tokens) return undefined;
    try {
      return await o.tokens.getToken();
    } catch (err) {
      if (!(err instanceof TokenRequestError)) throw err;
      // Credentials or the token endpoint, not the request: let SQS redeliver later.
      throw new VendorHttpError(
        o.vendor,
        err.status,
        undefined,
        attempt,
        `${o.vendor} ${req.method} ${req.path}: ${err.message}`,
        { cause: err, transient: true },
      );
    }
  }

  return {
    get lastRateLimitHeaders() {
      return lastRateLimitHeaders;
    },
    throttle,
    async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
      /** When this call was first answered 401; a token obtained at or after it is a refreshed one. */
      let first401At: number | undefined;
      let invalidations = 0;
      let refreshedOn401 = false;
      const correlation = correlationId();
      const deadline = timeouts.totalMs === undefined ? Infinity : o.clock.now() + timeouts.totalMs;
      const remainingMs = () => deadline - o.clock.now();
      /** The whole-call deadline passed, or a wait would end past it: fail now, as a timeout. */
      const deadlineError = (attempts: number, last?: string) =>
        new VendorHttpError(
          o.vendor,
          0,
          undefined,
          attempts,
          `${o.vendor} ${req.method} ${req.path} timed out: no result within its ${timeouts.totalMs} ms deadline after ${attempts} attempt(s)${last ? ` (last: ${last})` : ''}`,
          { cause: new CallDeadlineExceeded(timeouts.totalMs!), transient: true },
        );
      let last: string | undefined;
      for (let attempt = 1; ; attempt++) {
        const reopensAt = o.breaker?.reopensAt;
        if (remainingMs() <= 0 || (reopensAt !== undefined && reopensAt >= deadline))
          throw deadlineError(
            attempt - 1,
            last ?? (reopensAt !== undefined ? 'circuit breaker open' : undefined),
          );
        let permit: BreakerPermit | undefined = await o.breaker?.acquire();
        let answer: Answer | undefined;
        let networkError: unknown;
        let token: string | undefined;
        let tokenObtainedAt: number | undefined;
        let dispatchedAt: number;
        let throttledForMs = 0;
        try {
          throttledForMs = throttle?.delayMs() ?? 0;
          if (throttledForMs >= remainingMs()) throw deadlineError(attempt - 1, last);
          if (throttledForMs > 0) await o.clock.sleep(throttledForMs);
          // Spec 003: after a 401 every request of this client backs off while the one refresh runs.
          const pauseMs = o.tokens?.pauseRemainingMs ?? 0;
          if (pauseMs > 0) {
            if (pauseMs >= remainingMs()) throw deadlineError(attempt - 1, last);
            await o.tokens!.pause();
          }
          await o.limiter.acquire();
          token = await tokenFor(attempt, req);
          tokenObtainedAt = token === undefined ? undefined : o.tokens?.obtainedAt(token);
          if (remainingMs() <= 0) throw deadlineError(attempt - 1, last);
          dispatchedAt = o.clock.now();
        } catch (err) {
          if (permit) o.breaker?.release(permit);
          throw err;
        }
        probeVendorCall('before-call', { vendor: o.vendor, method: req.method, path: req.path });
        try {
          answer = await send(req, token, attempt, remainingMs(), dispatchedAt, correlation);
        } catch (err) {
          networkError = err;
        }
        if (answer)
          probeVendorCall('after-answer', {
            vendor: o.vendor,
            method: req.method,
            path: req.path,
            status: answer.status,
          });
        const status = answer?.status ?? 'network';
        const rateLimitHeaders = answer && rateLimitHeadersOf(answer.headers);
        if (rateLimitHeaders) lastRateLimitHeaders = rateLimitHeaders;
        o.onCall?.({
          vendor: o.vendor,
          method: req.method,
          path: req.path,
          status,
          attempt,
          dispatchedAt,
          durationMs: o.clock.now() - dispatchedAt,
          ...(rateLimitHeaders && { rateLimitHeaders }),
          ...(networkError !== undefined && { error: describeNetworkError(networkError) }),
          ...(throttledForMs > 0 && { throttledForMs }),
        });
        throttle?.record(status === 429);
        if (permit) o.breaker?.record(status !== 'network' && status !== 429 && status < 500, permit);
        permit = undefined;
        if (networkError instanceof CallDeadlineExceeded) throw deadlineError(attempt, last);

        if (answer) {
          if (answer.status >= 200 && answer.status < 300)
            return {
              status: answer.status,
              headers: answer.headers,
              body: answer.body as T,
              attempts: attempt,
              dispatchedAt,
            };
          // One refresh per call: a 401 invalidates the token once. The token the retry got may be one another
          // instance stored before this 401 (older than it, so not a refresh's answer to it: every token was
          // revoked or expired at once); that one is invalidated too, once, and the next is a fresh one.
          const refreshed = first401At !== undefined && (tokenObtainedAt ?? 0) >= first401At;
          if (answer.status === 401 && token && o.tokens && !refreshed && invalidations < 2) {
            first401At ??= o.clock.now();
            invalidations += 1;
            refreshedOn401 = true;
            o.tokens.invalidate(token);
            last = 'HTTP 401';
            continue;
          }
          if (answer.status === 429) {
            const pause = requestedWaitMs(answer.headers, o.clock.now()) ?? 1000;
            // Advisory: the local pause is already in place if the shared write fails.
            await o.limiter.onThrottled(pause).catch(() => undefined);
          }
        }
        const decision = decideRetry(status, attempt, answer?.headers ?? {}, o.clock.now(), retry);
        const why = answer ? `HTTP ${status}` : `network error: ${describeNetworkError(networkError)}`;
        last = why;
        if (!decision.retry) {
          const reason = answer && answer.status >= 400 && answer.status < 500 && vendorReason(answer.body);
          throw new VendorHttpError(
            o.vendor,
            answer?.status ?? 0,
            answer?.body,
            attempt,
            `${o.vendor} ${req.method} ${req.path} failed after ${attempt} attempt(s): ${why}${reason ? ` (${reason})` : ''}`,
            {
              ...(networkError !== undefined && { cause: networkError }),
              // A token refreshed a moment ago and rejected again was revoked behind our back (another
              // instance refreshed: spec 002's trap), not a problem with this request, unless the profile
              // says the vendor's 401 is about scope (`unauthorizedAfterRefresh`).
              ...(answer?.status === 401 &&
                refreshedOn401 && { transient: retry.unauthorizedAfterRefresh !== 'permanent' }),
            },
          );
        }
        if (decision.delayMs >= remainingMs()) throw deadlineError(attempt, why);
        if (decision.delayMs > 0) await o.clock.sleep(decision.delayMs);
      }
    },
  };
}
