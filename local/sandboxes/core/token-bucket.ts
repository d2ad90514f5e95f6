/**
 * A token bucket as vendors enforce it: `burst` tokens of capacity, refilled continuously at `ratePerSecond`.
 * Time is a monotonic millisecond reading (real time by default, injectable for deterministic tests).
 */
export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export type TakeResult =
  | { readonly allowed: true; readonly remaining: number; readonly resetSeconds: number }
  | {
      readonly allowed: false;
      readonly remaining: 0;
      readonly resetSeconds: number;
      /** Time until one token is available. */
      readonly retryAfterMs: number;
    };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private limit: RateLimit,
    private readonly now: () => number,
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  get settings(): RateLimit {
    return this.limit;
  }

  /** Changes the limit; the bucket keeps its current fill, capped at the new capacity. */
  reconfigure(limit: RateLimit): void {
    this.refill();
    this.limit = limit;
    this.tokens = Math.min(this.tokens, limit.burst);
  }

  reset(): void {
    this.tokens = this.limit.burst;
    this.last = this.now();
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  take(): TakeResult {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, remaining: Math.floor(this.tokens), resetSeconds: this.secondsUntilFull() };
    }
    const retryAfterMs = ((1 - this.tokens) / this.limit.ratePerSecond) * 1000;
    return { allowed: false, remaining: 0, resetSeconds: this.secondsUntilFull(), retryAfterMs };
  }

  private secondsUntilFull(): number {
    return Math.ceil((this.limit.burst - this.tokens) / this.limit.ratePerSecond);
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsedSeconds * this.limit.ratePerSecond);
  }
}
