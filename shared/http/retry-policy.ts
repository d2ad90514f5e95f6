/**
 * Spec 000's retry table as a pure function of (outcome, attempt, headers, now):
 *
 * | 429            | wait for Retry-After (seconds or HTTP-date); backoff when absent |
 * | 500 (and 5xx)  | exponential backoff 1 s, 2 s, 4 s, 8 s (full jitter), capped at 60 s |
 * | 502/503/504    | backoff with jitter, at most 3 retries |
 * | 400/404/409/.. | no retry: the caller decides (409 re-fetch, 423 lock wait) |
 * | 401            | the client refreshes the token once and retries once (not decided here) |
 * | network/timeout| at most 3 attempts, each with a longer timeout |
 *
 * A function's vendor-client profile may narrow the table: `retryStatuses` lists the only statuses retried
 * (spec 003 section 3: CXone actions retry 429, 500 and 503, nothing else), and `unauthorizedAfterRefresh`
 * says what a 401 to a freshly refreshed token means.
 */
export interface RetryConfig {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Retries after a 500 (spec: 1, 2, 4, 8 s). */
  readonly serverErrorRetries: number;
  readonly gatewayErrorRetries: number;
  readonly rateLimitRetries: number;
  readonly networkAttempts: number;
  /** Each network retry gets this many times the previous attempt's timeout (spec 000: increase on retry). */
  readonly timeoutGrowth: number;
  /** Multiplies every delay; the local runtime scales time down for a person watching (WFM_RETRY_SCALE). */
  readonly scale: number;
  readonly random: () => number;
  /**
   * When set, only these HTTP statuses are retried (each by its row above); any other fails at once.
   * Network failures and timeouts are not statuses: `networkAttempts` still bounds them.
   */
  readonly retryStatuses?: readonly number[];
  /**
   * A 401 to a token refreshed a moment ago. `transient` (default): another party revoked it (spec 002: Genesys
   * revokes the old token on every refresh), so a redelivery may succeed. `permanent`: the vendor means the
   * client's scope (spec 003: CXone answers 401 "for scope issues"), so the call fails with the vendor's reason
   * and redelivering cannot help.
   */
  readonly unauthorizedAfterRefresh?: 'transient' | 'permanent';
}

/** The retry table alone (what a function's vendor-client profile may override), without scale and randomness. */
export type RetryTable = Omit<RetryConfig, 'scale' | 'random'>;

export const DEFAULT_RETRY: RetryConfig = {
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  serverErrorRetries: 4,
  gatewayErrorRetries: 3,
  rateLimitRetries: 6,
  networkAttempts: 3,
  timeoutGrowth: 1.5,
  scale: 1,
  random: Math.random,
};

export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly delayMs: number };

/** Retry-After as milliseconds from `nowMs`: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/[a-z]/i.test(trimmed)) return undefined; // an HTTP-date names its month; Date.parse('-1') would not
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The wait a response asks for: `retry-after-ms` when present (non-standard, sent by some vendors and by
 * the local sandboxes; more precise than whole seconds), else `retry-after`.
 */
export function requestedWaitMs(
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): number | undefined {
  const precise = headers['retry-after-ms']?.trim();
  if (precise && /^\d+(\.\d+)?$/.test(precise)) return Math.round(Number(precise));
  return retryAfterMs(headers['retry-after'], nowMs);
}

/** Full jitter: uniform in [0, min(max, base * 2^(retryNumber-1))], before scaling. */
export function backoff(
  retryNumber: number,
  cfg: Pick<RetryConfig, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(cfg.maxDelayMs, cfg.baseDelayMs * 2 ** (retryNumber - 1));
  return Math.round(cfg.random() * ceiling);
}

/** The timeout of attempt `attempt` (1-based) when the first one had `firstMs`. */
export function attemptTimeoutMs(
  firstMs: number,
  attempt: number,
  cfg: Pick<RetryConfig, 'timeoutGrowth'> = DEFAULT_RETRY,
): number {
  return Math.round(firstMs * cfg.timeoutGrowth ** (attempt - 1));
}

/**
 * @param outcome HTTP status, or `network` for a connection failure or timeout
 * @param attempt attempts made so far (1 after the first)
 */
export function decideRetry(
  outcome: number | 'network',
  attempt: number,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
  cfg: RetryConfig = DEFAULT_RETRY,
): RetryDecision {
  const scaled = (ms: number): RetryDecision => ({ retry: true, delayMs: Math.round(ms * cfg.scale) });
  if (outcome === 'network')
    return attempt < cfg.networkAttempts ? scaled(backoff(attempt, cfg)) : { retry: false };
  if (cfg.retryStatuses && !cfg.retryStatuses.includes(outcome)) return { retry: false };
  if (outcome === 429) {
    if (attempt > cfg.rateLimitRetries) return { retry: false };
    const wait = requestedWaitMs(headers, nowMs);
    return scaled(Math.min(cfg.maxDelayMs, wait ?? backoff(attempt, cfg)));
  }
  if (outcome === 502 || outcome === 503 || outcome === 504) {
    return attempt <= cfg.gatewayErrorRetries ? scaled(backoff(attempt, cfg)) : { retry: false };
  }
  if (outcome >= 500)
    return attempt <= cfg.serverErrorRetries ? scaled(backoff(attempt, cfg)) : { retry: false };
  return { retry: false };
}
