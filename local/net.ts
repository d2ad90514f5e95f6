import { createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (for emulators whose URLs embed their port, so 0 cannot be passed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Thrown by `withDeadline` and `waitUntil`: names what was awaited, so a stuck run says where it is stuck. */
export class DeadlineExceeded extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
    detail = '',
  ) {
    super(`Timed out after ${ms} ms waiting for ${what}${detail}`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * `promise`, or a DeadlineExceeded naming `what` once `ms` pass. The work itself is not cancelled: callers that
 * own it (a process, a server, a worker) kill it on the deadline.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Polls `check` (a throw counts as "not yet") until it answers true; the deadline's message names `what`. */
export async function waitUntil(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const ok = await check().catch((err: unknown) => {
      lastError = err;
      return false;
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new DeadlineExceeded(
        what,
        timeoutMs,
        lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '',
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}
