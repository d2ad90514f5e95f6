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
import { leaseLost } from './dynamodb-lock';
import { startHeartbeat } from './lease-heartbeat';

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

/** Whether each lease of an in-memory lock manager still holds its key: the fakes' fence (see `assertLeaseHeld`). */
const holding = new WeakMap<Lease, () => boolean>();

/** The in-memory stores' fence: throws as `writeUnderLease` does when the lease's key has another owner. */
export function assertLeaseHeld(lease: Lease | undefined): void {
  if (lease && holding.get(lease)?.() === false) throw leaseLost(lease);
}

/** The DynamoDB lock manager's semantics in memory, heartbeat included. Workers share `leases` (one table). */
export class InMemoryLockManager implements LockManager {
  private next = 0;
  constructor(
    private readonly clock: Clock,
    private readonly leases = new Map<string, { owner: string; leaseUntil: number }>(),
  ) {}

  /** Another worker on the same lock table, with its own clock (a frozen clock is a stalled worker). */
  worker(clock: Clock): InMemoryLockManager {
    return new InMemoryLockManager(clock, this.leases);
  }

  async tryAcquire(key: string, ttlSeconds: number): Promise<Lease | undefined> {
    const now = this.clock.now();
    const held = this.leases.get(key);
    if (held && held.leaseUntil >= now) return undefined;
    const owner = `owner-${Math.random().toString(36).slice(2)}-${++this.next}`;
    this.leases.set(key, { owner, leaseUntil: now + ttlSeconds * 1000 });
    const ours = () => this.leases.get(key)?.owner === owner;
    const heartbeat = startHeartbeat(this.clock, ttlSeconds, async () => {
      if (!ours()) return 'lost';
      this.leases.set(key, { owner, leaseUntil: this.clock.now() + ttlSeconds * 1000 });
      return 'renewed';
    });
    const lease: Lease = {
      key,
      owner,
      release: async () => {
        heartbeat.stop();
        if (ours()) this.leases.delete(key);
      },
    };
    holding.set(lease, ours);
    return lease;
  }
}
