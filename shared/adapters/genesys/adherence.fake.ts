/**
 * In-memory Genesys WEM adherence with the sandbox's answers: 201 APPLIED for an accepted event, the first
 * answer again for a repeated idempotency key (recording nothing new), and a permanent failure for a reason
 * code outside the compliance policy (WEM's 422). Without a policy every reason code is accepted.
 */
import { PermanentFailure, RetryableFailure } from '../../errors';

/**
 * A WEM fault as the domain sees it through the real adapter (which retries 429, 5xx, timeouts and a revoked
 * token itself): `unavailable` — still failing after every retry, nothing recorded; `commit-then-fail` — WEM
 * recorded the event but its answer was lost.
 */
export type WemFault = 'unavailable' | 'commit-then-fail';
import type { AdherenceEvent, GenesysWem } from '../../domain/adherence-sync/ports';
import { ResourceNotFound } from '../../errors';

export class FakeGenesysWem implements GenesysWem {
  /** Events WEM recorded, in arrival order. */
  readonly events: AdherenceEvent[] = [];
  /** Every call, including replays and schedule lookups. */
  readonly calls: { kind: 'schedule' | 'push'; agentId: string }[] = [];
  readonly scheduleTypes = new Map<string, string>();
  /** Scripted faults, each consumed by the next push. */
  readonly faults: WemFault[] = [];
  private readonly keys = new Set<string>();
  /** Agents WEM does not know: their schedule read answers 404. */
  readonly unknownAgents = new Set<string>();
  private readonly complianceReasonCodes?: ReadonlySet<string>;

  constructor(options: { complianceReasonCodes?: Iterable<string> } = {}) {
    if (options.complianceReasonCodes) this.complianceReasonCodes = new Set(options.complianceReasonCodes);
  }

  async scheduleType(agentId: string): Promise<string> {
    this.calls.push({ kind: 'schedule', agentId });
    if (this.unknownAgents.has(agentId))
      throw new ResourceNotFound(`the WEM schedule of agent ${agentId}`, `Unknown agent ${agentId}`);
    return this.scheduleTypes.get(agentId) ?? 'Regular';
  }

  async push(event: AdherenceEvent, idempotencyKey: string) {
    this.calls.push({ kind: 'push', agentId: event.agentId });
    const fault = this.faults.shift();
    if (fault === 'unavailable')
      throw new RetryableFailure('VENDOR_UNAVAILABLE', 'WEM 503 after every retry');
    const answer = await this.record(event, idempotencyKey);
    if (fault === 'commit-then-fail')
      throw new RetryableFailure('VENDOR_UNAVAILABLE', 'WEM push: timed out after the commit');
    return answer;
  }

  private async record(event: AdherenceEvent, idempotencyKey: string) {
    const accepted = { status: 201, processingStatus: 'APPLIED' };
    if (this.keys.has(idempotencyKey)) return accepted;
    if (this.complianceReasonCodes && !this.complianceReasonCodes.has(event.reasonCode)) {
      throw new PermanentFailure(
        'REASON_CODE_REJECTED',
        `WEM 422: reasonCode "${event.reasonCode}" is not in the WEM compliance policy`,
      );
    }
    this.keys.add(idempotencyKey);
    this.events.push(event);
    return accepted;
  }
}
