/** In-memory agent state store with the DynamoDB store's conditions (stale and repeated states, schedule types). */
import type {
  AgentRecord,
  AgentStateStore,
  HeldTransition,
  ReconcileCandidate,
  ScheduleTypeCache,
} from '../../domain/adherence-sync/ports';
import type { Lease } from '../../ports/platform';
import { withNewerHeld } from '../../domain/adherence-sync/reconcile';
import { ScriptedWriteFaults } from './dynamodb-faults.fake';
import { assertLeaseHeld } from './platform.fake';

export type { HeldTransition };

export class InMemoryAgentStateStore implements AgentStateStore, ScheduleTypeCache {
  readonly records = new Map<string, AgentRecord>();
  /** DynamoDB faults on the next writes (advance and hold). */
  readonly writeFaults = new ScriptedWriteFaults();
  /** One per agent and event time, as the State table keys them (`HELD#<eventTime>`): a repeat replaces. */
  private readonly heldByKey = new Map<string, HeldTransition>();
  private readonly schedules = new Map<string, { scheduleType: string; fetchedAt: number }>();

  get held(): HeldTransition[] {
    return [...this.heldByKey.values()];
  }

  async get(agentId: string): Promise<AgentRecord | undefined> {
    return this.records.get(agentId);
  }

  async advance(record: AgentRecord, lease?: Lease): Promise<boolean> {
    assertLeaseHeld(lease);
    return this.writeFaults.write(() => {
      const current = this.records.get(record.agentId);
      if (current && current.eventTime >= record.eventTime) return false;
      this.records.set(record.agentId, record);
      return true;
    });
  }

  async list(): Promise<ReconcileCandidate[]> {
    return [...this.records.values()].map((record) =>
      withNewerHeld(
        record,
        this.held.filter((h) => h.agentId === record.agentId).sort((a, b) => b.eventTime - a.eventTime)[0],
      ),
    );
  }

  async hold(transition: HeldTransition, lease?: Lease): Promise<void> {
    assertLeaseHeld(lease);
    await this.writeFaults.write(() =>
      this.heldByKey.set(`${transition.agentId}#${transition.eventTime}`, { ...transition }),
    );
  }

  async scheduleType(agentId: string, fetchedSince: number): Promise<string | undefined> {
    const cached = this.schedules.get(agentId);
    return cached && cached.fetchedAt >= fetchedSince ? cached.scheduleType : undefined;
  }

  async rememberScheduleType(agentId: string, scheduleType: string, fetchedAt: number): Promise<void> {
    this.schedules.set(agentId, { scheduleType, fetchedAt });
  }
}
