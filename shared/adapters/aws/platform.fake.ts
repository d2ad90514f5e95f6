/** In-memory fakes of the platform ports, same interfaces as the DynamoDB/EventBridge adapters. */
import type { Clock } from '../../ports/clock';
import type {
  AuditLog,
  AuditRecord,
  DomainEvent,
  DomainEventPublisher,
  Lease,
  LockManager,
} from '../../ports/platform';

export class InMemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];
  async append(record: AuditRecord): Promise<void> {
    this.records.push(record);
  }
}

export class InMemoryEventPublisher implements DomainEventPublisher {
  readonly events: DomainEvent[] = [];
  async publish(...events: DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

export class InMemoryLockManager implements LockManager {
  private readonly leases = new Map<string, { owner: string; leaseUntil: number }>();
  private next = 0;
  constructor(private readonly clock: Clock) {}

  async tryAcquire(key: string, ttlSeconds: number): Promise<Lease | undefined> {
    const now = this.clock.now();
    const held = this.leases.get(key);
    if (held && held.leaseUntil >= now) return undefined;
    const owner = `owner-${++this.next}`;
    this.leases.set(key, { owner, leaseUntil: now + ttlSeconds * 1000 });
    return {
      key,
      owner,
      release: async () => {
        if (this.leases.get(key)?.owner === owner) this.leases.delete(key);
      },
    };
  }
}
