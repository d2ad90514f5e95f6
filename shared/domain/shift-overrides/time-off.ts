/** The time-off event the shift-overrides workflow acts on, what it needs, and what it answers. */
import type { Clock } from '../../ports/clock';
import type { AuditLog, DomainEventPublisher, LockManager } from '../../ports/platform';
import type { GenesysScheduling, OverrideStateStore } from './ports';

export interface TimeOffEventInput {
  readonly eventType: 'timeoff.request.approved' | 'timeoff.request.cancelled';
  readonly timestamp: string;
  readonly data: TimeOffRequest;
}

export interface TimeOffRequest {
  readonly requestId: string;
  readonly userId: string;
  readonly requestType: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly status: string;
}

export interface ShiftOverridesDeps {
  readonly genesys: GenesysScheduling;
  readonly store: OverrideStateStore;
  readonly locks: LockManager;
  readonly audit: AuditLog;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly settings: {
    reasonCodeByRequestType: Readonly<Record<string, string>>;
    fullShiftThreshold: number;
  };
  readonly lockTtlSeconds?: number;
  readonly maxConflictRetries?: number;
}

export type Outcome =
  | { kind: 'stale' }
  | { kind: 'applied'; created: number; alreadyPresent: number }
  | { kind: 'rolled-back'; deleted: number }
  /** Spec 000 "log and skip": a read answered 404 (audited as SKIPPED_NOT_FOUND); nothing was written. */
  | { kind: 'skipped'; reason: string };

export const WORKFLOW = 'shift-overrides';

/** The key the vendor stores with our override: one per request and shift, stable across redeliveries. */
export const idempotencyKeyOf = (requestId: string, shiftId: string) =>
  `wfm:override:${requestId}:${shiftId}`;
