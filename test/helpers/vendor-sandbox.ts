/**
 * One vendor of the in-process sandboxes, for contract tests of that vendor's adapters: started before the
 * file's tests and closed after them. `connect` lifts the vendor's rate limits (contracts are not about them)
 * and answers its admin client and a vendor HTTP client with the production token manager, retries and limiter.
 */
import { LOCAL_VENDOR_CREDENTIALS } from '../../local/provision';
import { sandboxAdmin, type SandboxAdmin } from '../../local/sandboxes/admin-client';
import { startSandboxes, type RunningSandboxes } from '../../local/sandboxes/server';
import { TokenBucket } from '../../shared/http/rate-limiter';
import type { RetryConfig } from '../../shared/http/retry-policy';
import { TokenManager } from '../../shared/http/token-manager';
import type { VendorHttpClient } from '../../shared/http/types';
import { createVendorHttpClient, type Timeouts } from '../../shared/http/vendor-http-client';
import { systemClock } from '../../shared/ports/clock';

export type SandboxVendor = keyof RunningSandboxes['urls'];

export interface SandboxConnection {
  readonly admin: SandboxAdmin;
  readonly http: VendorHttpClient;
  /** For a test that composes a client of its own (another limiter, clock...). */
  readonly baseUrl: string;
  readonly tokens: TokenManager;
}

export interface SandboxOptions {
  /** Start from the sandbox's seed (the specs' examples), and go back to it on every `connect`. */
  readonly seed?: boolean;
  /** The adapter's own retry table, as its workflow composes its client (waits are scaled down here). */
  readonly retry?: Partial<RetryConfig>;
  readonly timeouts?: Partial<Timeouts>;
}

/** Registers beforeAll/afterAll hooks; call it at the top of a test file. */
export function useSandbox(
  vendor: SandboxVendor,
  options: SandboxOptions = {},
): { connect(): Promise<SandboxConnection> } {
  let sandboxes: RunningSandboxes | undefined;
  beforeAll(async () => {
    sandboxes = await startSandboxes({ port: 0, seed: options.seed ?? false });
  });
  afterAll(() => sandboxes?.close());
  return {
    async connect() {
      if (!sandboxes) throw new Error('The sandbox is not started: connect inside a test or hook');
      const base = sandboxes.urls[vendor];
      const admin = sandboxAdmin(base);
      if (options.seed) await admin.reset();
      const relaxed = { ratePerSecond: 1000, burst: 1000 };
      const current = (await admin.config({})) as { rateLimits: Record<string, unknown> };
      await admin.config({
        rateLimits: Object.fromEntries(Object.keys(current.rateLimits).map((bucket) => [bucket, relaxed])),
      });
      const tokens = new TokenManager({
        tokenUrl: `${base}/oauth/token`,
        getCredentials: async () => LOCAL_VENDOR_CREDENTIALS,
        clock: systemClock,
      });
      const http = createVendorHttpClient({
        vendor,
        baseUrl: base,
        clock: systemClock,
        tokens,
        limiter: new TokenBucket(relaxed, systemClock),
        retry: { ...options.retry, scale: 0.01 },
        ...(options.timeouts && { timeouts: options.timeouts }),
      });
      return { admin, http, baseUrl: base, tokens };
    },
  };
}
