/** In-memory override state store with the DynamoDB store's conditions. */
import type { Lease } from '../../ports/platform';
import { ScriptedWriteFaults } from './dynamodb-faults.fake';
import { assertLeaseHeld } from './platform.fake';
import {
  OverrideStateConflict,
  type OverrideRecord,
  type OverrideState,
  type OverrideStateStore,
} from '../../domain/shift-overrides/ports';

export class InMemoryOverrideStateStore implements OverrideStateStore {
  readonly requests = new Map<string, { t: number; type: string }>();
  readonly byKey = new Map<string, OverrideRecord>();
  /** DynamoDB faults on the next writes (admitEvent and save). */
  readonly writeFaults = new ScriptedWriteFaults();

  async admitEvent(
    requestId: string,
    eventType: string,
    eventTime: string,
    _userId?: string,
    lease?: Lease,
  ): Promise<boolean> {
    assertLeaseHeld(lease);
    return this.writeFaults.write(() => {
      const t = Date.parse(eventTime);
      const seen = this.requests.get(requestId);
      if (seen && !(seen.t < t || (seen.t === t && seen.type === eventType))) return false;
      this.requests.set(requestId, { t, type: eventType });
      return true;
    });
  }

  /** In shift id order, as the State table's sort key (`SHIFT#<shiftId>`) returns them. */
  async records(requestId: string): Promise<OverrideRecord[]> {
    return [...this.byKey.values()]
      .filter((r) => r.requestId === requestId)
      .sort((a, b) => (a.shiftId < b.shiftId ? -1 : a.shiftId > b.shiftId ? 1 : 0));
  }

  async save(record: OverrideRecord, expected: OverrideState | 'NONE', lease?: Lease): Promise<void> {
    assertLeaseHeld(lease);
    const key = `${record.requestId}#${record.shiftId}`;
    const current = this.byKey.get(key);
    if ((expected === 'NONE' && current) || (expected !== 'NONE' && current?.state !== expected)) {
      throw new OverrideStateConflict(record.requestId, record.shiftId, expected);
    }
    await this.writeFaults.write(() => this.byKey.set(key, record));
  }
}
