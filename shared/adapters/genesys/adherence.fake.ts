/** In-memory Genesys WEM adherence: records what was pushed; a repeated idempotency key records nothing new. */
import type { AdherenceEvent, GenesysWem } from '../../domain/adherence-sync/ports';

export class FakeGenesysWem implements GenesysWem {
  /** Events WEM recorded, in arrival order. */
  readonly events: AdherenceEvent[] = [];
  /** Every call, including replays and schedule lookups. */
  readonly calls: { kind: 'schedule' | 'push'; agentId: string }[] = [];
  readonly scheduleTypes = new Map<string, string>();
  private readonly keys = new Set<string>();

  async scheduleType(agentId: string): Promise<string> {
    this.calls.push({ kind: 'schedule', agentId });
    return this.scheduleTypes.get(agentId) ?? 'Regular';
  }

  async push(event: AdherenceEvent, idempotencyKey: string) {
    this.calls.push({ kind: 'push', agentId: event.agentId });
    if (this.keys.has(idempotencyKey)) return { status: 200, processingStatus: 'APPLIED' };
    this.keys.add(idempotencyKey);
    this.events.push(event);
    return { status: 202, processingStatus: 'APPLIED' };
  }
}
