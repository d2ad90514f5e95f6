import type { Clock } from '../../ports/clock';

/**
 * Renews a lease every third of its TTL until stopped or until a renewal finds the lease lost. A failed
 * renewal (a throttle, say) is tried again on the next beat: two beats remain before the TTL runs out.
 */
export function startHeartbeat(
  clock: Clock,
  ttlSeconds: number,
  renew: () => Promise<'renewed' | 'lost'>,
): { stop(): void } {
  const stopped = new AbortController();
  const intervalMs = (ttlSeconds * 1000) / 3;
  void (async () => {
    for (;;) {
      await clock.sleep(intervalMs, stopped.signal);
      if (stopped.signal.aborted) return;
      try {
        if ((await renew()) === 'lost') return;
      } catch {
        // transient: the next beat tries again
      }
    }
  })();
  return { stop: () => stopped.abort() };
}
