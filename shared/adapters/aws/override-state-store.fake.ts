/** In-memory override state store with the DynamoDB store's conditions. */
import { RetryableFailure } from '../../errors';
import type { Lease } from '../../ports/platform';
import { assertLeaseHeld } from './platform.fake';
import type { OverrideRecord, OverrideState, OverrideStateStore } from '../../domain/shift-overrides/ports';

/**
 * A DynamoDB fault on a write: `throttled` — refused (ProvisionedThroughputExceededException), nothing
 * written; `timeout-after-write` — the write landed but its answer was lost.
 */
export type StateWriteFault = 'throttled' | 'timeout-after-write';

export function dynamoDbWriteError(fault: StateWriteFault): Error {
  const err = new Error(
    fault === 'throttled' ? 'Rate of requests exceeds the allowed throughput' : 'Socket timed out',
  );
  err.name = fault === 'throttled' ? 'ProvisionedThroughputExceededException' : 'TimeoutError';
  return err;
}

export class InMemoryOverrideStateStore implements OverrideStateStore {
  readonly requests = new Map<string, { t: number; type: string }>();
  readonly byKey = new Map<string, OverrideRecord>();
  /** Scripted faults, each consumed by the next write (admitEvent or save); `none` lets one write pass. */
  readonly writeFaults: (StateWriteFault | 'none')[] = [];

  private async write<T>(apply: () => T): Promise<T> {
    const fault = this.writeFaults.shift();
    if (fault === 'throttled') throw dynamoDbWriteError(fault);
    const result = apply();
    if (fault && fault !== 'none') throw dynamoDbWriteError(fault);
    return result;
  }

  async admitEvent(
    requestId: string,
    eventType: string,
    eventTime: string,
    _userId?: string,
    lease?: Lease,
  ): Promise<boolean> {
    assertLeaseHeld(lease);
    return this.write(() => {
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
      throw new RetryableFailure('LOCK_HELD', `concurrent change of ${key}`);
    }
    await this.write(() => this.byKey.set(key, record));
  }
}
