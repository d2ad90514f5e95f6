/** Ports to the platform services every workflow uses; adapters in shared/adapters/aws, fakes beside them. */

export interface AuditRecord {
  /** What the record is about, e.g. `override#<requestId>#<shiftId>` or `agent#<agentId>`. */
  readonly subject: string;
  /** What happened, e.g. `SUBMITTED`, `FAILED`, `REPLAYED`. */
  readonly action: string;
  readonly workflow: string;
  /** Event time of the change (ISO 8601). */
  readonly at: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** Append-only: there is no update or delete, and in AWS the writers hold only dynamodb:PutItem. */
export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
}

export interface DomainEvent {
  /** EventBridge detail-type, e.g. `override.applied`. */
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface DomainEventPublisher {
  publish(...events: DomainEvent[]): Promise<void>;
}

export interface Lease {
  readonly key: string;
  /** Unique per grant: the fencing token. A state write made under the lease succeeds only while it holds. */
  readonly owner: string;
  /** Stops renewing and frees the key (if still ours). */
  release(): Promise<void>;
}

/**
 * Mutual exclusion with a time-to-live, so a worker that dies cannot hold a key for longer than the TTL. A live
 * holder renews its lease (a heartbeat every third of the TTL) until it releases, so work longer than the TTL
 * keeps the key; a holder that stalls past its TTL loses it, and its fenced writes fail.
 */
export interface LockManager {
  /** Resolves with the lease, or `undefined` if another owner holds an unexpired lease on `key`. */
  tryAcquire(key: string, ttlSeconds: number): Promise<Lease | undefined>;
}
