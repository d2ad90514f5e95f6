/**
 * The reward marketplace sandbox, in-process, for contract tests of the marketplace adapter: started before the
 * file's tests and closed after them. `connect` resets it (seeded catalog), lifts its rate limits (contracts are
 * not about them) and answers its admin client and a vendor HTTP client composed as the workflow's will be:
 * the production token manager and limiter, the marketplace's retry table (no automatic 5xx or network retry)
 * and timeouts. Narrow on purpose; genesys-sandbox.ts is the Genesys twin.
 */
import { LOCAL_VENDOR_CREDENTIALS } from '../../local/provision';
import { sandboxAdmin, type SandboxAdmin } from '../../local/sandboxes/admin-client';
import { startSandboxes, type RunningSandboxes } from '../../local/sandboxes/server';
import { MARKETPLACE_RETRY, MARKETPLACE_TIMEOUTS } from '../../shared/adapters/rewards/marketplace';
import { TokenBucket } from '../../shared/http/rate-limiter';
import { TokenManager } from '../../shared/http/token-manager';
import type { VendorHttpClient } from '../../shared/http/types';
import { createVendorHttpClient } from '../../shared/http/vendor-http-client';
import { systemClock } from '../../shared/ports/clock';

export interface RewardsSandboxConnection {
  readonly admin: SandboxAdmin;
  readonly http: VendorHttpClient;
}

/** Registers beforeAll/afterAll hooks; call it at the top of a test file. */
export function useRewardsSandbox(): { connect(): Promise<RewardsSandboxConnection> } {
  let sandboxes: RunningSandboxes | undefined;
  beforeAll(async () => {
    sandboxes = await startSandboxes({ port: 0, seed: true });
  });
  afterAll(() => sandboxes?.close());
  return {
    async connect() {
      if (!sandboxes) throw new Error('The sandbox is not started: connect inside a test or hook');
      const base = sandboxes.urls.rewards;
      const admin = sandboxAdmin(base);
      await admin.reset();
      const relaxed = { ratePerSecond: 1000, burst: 1000 };
      await admin.config({ rateLimits: { general: relaxed, oauth: relaxed } });
      const tokens = new TokenManager({
        tokenUrl: `${base}/oauth/token`,
        getCredentials: async () => LOCAL_VENDOR_CREDENTIALS,
        clock: systemClock,
      });
      const http = createVendorHttpClient({
        vendor: 'rewards',
        baseUrl: base,
        clock: systemClock,
        tokens,
        limiter: new TokenBucket(relaxed, systemClock),
        retry: { ...MARKETPLACE_RETRY, scale: 0.01 },
        timeouts: MARKETPLACE_TIMEOUTS,
      });
      return { admin, http };
    },
  };
}
