/**
 * The reward marketplace sandbox, in-process, for contract tests of the marketplace adapter (see `useSandbox`):
 * every `connect` resets it to its seeded catalog, and its HTTP client is composed as the workflow's will be,
 * with the marketplace's retry table (no automatic 5xx or network retry) and timeouts.
 */
import { MARKETPLACE_RETRY, MARKETPLACE_TIMEOUTS } from '../../shared/adapters/rewards/marketplace';
import { useSandbox, type SandboxConnection } from './vendor-sandbox';

/** Registers beforeAll/afterAll hooks; call it at the top of a test file. */
export function useRewardsSandbox(): { connect(): Promise<SandboxConnection> } {
  return useSandbox('rewards', { seed: true, retry: MARKETPLACE_RETRY, timeouts: MARKETPLACE_TIMEOUTS });
}
