/**
 * Spec 002's breaker: when the success rate over a rolling window falls below the threshold (85%), pause
 * for `pauseMs` (5 s), then let one probe through (half-open); a success closes it and the waiting callers
 * drain the backlog, a failure re-opens it. Callers wait rather than fail: messages are delayed, not lost.
 * Only vendor-health failures count (429, 5xx, network); a 400 or 409 is about the request, not the vendor.
 *
 * Hand-written rather than `opossum`: opossum rejects calls while open (fail fast) and runs on real timers,
 * where spec 002 wants callers to wait out the pause and the tests need an injected clock.
 */
import type { Clock } from '../ports/clock';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What `acquire` hands out: the half-open probe, or an ordinary call. Give it back to `record`/`release`. */
export interface BreakerPermit {
  readonly probe: boolean;
}

export interface BreakerChange {
  /** Success rate of the window that opened the breaker (undefined for other transitions). */
  readonly successRate?: number;
  readonly calls?: number;
}

export interface CircuitBreakerOptions {
  readonly clock: Clock;
  /** Opens below this success rate (0..1). Default 0.85. */
  readonly threshold?: number;
  /** Rolling window length. Default 10 s. */
  readonly windowMs?: number;
  /** No verdict on fewer calls than this in the window. Default 20. */
  readonly minCalls?: number;
  /** How long it stays open before the probe. Default 5 s. */
  readonly pauseMs?: number;
  readonly onStateChange?: (state: BreakerState, change: BreakerChange) => void;
}

/** The tunable part of the breaker (what a function's vendor-client profile may set). */
export type BreakerSettings = Pick<CircuitBreakerOptions, 'threshold' | 'windowMs' | 'minCalls' | 'pauseMs'>;

const ORDINARY: BreakerPermit = Object.freeze({ probe: false });
const PROBE: BreakerPermit = Object.freeze({ probe: true });

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private outcomes: { at: number; ok: boolean }[] = [];
  private openedAt = 0;
  private probing = false;
  private wake!: () => void;
  private changed!: Promise<void>;

  constructor(private readonly o: CircuitBreakerOptions) {
    this.rearm();
  }

  get state(): BreakerState {
    return this.current;
  }

  private get pauseMs() {
    return this.o.pauseMs ?? 5000;
  }

  /** When the current pause ends (ms since epoch), or undefined when not open. */
  get reopensAt(): number | undefined {
    return this.current === 'open' ? this.openedAt + this.pauseMs : undefined;
  }

  /**
   * Resolves when a call may go out: at once while closed; while open after the pause; half-open, the
   * first caller gets the probe and the others wait for its verdict.
   */
  async acquire(): Promise<BreakerPermit> {
    for (;;) {
      if (this.current === 'closed') return ORDINARY;
      if (this.current === 'open') {
        const remaining = this.openedAt + this.pauseMs - this.o.clock.now();
        if (remaining > 0) {
          await this.o.clock.sleep(remaining);
          continue;
        }
        this.transition('half-open', {});
      }
      if (!this.probing) {
        this.probing = true;
        return PROBE;
      }
      await this.changed;
    }
  }

  /** Resolves once the breaker is closed, without taking a permit (e.g. before draining a local queue). */
  async whenClosed(): Promise<void> {
    while (this.current !== 'closed') {
      if (this.current === 'open') {
        const remaining = this.openedAt + this.pauseMs - this.o.clock.now();
        // Someone must probe: without callers of `acquire`, a paused breaker would stay half-open forever.
        if (remaining <= 0) return;
        await this.o.clock.sleep(remaining);
      } else if (!this.probing) {
        return; // half-open with no probe out: the caller's own call will be the probe
      } else {
        await this.changed;
      }
    }
  }

  /** The outcome of a call that went out. `ok` means the vendor is healthy (2xx, or a 4xx about the request). */
  record(ok: boolean, permit?: BreakerPermit): void {
    const now = this.o.clock.now();
    const isProbe = permit ? permit.probe : this.current === 'half-open' && this.probing;
    if (isProbe) {
      this.probing = false;
      if (this.current !== 'half-open') return;
      if (ok) {
        this.outcomes = [];
        this.transition('closed', {});
      } else {
        this.open(now, {});
      }
      return;
    }
    if (this.current !== 'closed') return; // late answers of calls sent before the breaker opened
    this.outcomes.push({ at: now, ok });
    const windowStart = now - (this.o.windowMs ?? 10_000);
    while (this.outcomes.length && this.outcomes[0]!.at < windowStart) this.outcomes.shift();
    if (this.outcomes.length < (this.o.minCalls ?? 20)) return;
    const successRate = this.outcomes.filter((x) => x.ok).length / this.outcomes.length;
    if (successRate < (this.o.threshold ?? 0.85))
      this.open(now, { successRate, calls: this.outcomes.length });
  }

  /** A permit that was never used (the call failed before it was sent): the probe goes to another caller. */
  release(permit: BreakerPermit): void {
    if (!permit.probe || !this.probing) return;
    this.probing = false;
    this.notify();
  }

  /** Runs `fn` under the breaker: waits for a permit, records resolve as success and reject as failure. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const permit = await this.acquire();
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      this.record(false, permit);
      throw err;
    }
    this.record(true, permit);
    return result;
  }

  private open(now: number, change: BreakerChange) {
    this.openedAt = now;
    this.outcomes = [];
    this.current = 'open';
    this.o.onStateChange?.('open', change);
    this.notify();
  }

  private transition(state: BreakerState, change: BreakerChange) {
    if (this.current === state) return;
    this.current = state;
    this.o.onStateChange?.(state, change);
    this.notify();
  }

  private notify() {
    const wake = this.wake;
    this.rearm();
    wake();
  }

  private rearm() {
    this.changed = new Promise((resolve) => (this.wake = resolve));
  }
}
