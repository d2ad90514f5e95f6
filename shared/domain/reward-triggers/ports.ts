/**
 * The outside things reward-triggers reaches (spec 004), as ports: the Genesys performance export it reads and
 * the reward marketplace it issues to (adapters in shared/adapters/{genesys,rewards}), and the ledger, lock and
 * watermark stores in the State table (shared/adapters/aws/reward-*.ts). Each adapter has a fake.
 */
import type { RuleSource as SharedRuleSource } from '../../ports/rule-source';
import type { WatermarkStore } from '../../ports/watermark-store';
import type { PerformanceRow, RowProblem } from '../../contracts/genesys-performance-export.schema';
import type { RewardsIssueRequest } from '../../contracts/rewards-issue.schema';
import type { RedemptionLock } from './evaluate';
import type { MarketplaceAnswer } from './issue-outcome';
import type { LedgerEntry } from './ledger';
import type { RowBooking } from './points';
import type { PointsRuleDocument } from './points-rules.schema';

// ---- the performance export -----------------------------------------------------------------------------

/** What one day's export yields, in order: its rows and its malformed rows, then `day-complete`. */
export type ExportItem =
  | { readonly kind: 'row'; readonly rowRef: string; readonly row: PerformanceRow }
  /** A row that failed `validateRow`: where it is and the fields at fault, never its values. */
  | { readonly kind: 'malformed'; readonly rowRef: string; readonly problems: readonly RowProblem[] }
  /**
   * Every row the export announced was received (`received === total`). Only after this item may the
   * caller load the day: without it (an error instead) the day loads nothing.
   */
  | { readonly kind: 'day-complete'; readonly report: ExportDayReport };

export interface ExportDayReport {
  readonly date: string;
  readonly exportVersion: string;
  /** Rows the export announced. */
  readonly total: number;
  /** Rows received, valid and malformed. */
  readonly received: number;
  readonly malformed: number;
  readonly pages: number;
}

export interface PerformanceExportReader {
  /**
   * One day's export (a calendar date in the export's time zone), page by page as the caller pulls: a page is
   * fetched only when the previous one is consumed (one page ahead at most), so memory stays flat however big
   * the export. Ends with `day-complete`, or throws `ExportIncomplete` when the rows received do not match the
   * export's `total`, and `ExportUnreadable` when a page cannot be read.
   */
  readDay(date: string): AsyncIterable<ExportItem>;
}

/** The rows received do not match the export's `total`: the day must load nothing (issue 12). */
export class ExportIncomplete extends Error {
  constructor(
    readonly date: string,
    readonly total: number,
    readonly received: number,
    readonly pages: number,
  ) {
    super(
      `performance export for ${date}: ${received} rows received over ${pages} page(s), but the export's total is ${total}; nothing from this day may load`,
    );
    this.name = 'ExportIncomplete';
  }
}

/** A page could not be fetched or read (vendor failure, a page not in the export's shape, a cursor loop). */
export class ExportUnreadable extends Error {
  constructor(
    readonly date: string,
    readonly page: number,
    message: string,
    /** Whether running the day again later may work (vendor 429/5xx, network). */
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(`performance export for ${date}, page ${page}: ${message}`, options);
    this.name = 'ExportUnreadable';
  }
}

// ---- the reward marketplace -------------------------------------------------------------------------------

/**
 * The marketplace, one call per method and no retries of its own: each answer goes to issue-outcome.ts
 * (`classifyAnswer`, `nextStepAfterIssue`, `nextStepAfterLookup`), which decides what comes next. Failures to
 * reach it come back as answers (`timeout`, `connection-error`), not as errors; what throws is a request this
 * side refuses to send (`IssueRequestRefused`, a transaction id that is not a GUID) or a call that never left
 * (no token: the credentials or the token endpoint failed), which did nothing at the marketplace.
 */
export interface RewardMarketplace {
  /** `POST /v1/rewards/issue`, `X-Request-ID` = `transactionId`, the body built by `buildIssueRequest`. */
  issue(request: RewardsIssueRequest, transactionId: string): Promise<MarketplaceAnswer>;
  /** `GET /v1/rewards/{transactionId}`: 404 (`NOT_FOUND`) when nothing was issued under the id. */
  lookup(transactionId: string): Promise<MarketplaceAnswer>;
  /**
   * `DELETE /v1/rewards/{transactionId}` (clawback, spec 004 edge case 4), idempotent: a second reversal answers
   * the same `REVERSED`. 409 when the transaction was not issued; 404 when unknown.
   */
  reverse(transactionId: string): Promise<MarketplaceAnswer>;
}

// ---- the ledger, its row bookings and the point lock (State table) ---------------------------------------

/** A row booking as stored, with the revision the next booking of the row is conditional on. */
export interface StoredRowBooking {
  readonly booking: RowBooking;
  /** 1 for the first booking of the row, one more for each correction. */
  readonly revision: number;
}

/**
 * `conflict`: another writer got there first (a position was taken, or the row's booking or the agent's lock
 * moved); nothing of this write was stored. Re-read and decide again.
 */
export type LedgerWrite = 'written' | 'conflict';

/** One row's booking write: its booking, the stored booking it replaces (none: first booking), its entries. */
export interface RowBookingWrite {
  readonly booking: RowBooking;
  readonly previous: StoredRowBooking | undefined;
  readonly entries: readonly LedgerEntry[];
}

/** Items one booking write may hold (a booking and each entry count one): DynamoDB TransactWriteItems' limit. */
export const MAX_ITEMS_PER_BOOKING_WRITE = 100;

/** What an in-flight redemption has done so far: kept with the lock across deliveries of the evaluation. */
export interface IssueProgress {
  /** Issue calls made so far (a lookup that fails counts too: issue-outcome.ts). */
  readonly attempts: number;
  /** When the marketplace first answered PENDING (ISO instant), while it is pending. */
  readonly pendingSince?: string;
  /** The last call was ambiguous: the next one looks the transaction up before issuing again. */
  readonly lookupFirst?: boolean;
  /** Why the lock is kept for an operator (manual review, attempts exhausted, still pending past the deadline). */
  readonly heldFor?: string;
}

export interface HeldLock {
  readonly lock: RedemptionLock;
  readonly progress: IssueProgress;
}

/**
 * The per-agent points ledger (ledger.ts), the booking kept for each export row (points.ts) and the point lock
 * (evaluate.ts), next to each other so that one transaction can move them together. Every write is
 * conditional; none overwrites a ledger entry.
 */
export interface RewardLedgerStore {
  /** The agent's entries, in position order (consistent read). */
  entries(agentId: string): Promise<readonly LedgerEntry[]>;
  /**
   * The position of the agent's last entry, 0 for none (consistent read), without reading the entries: what a
   * writer needs to append (ledger.ts `headPosition` of `entries` gives the same).
   */
  headPosition(agentId: string): Promise<number>;
  rowBooking(agentId: string, date: string): Promise<StoredRowBooking | undefined>;
  /**
   * The bookings of several rows (at most 100: one DynamoDB BatchGetItem, consistent), in the order asked,
   * undefined where a row has none.
   */
  rowBookings(
    rows: readonly { readonly agentId: string; readonly date: string }[],
  ): Promise<readonly (StoredRowBooking | undefined)[]>;
  /**
   * Appends entries at their positions, each conditional on its position being free, in one transaction; with
   * `releasing`, the agent's lock on that transaction id is deleted in the same transaction (it must be held).
   */
  append(
    entries: readonly LedgerEntry[],
    options?: { readonly releasing?: { readonly agentId: string; readonly transactionId: string } },
  ): Promise<LedgerWrite>;
  /**
   * A row's booking and its ledger entries in one transaction: the booking conditional on the row's stored
   * revision being `previous`'s (none: no booking yet), each entry on its position being free. A re-run books
   * once; two ingestions of the same row cannot both book it.
   */
  book(
    booking: RowBooking,
    previous: StoredRowBooking | undefined,
    entries: readonly LedgerEntry[],
  ): Promise<LedgerWrite>;
  /**
   * Several rows' bookings and entries (`book`'s conditions on each) in one transaction: all written, or none
   * (`conflict` when any condition failed). One write per row of a different agent instead of one per row; at
   * most MAX_ITEMS_PER_BOOKING_WRITE items, no row twice.
   */
  bookAll(rows: readonly RowBookingWrite[]): Promise<LedgerWrite>;
  /** The agent's lock (LOCKED_FOR_REDEMPTION), if held. */
  heldLock(agentId: string): Promise<HeldLock | undefined>;
  /**
   * Takes the lock if none is held and the ledger still ends at the lock's `earnedAtPosition` (the head it was
   * derived from), with its transaction id and request: false when one is held or the ledger moved on (an
   * evaluation that read the ledger before another settled the reward must not lock it again).
   */
  takeLock(lock: RedemptionLock): Promise<boolean>;
  /** Saves the progress of the lock's transaction; `conflict` if the agent holds no lock on that id. */
  saveProgress(agentId: string, transactionId: string, progress: IssueProgress): Promise<LedgerWrite>;
  /** Releases the lock on that transaction id; releasing a lock not held (or on another id) does nothing. */
  releaseLock(agentId: string, transactionId: string): Promise<void>;
}

/** The day the next scheduled ingestion run starts from (inclusive): moved after each day that loaded. */
export type IngestionWatermarkStore = WatermarkStore;

/** The points rule document in force (AppConfig; a refused version leaves the last good one: decision 0010). */
export type RuleSource = SharedRuleSource<PointsRuleDocument>;

/** How far an ingestion run has got, after each day: what an operator's progress bar shows. */
export interface IngestionProgressReport {
  readonly daysTotal: number;
  readonly daysDone: number;
  readonly rowsRead: number;
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
}

/** Where a run an operator started reports its progress (keyed by the run id the operator chose). */
export interface IngestionProgress {
  report(progress: IngestionProgressReport): Promise<void>;
}
