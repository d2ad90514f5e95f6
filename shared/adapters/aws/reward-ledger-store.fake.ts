/** In-memory reward ledger, row bookings, point lock and watermark with the DynamoDB stores' conditions. */
import type { RedemptionLock } from '../../domain/reward-triggers/evaluate';
import { headPosition, type LedgerEntry } from '../../domain/reward-triggers/ledger';
import type { RowBooking } from '../../domain/reward-triggers/points';
import type {
  HeldLock,
  IssueProgress,
  LedgerWrite,
  RewardLedgerStore,
  RowBookingWrite,
  StoredRowBooking,
} from '../../domain/reward-triggers/ports';
import { MAX_ITEMS_PER_BOOKING_WRITE } from '../../domain/reward-triggers/ports';
import { ScriptedWriteFaults } from './dynamodb-faults.fake';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class InMemoryRewardLedgerStore implements RewardLedgerStore {
  /** `agentId#position` -> entry. */
  readonly ledger = new Map<string, LedgerEntry>();
  readonly bookings = new Map<string, StoredRowBooking>();
  readonly locks = new Map<string, HeldLock>();
  /** DynamoDB faults on the next writes (append, takeLock, saveProgress). */
  readonly writeFaults = new ScriptedWriteFaults();

  async entries(agentId: string): Promise<readonly LedgerEntry[]> {
    return [...this.ledger.values()]
      .filter((e) => e.agentId === agentId)
      .sort((a, b) => a.position - b.position)
      .map(copy);
  }

  async headPosition(agentId: string): Promise<number> {
    return headPosition([...this.ledger.values()].filter((e) => e.agentId === agentId));
  }

  async rowBooking(agentId: string, date: string): Promise<StoredRowBooking | undefined> {
    const stored = this.bookings.get(`${agentId}#${date}`);
    return stored && copy(stored);
  }

  /** Batched reads made (rowBookings calls), for tests that count them. */
  batchReads = 0;

  async rowBookings(
    rows: readonly { readonly agentId: string; readonly date: string }[],
  ): Promise<readonly (StoredRowBooking | undefined)[]> {
    if (rows.length > 100) throw new RangeError(`rowBookings takes at most 100 rows, got ${rows.length}`);
    this.batchReads++;
    return Promise.all(rows.map(({ agentId, date }) => this.rowBooking(agentId, date)));
  }

  async append(
    entries: readonly LedgerEntry[],
    options: { readonly releasing?: { readonly agentId: string; readonly transactionId: string } } = {},
  ): Promise<LedgerWrite> {
    const { releasing } = options;
    return this.writeFaults.write((): LedgerWrite => {
      if (!this.positionsFree(entries)) return 'conflict';
      if (releasing && this.locks.get(releasing.agentId)?.lock.transactionId !== releasing.transactionId) {
        return 'conflict';
      }
      this.write(entries);
      if (releasing) this.locks.delete(releasing.agentId);
      return 'written';
    });
  }

  async book(
    booking: RowBooking,
    previous: StoredRowBooking | undefined,
    entries: readonly LedgerEntry[],
  ): Promise<LedgerWrite> {
    return this.bookAll([{ booking, previous, entries }]);
  }

  /** Booking writes made (book and bookAll calls), for tests that count them. */
  bookingWrites = 0;

  async bookAll(rows: readonly RowBookingWrite[]): Promise<LedgerWrite> {
    const items = rows.reduce((n, r) => n + 1 + r.entries.length, 0);
    if (items > MAX_ITEMS_PER_BOOKING_WRITE)
      throw new RangeError(
        `bookAll writes at most ${MAX_ITEMS_PER_BOOKING_WRITE} items in one transaction, got ${items}`,
      );
    const keys = rows.map(({ booking }) => `${booking.agentId}#${booking.date}`);
    // DynamoDB refuses a transaction that names an item twice (ValidationException), before any condition.
    if (new Set(keys).size !== keys.length) throw new Error('bookAll: the same row twice in one transaction');
    this.bookingWrites++;
    const entries = rows.flatMap((r) => r.entries);
    if (rows.some(({ previous }, i) => this.bookings.get(keys[i]!)?.revision !== previous?.revision))
      return 'conflict';
    if (!this.positionsFree(entries)) return 'conflict';
    rows.forEach(({ booking, previous }, i) =>
      this.bookings.set(keys[i]!, { booking: copy(booking), revision: (previous?.revision ?? 0) + 1 }),
    );
    this.write(entries);
    return 'written';
  }

  async heldLock(agentId: string): Promise<HeldLock | undefined> {
    const held = this.locks.get(agentId);
    return held && copy(held);
  }

  async takeLock(lock: RedemptionLock): Promise<boolean> {
    return this.writeFaults.write(() => {
      if (this.locks.has(lock.agentId)) return false;
      if (this.ledger.has(`${lock.agentId}#${lock.earnedAtPosition + 1}`)) return false;
      this.locks.set(lock.agentId, { lock: copy(lock), progress: { attempts: 0 } });
      return true;
    });
  }

  async saveProgress(agentId: string, transactionId: string, progress: IssueProgress): Promise<LedgerWrite> {
    return this.writeFaults.write((): LedgerWrite => {
      const held = this.locks.get(agentId);
      if (held?.lock.transactionId !== transactionId) return 'conflict';
      this.locks.set(agentId, { lock: held.lock, progress: copy(progress) });
      return 'written';
    });
  }

  async releaseLock(agentId: string, transactionId: string): Promise<void> {
    if (this.locks.get(agentId)?.lock.transactionId === transactionId) this.locks.delete(agentId);
  }

  private positionsFree(entries: readonly LedgerEntry[]): boolean {
    const keys = entries.map((e) => `${e.agentId}#${e.position}`);
    return new Set(keys).size === keys.length && keys.every((k) => !this.ledger.has(k));
  }

  private write(entries: readonly LedgerEntry[]): void {
    for (const e of entries) this.ledger.set(`${e.agentId}#${e.position}`, copy(e));
  }
}
