import type { Clock } from '../../shared/ports/clock';

/**
 * Deterministic time for unit tests: `sleep` advances virtual time by its duration at once (after letting
 * other pending work run), so retry and rate-limit schedules are measured exactly, never waited for.
 */
export class VirtualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private t = Date.parse('2026-06-01T12:00:00Z')) {}
  now(): number {
    return this.t;
  }
  /**
   * A background sleeper (one that passes a `signal`, like a lease heartbeat) would run virtual time away, so
   * it never wakes on its own: it resolves only when its signal aborts. The work under test owns the timeline.
   */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal) {
      if (!signal.aborted)
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      return;
    }
    this.sleeps.push(ms);
    await Promise.resolve();
    this.t += ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
