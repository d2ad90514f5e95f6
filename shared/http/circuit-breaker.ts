/**
 * Spec 002's breaker: when the success rate over a rolling window falls below the threshold (85%), pause
 * for `pauseMs` (5 s), then let one probe through (half-open); a success closes it and the waiting callers
 * drain the backlog, a failure re-opens it. Callers wait rather than fail: messages are delayed, not lost.
 * Only vendor-health failures count (429, 5xx, network); a 400 or 409 is about the request, not the vendor.
 */
import type { Clock } from '../ports/clock';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly clock: Clock;
  readonly threshold?: number;
  readonly windowMs?: number;
  readonly minCalls?: number;
  readonly pauseMs?: number;
  readonly onStateChange?: (state: BreakerState) => void;
}

export class CircuitBreaker {
  state: BreakerState = 'closed';
  private outcomes: { at: number; ok: boolean }[] = [];
  private openedAt = 0;
  private probing = false;

  constructor(private readonly o: CircuitBreakerOptions) {}

  private get pauseMs() {
    return this.o.pauseMs ?? 5000;
  }

  private transition(state: BreakerState) {
    if (this.state === state) return;
    this.state = state;
    this.o.onStateChange?.(state);
  }

  /** Resolves when a call may go out. */
  async acquire(): Promise<void> {
    for (;;) {
      if (this.state === 'closed') return;
      const now = this.o.clock.now();
      if (this.state === 'open') {
        const remaining = this.openedAt + this.pauseMs - now;
        if (remaining > 0) {
          await this.o.clock.sleep(remaining);
          continue;
        }
        this.transition('half-open');
      }
      if (!this.probing) {
        this.probing = true;
        return;
      }
      await this.o.clock.sleep(50);
    }
  }

  record(ok: boolean): void {
    const now = this.o.clock.now();
    if (this.state === 'half-open' && this.probing) {
      this.probing = false;
      if (ok) {
        this.outcomes = [];
        this.transition('closed');
      } else {
        this.open(now);
      }
      return;
    }
    this.outcomes.push({ at: now, ok });
    const windowStart = now - (this.o.windowMs ?? 10_000);
    while (this.outcomes.length && this.outcomes[0]!.at < windowStart) this.outcomes.shift();
    if (this.state !== 'closed' || this.outcomes.length < (this.o.minCalls ?? 20)) return;
    const successRate = this.outcomes.filter((x) => x.ok).length / this.outcomes.length;
    if (successRate < (this.o.threshold ?? 0.85)) this.open(now);
  }

  private open(now: number) {
    this.openedAt = now;
    this.outcomes = [];
    this.transition('open');
  }
}
