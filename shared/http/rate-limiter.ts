/**
 * Token buckets (rate per second, burst). `TokenBucket` holds the limit for one process (and, sized with
 * `perInstanceShare`, a fleet's limit split evenly); `DynamoDbTokenBucket` (shared/adapters/aws) holds it across every concurrent
 * Lambda instance by keeping the bucket in the State table (docs/decisions/0001-shared-rate-limit.md).
 * Both pause every caller when a vendor answers 429. `AdaptiveThrottle` is spec 002's extra brake: when
 * 429s exceed 10% of recent calls, each call first waits an exponential backoff plus 100-500 ms of jitter.
 */
import type { Clock } from '../ports/clock';

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(): Promise<void>;
  /** A 429 was seen: nobody sends for `retryAfterMs`, and the bucket refills from empty afterwards. */
  onThrottled(retryAfterMs: number): Promise<void>;
}

/** One instance's part of a fleet-wide limit when `instances` run at once (the per-instance-share option). */
export function perInstanceShare(limit: RateLimit, instances: number): RateLimit {
  const n = Math.max(1, Math.floor(instances));
  return { ratePerSecond: limit.ratePerSecond / n, burst: Math.max(1, Math.floor(limit.burst / n)) };
}

export class TokenBucket implements RateLimiter {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = clock.now();
  }

  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(
        this.limit.burst,
        this.tokens + (Math.max(0, now - this.updatedAt) * this.limit.ratePerSecond) / 1000,
      );
      this.updatedAt = Math.max(this.updatedAt, now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.limit.ratePerSecond));
    }
  }

  async onThrottled(retryAfterMs: number): Promise<void> {
    const until = this.clock.now() + Math.max(0, retryAfterMs);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.tokens = 0;
    this.updatedAt = until; // refill starts when the pause ends, not during it
  }
}

export interface AdaptiveThrottleOptions {
  readonly clock: Clock;
  /** Share of 429s above which the brake engages. Default 0.1 (spec 002). */
  readonly threshold?: number;
  /** Sliding window. Default 10 s. */
  readonly windowMs?: number;
  /** No verdict on fewer calls than this in the window. Default 20. */
  readonly minCalls?: number;
  /** First backoff step; doubles with every further 429 while engaged. Default 100 ms. */
  readonly baseMs?: number;
  /** Cap of the exponential part. Default 2 s. */
  readonly maxMs?: number;
  /** Jitter added to every engaged delay. Default [100, 500] ms (spec 002). */
  readonly jitterMs?: readonly [number, number];
  /** Multiplies the exponential part (the local runtime's WFM_RETRY_SCALE). Default 1. */
  readonly scale?: number;
  readonly random?: () => number;
}

/** Spec 002 Edge Case 3: tracks outcomes and, while 429s exceed the threshold, spaces calls out. */
export class AdaptiveThrottle {
  private outcomes: { at: number; throttled: boolean }[] = [];
  private level = 0;

  constructor(private readonly o: AdaptiveThrottleOptions) {}

  record(throttled: boolean): void {
    const now = this.o.clock.now();
    this.outcomes.push({ at: now, throttled });
    const windowStart = now - (this.o.windowMs ?? 10_000);
    while (this.outcomes.length && this.outcomes[0]!.at < windowStart) this.outcomes.shift();
    if (!this.engaged) this.level = 0;
    else if (throttled) this.level = Math.min(this.level + 1, 30);
  }

  /** The share of 429s in the window (0 when there are too few calls to judge). */
  get throttledShare(): number {
    if (this.outcomes.length < (this.o.minCalls ?? 20)) return 0;
    return this.outcomes.filter((x) => x.throttled).length / this.outcomes.length;
  }

  get engaged(): boolean {
    return this.throttledShare > (this.o.threshold ?? 0.1);
  }

  /** How long the next call should wait before it is sent; 0 while disengaged. */
  delayMs(): number {
    if (!this.engaged) return 0;
    const [low, high] = this.o.jitterMs ?? [100, 500];
    const exponential = Math.min(
      this.o.maxMs ?? 2000,
      (this.o.baseMs ?? 100) * 2 ** Math.max(0, this.level - 1),
    );
    const jitter = low + (this.o.random ?? Math.random)() * (high - low);
    return Math.round(exponential * (this.o.scale ?? 1) + jitter);
  }
}
