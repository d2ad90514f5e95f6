/** What the shift-overrides workflow needs from Genesys and from its state store. */
import { RetryableFailure } from '../../errors';
import type { Lease } from '../../ports/platform';

export interface GenesysShift {
  readonly id: string;
  readonly userId: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly shiftType?: string;
}

export interface GenesysOverride {
  readonly id: string;
  readonly overrideType: string;
  readonly userId: string;
  readonly shiftId: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly reasonCodeId: string;
  readonly notes?: string | null;
  readonly idempotencyKey?: string | null;
}

export interface NewOverride {
  readonly overrideType: 'REMOVE';
  readonly userId: string;
  readonly shiftId: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly reasonCodeId: string;
  readonly notes: string;
  readonly idempotencyKey: string;
}

/**
 * A state save whose guard failed: the record is no longer in the state the save expected (another writer
 * moved it). Retryable under the request lock's reason: the redelivery reads the record as it now is.
 */
export class OverrideStateConflict extends RetryableFailure {
  constructor(requestId: string, shiftId: string, expected: OverrideState | 'NONE') {
    super('LOCK_HELD', `Override ${requestId}/${shiftId} changed state concurrently (expected ${expected})`);
  }
}

/** Genesys answered 409: the shift or its overrides changed since they were read. */
export class OverrideConflict extends Error {}

/** Genesys answered 400: the request itself is wrong; retrying will not help. */
export class OverrideRejected extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface GenesysScheduling {
  /** The user's IANA time zone (cached by the adapter). */
  userTimeZone(userId: string): Promise<string>;
  shifts(userId: string, from: string, to: string): Promise<GenesysShift[]>;
  /** Reason code ids Genesys knows (cached briefly by the adapter). */
  reasonCodeIds(): Promise<ReadonlySet<string>>;
  overrides(userId: string): Promise<GenesysOverride[]>;
  /** Throws OverrideConflict (409) or OverrideRejected (400); transient failures as RetryableFailure. */
  createOverride(
    override: NewOverride,
  ): Promise<{ override: GenesysOverride; status: number; attempts: number }>;
  /** Resolves also when the override no longer exists (404): the goal, no override, holds. */
  deleteOverride(overrideId: string): Promise<{ status: number }>;
}

export type OverrideState = 'PENDING' | 'SUBMITTED' | 'RECONCILED' | 'FAILED' | 'ROLLED_BACK';

export interface OverrideRecord {
  readonly requestId: string;
  readonly shiftId: string;
  readonly userId: string;
  readonly state: OverrideState;
  readonly idempotencyKey: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly reasonCodeId: string;
  readonly overrideId?: string;
  readonly httpStatus?: number;
  readonly retryCount: number;
  readonly reason?: string;
  readonly updatedAt: string;
}

export interface OverrideStateStore {
  /**
   * Records that an event of `eventTime` is being applied to the request. False when a later event (or a
   * different one at the same time) was applied already: the event is stale and must change nothing.
   */
  admitEvent(
    requestId: string,
    eventType: string,
    eventTime: string,
    userId: string,
    lease?: Lease,
  ): Promise<boolean>;
  records(requestId: string): Promise<OverrideRecord[]>;
  /**
   * Writes the record's new state; `expected` guards the transition against a concurrent writer (it fails with
   * OverrideStateConflict). Writes made under a `lease` are fenced: they fail (RetryableFailure LOCK_HELD) once
   * another worker holds its key.
   */
  save(record: OverrideRecord, expected: OverrideState | 'NONE', lease?: Lease): Promise<void>;
}
