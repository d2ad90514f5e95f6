import type { Clock } from '../../shared/ports/clock';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A deterministic clock for concurrency tests: `sleep` resolves only when the test moves time past its
 * deadline (`advance`, `runUntilSettled`), and concurrent sleepers share one timeline (unlike
 * virtual-clock.ts, where every sleep advances time by its own length). Timers with the same
 * deadline fire in the order they were set.
 */
export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;
  /** Every sleep requested, in order, for assertions on delays. */
  readonly sleeps: number[] = [];

  constructor(private t = Date.parse('2026-06-01T12:00:00Z')) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    });
  }

  /** Sleepers not yet woken. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, waking each sleeper due on the way and letting its continuation run. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
      await flushMicrotasks();
    }
    this.t = until;
  }

  /**
   * Drives `promise` to completion: lets real I/O (an HTTP server on loopback) progress, and when nothing
   * but sleepers is left, jumps to the next deadline. Rejects if the promise is still pending after
   * `maxSteps` timer firings (a livelock in the code under test).
   */
  async runUntilSettled<T>(promise: Promise<T>, maxSteps = 10_000): Promise<T> {
    let settled = false;
    const observed = promise.then(
      (v) => {
        settled = true;
        return v;
      },
      (e: unknown) => {
        settled = true;
        throw e;
      },
    );
    observed.catch(() => {});
    for (let steps = 0; !settled;) {
      await realTurn();
      if (settled) break;
      const next = this.timers[0];
      if (next) {
        if (++steps > maxSteps) throw new Error(`still pending after ${maxSteps} timers`);
        await this.advance(Math.max(0, next.at - this.t));
      } else {
        await new Promise((r) => setTimeout(r, 1)); // waiting on real I/O only
      }
    }
    return observed;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** One turn of the real event loop, so sockets and timers outside the fake clock make progress. */
function realTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
