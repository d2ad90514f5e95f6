/** Adherence deps on the in-memory fakes, with agents already acknowledged, for reconciliation tests. */
import { InMemoryAgentStateStore } from '../../shared/adapters/aws/agent-state-store.fake';
import { InMemoryAuditLog, InMemoryLockManager } from '../../shared/adapters/aws/platform.fake';
import { FakeGenesysWem } from '../../shared/adapters/genesys/adherence.fake';
import { loadStageConfig } from '../../shared/config/stage';
import type { AdherenceSyncSettings } from '../../shared/config/workflows/adherence-sync';
import type { AgentRecord } from '../../shared/domain/adherence-sync/ports';
import type { AdherenceDeps } from '../../shared/domain/adherence-sync/process-agent-state';
import { VirtualClock } from './virtual-clock';

export async function fakeAdherence(
  acknowledged: AgentRecord[],
  transitions: AdherenceSyncSettings['transitions'] = loadStageConfig('local').workflows['adherence-sync']
    .transitions,
) {
  const clock = new VirtualClock();
  const wem = new FakeGenesysWem();
  const store = new InMemoryAgentStateStore();
  const locks = new InMemoryLockManager(clock);
  for (const record of acknowledged) await store.advance(record);
  const settings = { ...loadStageConfig('local').workflows['adherence-sync'], transitions };
  const deps: AdherenceDeps = { wem, store, locks, audit: new InMemoryAuditLog(), settings };
  return { clock, wem, store, locks, deps };
}
