/** In-memory agent state store with the DynamoDB store's conditions (stale and repeated states, pending pushes, schedule types). */
import type {
  AgentRecord,
  AgentStateStore,
  HeldTransition,
  PendingPush,
  ReconcileCandidate,
  StoredAgent,
  ScheduleTypeCache,
} from '../../domain/adherence-sync/ports';
import type { Lease } from '../../ports/platform';
import { withNewerHeld } from '../../domain/adherence-sync/reconcile';
import { ScriptedWriteFaults } from './dynamodb-faults.fake';
import { assertLeaseHeld } from './platform.fake';

export type { HeldTransition };

export class InMemoryAgentStateStore implements AgentStateStore, ScheduleTypeCache {
  readonly records = new Map<string, AgentRecord>();
  readonly pending = new Map<string, PendingPush>();
  /** DynamoDB faults on the next writes (advance, hold and the pending push's three writes). */
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

  async read(agentId: string): Promise<StoredAgent> {
    const acknowledged = this.records.get(agentId);
    const pending = this.pending.get(agentId);
    return { ...(acknowledged && { acknowledged }), ...(pending && { pending }) };
  }

  async advance(record: AgentRecord, lease?: Lease): Promise<boolean> {
    assertLeaseHeld(lease);
    return this.writeFaults.write(() => {
      const current = this.records.get(record.agentId);
      if (current && current.eventTime >= record.eventTime) return false;
      this.records.set(record.agentId, record);
      this.pending.delete(record.agentId);
      return true;
    });
  }

  async recordPending(agentId: string, pending: PendingPush, lease: Lease): Promise<boolean> {
    assertLeaseHeld(lease);
    return this.writeFaults.write(() => {
      const current = this.records.get(agentId);
      if ((current && current.eventTime >= pending.eventTime) || this.pending.has(agentId)) return false;
      this.pending.set(agentId, structuredClone(pending));
      return true;
    });
  }

  async completePending(agentId: string, pending: PendingPush): Promise<boolean> {
    return this.writeFaults.write(() => {
      if (this.pending.get(agentId)?.eventTime !== pending.eventTime) return false;
      this.records.set(agentId, { agentId, state: pending.state, eventTime: pending.eventTime });
      this.pending.delete(agentId);
      return true;
    });
  }

  async dropPending(agentId: string, pending: PendingPush): Promise<boolean> {
    return this.writeFaults.write(() => {
      if (this.pending.get(agentId)?.eventTime !== pending.eventTime) return false;
      this.pending.delete(agentId);
      return true;
    });
  }

  async list(): Promise<ReconcileCandidate[]> {
    return [...this.records.values()].map((record) =>
      withNewerHeld(
        this.pending.has(record.agentId) ? { ...record, pending: this.pending.get(record.agentId) } : record,
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
