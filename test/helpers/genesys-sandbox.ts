/** The Genesys sandbox, in-process, for contract tests of the Genesys adapters (see `useSandbox`). */
import { useSandbox, type SandboxConnection } from './vendor-sandbox';

export type GenesysSandboxConnection = SandboxConnection;

/** Registers beforeAll/afterAll hooks; call it at the top of a test file. */
export function useGenesysSandbox(): { connect(): Promise<GenesysSandboxConnection> } {
  return useSandbox('genesys');
}
