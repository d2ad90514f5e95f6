/**
 * The nightly performance-export ingestion (spec 004 section 1, issue 12): export rows become ledger entries,
 * and every agent whose ledger moved gets one evaluation on the reward-triggers queue.
 *
 * - Days: from the watermark's day, inclusive (rows that arrived late for it are caught), through today in the
 *   export's time zone; the first run reads the last `firstRunDays` days. An operator may give the range.
 * - A day loads only after the export says `day-complete` (rows received = its total). Until then its rows are
 *   held, validated, in memory: one day of one export (one row per agent), never the whole range; the next day
 *   is read while this one's rows are booked (two days at most). A total
 *   mismatch or an unreadable page loads nothing of that day and fails the run, after the other days.
 * - A malformed row is reported (row reference and fields, never values) and skipped.
 * - A row (agent and date) is booked once, whoever runs it how often: its booking and ledger entries are one
 *   conditional write (RewardLedgerStore.book); a row that comes back with other values books the correcting
 *   delta (points.ts).
 * - Resumable (decision 0009): a scheduled run moves the watermark after each day that loaded, to the next day
 *   (today stays: it is read again), until a day fails to load: the watermark stays on that day and later days
 *   still load (a re-read books nothing twice). Before the invocation's deadline (`remainingMs`) the run stops
 *   between days, or between booking chunks inside a day, sends its evaluations and reports `partial` with the
 *   day the next run continues from (`resumeFrom`).
 * - Booking a chunk of a day's rows reads their bookings in one batch, and each agent's ledger head once per run
 *   (kept in memory after each write; a stale head is a conflict, read again), and writes the changed rows of
 *   distinct agents together, up to 100 items a transaction (`bookAll`); a write that conflicts falls back to
 *   booking its rows one at a time.
 */
import type { Clock } from '../../ports/clock';
import type { DomainEventPublisher } from '../../ports/platform';
import type { QueueSender } from '../../ports/queue-sender';
import { RetryableFailure } from '../../errors';
import type { PerformanceRow } from '../../contracts/genesys-performance-export.schema';
import { addDays } from '../time/local-days';
import type { RowEntry } from './ledger';
import { bookRow, correctingDelta, type RowBookingOutcome, type RowDelta } from './points';
import type { PointsRuleDocument } from './points-rules.schema';
import {
  ExportIncomplete,
  ExportUnreadable,
  MAX_ITEMS_PER_BOOKING_WRITE,
  type IngestionProgress,
  type IngestionWatermarkStore,
  type PerformanceExportReader,
  type RewardLedgerStore,
  type RuleSource,
  type StoredRowBooking,
} from './ports';

export const INGESTION_FAILURE_REASONS = {
  totalMismatch: 'EXPORT_TOTAL_MISMATCH',
  unreadable: 'EXPORT_UNREADABLE',
  ledgerContended: 'LEDGER_CONTENDED',
} as const;

/** Booking writes (and head reads) in flight at once; rows of one day are one per agent: distinct partitions. */
const BOOKING_CONCURRENCY = 16;
/** Rows whose bookings are read in one batch (DynamoDB BatchGetItem takes up to 100 keys). */
const BOOKING_CHUNK = 100;
/**
 * Time kept back before the invocation's deadline: a chunk in flight, the evaluations' fan-out (one SQS batch
 * per ten agents) and the completed event.
 */
export const STOP_BEFORE_DEADLINE_MS = 30_000;
/** Re-reads after a conflicting write before a row gives up (another writer kept winning). */
const MAX_BOOKING_CONFLICTS = 5;
/** Malformed rows named in the summary; the count is always complete. */
const MALFORMED_LISTED = 50;

export interface IngestionDeps {
  readonly reader: PerformanceExportReader;
  readonly ledger: RewardLedgerStore;
  readonly watermark: IngestionWatermarkStore;
  readonly rules: RuleSource;
  /** The reward-triggers queue: one evaluation per affected agent. */
  readonly evaluations: QueueSender;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  /** Milliseconds left in this invocation (Lambda's context); unbounded when not given. */
  readonly remainingMs?: () => number;
}

export interface IngestionRange {
  readonly from: string;
  readonly to: string;
  /** Today in the export's time zone: the evaluations' as-of date. */
  readonly today: string;
  /** A scheduled run moves the watermark; an operator's chosen range does not. */
  readonly advanceWatermark: boolean;
  /** Read and validate, book and send nothing. */
  readonly dryRun?: boolean;
}

/** The ingestion function's payload: empty from the scheduler; an operator's range from the CLI. */
export interface IngestionRequest {
  readonly from?: string;
  readonly to?: string;
  /** An operator's run reads and validates only, unless this is `false`. */
  readonly dryRun?: boolean;
  /** Chosen by the operator's CLI, which reads the run's progress under it (IngestionProgress). */
  readonly runId?: string;
}

export interface MalformedRowReport {
  readonly rowRef: string;
  readonly fields: readonly string[];
}

export interface FailedDay {
  readonly date: string;
  readonly reason: (typeof INGESTION_FAILURE_REASONS)[keyof typeof INGESTION_FAILURE_REASONS];
  readonly detail: string;
}

export interface IngestionSummary {
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly ruleVersion: string;
  readonly daysRead: number;
  readonly rowsRead: number;
  /** Rows that booked something (first time or a correction). */
  readonly rowsLoaded: number;
  /** Rows already booked with the same values. */
  readonly rowsUnchanged: number;
  readonly rowsRejected: number;
  readonly malformed: readonly MalformedRowReport[];
  readonly ledgerEntriesWritten: number;
  readonly agentsEvaluated: number;
  readonly failedDays: readonly FailedDay[];
  readonly durationMs: number;
  readonly watermark: string | undefined;
  /**
   * The run stopped before the invocation's deadline with days left: the first day not fully loaded, where the
   * next run (scheduled: from the watermark; an operator's: `--from` it) continues. Undefined when it read all.
   */
  readonly resumeFrom: string | undefined;
}

export type IngestionStatus = 'complete' | 'partial' | 'failed';

/** `failed` outranks `partial`: a day that did not load needs on-call, a deadline stop only the next run. */
export function ingestionStatus(
  summary: Pick<IngestionSummary, 'failedDays' | 'resumeFrom'>,
): IngestionStatus {
  if (summary.failedDays.length) return 'failed';
  return summary.resumeFrom === undefined ? 'complete' : 'partial';
}

/** The range a scheduled run reads. */
export function scheduledRange(
  watermark: string | undefined,
  today: string,
  firstRunDays: number,
): { readonly from: string; readonly to: string } {
  const from = watermark ?? addDays(today, -(firstRunDays - 1));
  return { from: from > today ? today : from, to: today };
}

export function daysOf(from: string, to: string): readonly string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

/** The evaluation message body the processor reads (process-evaluation.ts). */
export function evaluationMessage(agentId: string, asOfDate: string) {
  return { agentId, asOfDate };
}

export async function ingestExports(
  range: IngestionRange,
  deps: IngestionDeps,
  progress?: IngestionProgress,
): Promise<IngestionSummary> {
  const startedAt = deps.clock.now();
  const remainingMs = deps.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const { document: rules } = await deps.rules.current();
  const dryRun = range.dryRun ?? false;
  const movesWatermark = range.advanceWatermark && !dryRun;
  const affected = new Set<string>();
  const malformed: MalformedRowReport[] = [];
  const failedDays: FailedDay[] = [];
  const counts = { daysRead: 0, rowsRead: 0, rowsLoaded: 0, rowsUnchanged: 0, rowsRejected: 0, entries: 0 };
  const booking: Booking = { ledger: deps.ledger, rules, dryRun, heads: new Map() };

  const days = daysOf(range.from, range.to);
  const report = () =>
    progress?.report({
      daysTotal: days.length,
      daysDone: counts.daysRead,
      rowsRead: counts.rowsRead + counts.rowsRejected,
      rowsLoaded: counts.rowsLoaded,
      rowsRejected: counts.rowsRejected,
    });
  await report();

  let watermark: string | undefined;
  const advanceWatermark = async (to: string) => {
    if (!movesWatermark) return;
    watermark = to;
    await deps.watermark.advance(to);
  };
  let resumeFrom: string | undefined;
  let slowestDayMs = 0;
  const pastDeadline = () => remainingMs() < STOP_BEFORE_DEADLINE_MS;

  // The next day's export is read while this one's rows are booked: at most two days' rows in memory.
  let readAhead: Promise<DayRead> | undefined;
  for (const [i, date] of days.entries()) {
    // A day expected not to finish is left whole to the next run.
    if (remainingMs() - STOP_BEFORE_DEADLINE_MS < slowestDayMs) {
      resumeFrom = date;
      break;
    }
    const dayStartedAt = deps.clock.now();
    const read = await (readAhead ?? readWholeDay(deps.reader, date));
    readAhead = i + 1 < days.length ? readWholeDay(deps.reader, days[i + 1]!) : undefined;
    const { rows } = read;
    counts.rowsRejected += read.rejected;
    malformed.push(...read.malformed.slice(0, MALFORMED_LISTED - malformed.length));
    if (read.error !== undefined) {
      const err = read.error;
      counts.rowsRead += rows.length;
      if (err instanceof ExportIncomplete || err instanceof ExportUnreadable) {
        failedDays.push({
          date,
          reason:
            err instanceof ExportIncomplete
              ? INGESTION_FAILURE_REASONS.totalMismatch
              : INGESTION_FAILURE_REASONS.unreadable,
          detail: err.message,
        });
        // The watermark stops on the first day that did not load; later days still load (decision 0009).
        if (failedDays.length === 1) await advanceWatermark(date);
        counts.daysRead++;
        await report();
        continue;
      }
      throw err;
    }
    counts.rowsRead += rows.length;
    const finished = await bookDay(rows, booking, pastDeadline, (written, agentId) => {
      if (written === undefined) {
        counts.rowsUnchanged++;
        return;
      }
      counts.rowsLoaded++;
      counts.entries += written;
      if (written > 0) affected.add(agentId);
    });
    if (!finished) {
      resumeFrom = date;
      await report();
      break;
    }
    counts.daysRead++;
    slowestDayMs = Math.max(slowestDayMs, deps.clock.now() - dayStartedAt);
    await report();
    // The next run reads from the day after; today stays (its rows may still arrive).
    if (!failedDays.length) await advanceWatermark(date < range.to ? addDays(date, 1) : range.to);
  }
  // A run stopped before any day finished still pins where it stopped (a first run's window stays put).
  if (resumeFrom !== undefined && !failedDays.length) await advanceWatermark(resumeFrom);
  counts.rowsRead += counts.rowsRejected;

  const agents = [...affected].sort();
  if (!dryRun && agents.length) {
    await deps.evaluations.sendAll(
      agents.map((agentId) => ({
        id: agentId,
        body: JSON.stringify(evaluationMessage(agentId, range.today)),
        attributes: {
          eventType: 'reward.evaluation',
          eventId: `reward-evaluation:${agentId}:${range.today}:${startedAt}`,
        },
      })),
    );
  }

  const summary: IngestionSummary = {
    from: range.from,
    to: range.to,
    dryRun,
    ruleVersion: rules.version,
    daysRead: counts.daysRead,
    rowsRead: counts.rowsRead,
    rowsLoaded: counts.rowsLoaded,
    rowsUnchanged: counts.rowsUnchanged,
    rowsRejected: counts.rowsRejected,
    malformed,
    ledgerEntriesWritten: counts.entries,
    agentsEvaluated: dryRun ? 0 : agents.length,
    failedDays,
    durationMs: deps.clock.now() - startedAt,
    watermark,
    resumeFrom,
  };
  if (!dryRun) {
    await deps.events.publish({
      type: 'rewards.ingestion.completed',
      detail: {
        from: summary.from,
        to: summary.to,
        status: ingestionStatus(summary),
        ruleVersion: summary.ruleVersion,
        daysRead: summary.daysRead,
        daysTotal: days.length,
        ...(resumeFrom !== undefined ? { resumeFrom } : {}),
        rowsRead: summary.rowsRead,
        rowsLoaded: summary.rowsLoaded,
        rowsRejected: summary.rowsRejected,
        // Row references and the fields at fault only (the first MALFORMED_LISTED): never a row's values.
        malformedRows: malformed,
        agentsEvaluated: summary.agentsEvaluated,
        failedDays: failedDays.map(({ date, reason }) => ({ date, reason })),
        durationMs: summary.durationMs,
      },
    });
  }
  return summary;
}

/** One day's export as read: its valid rows, its malformed rows, and the error that ended it, if one did. */
interface DayRead {
  readonly rows: PerformanceRow[];
  readonly rejected: number;
  /** The first MALFORMED_LISTED malformed rows. */
  readonly malformed: MalformedRowReport[];
  readonly error?: unknown;
}

/** Reads one day's export to its end; an error is answered with what was read before it, never thrown. */
async function readWholeDay(reader: PerformanceExportReader, date: string): Promise<DayRead> {
  const read: { rows: PerformanceRow[]; rejected: number; malformed: MalformedRowReport[] } = {
    rows: [],
    rejected: 0,
    malformed: [],
  };
  try {
    for await (const item of reader.readDay(date)) {
      if (item.kind === 'row') {
        read.rows.push(item.row);
      } else if (item.kind === 'malformed') {
        read.rejected++;
        if (read.malformed.length < MALFORMED_LISTED) {
          read.malformed.push({ rowRef: item.rowRef, fields: item.problems.map((p) => p.field) });
        }
      }
    }
  } catch (error) {
    return { ...read, error };
  }
  return read;
}

interface Booking {
  readonly ledger: RewardLedgerStore;
  readonly rules: PointsRuleDocument;
  readonly dryRun: boolean;
  /** Each agent's ledger head as this run last wrote or read it; a stale one conflicts and is read again. */
  readonly heads: Map<string, number>;
}

/**
 * Books one day's rows, a chunk at a time: the chunk's bookings in one batched read, the heads of the agents
 * not yet known (BOOKING_CONCURRENCY at a time), then the changed rows packed into booking writes of up to
 * MAX_ITEMS_PER_BOOKING_WRITE items, each one transaction over rows of distinct agents (bookAll). A write
 * that conflicts (another writer booked one of its rows, or took one of its agents' next positions) wrote
 * nothing; its rows are then booked one at a time, each read again and decided again (bookOnce). False when it
 * stopped before the deadline with rows left (those booked stay booked; the next run reads the day again and
 * finds them unchanged).
 */
async function bookDay(
  rows: readonly PerformanceRow[],
  booking: Booking,
  pastDeadline: () => boolean,
  booked: (written: number | undefined, agentId: string) => void,
): Promise<boolean> {
  const { ledger, rules, heads } = booking;
  for (let start = 0; start < rows.length; start += BOOKING_CHUNK) {
    if (pastDeadline()) return false;
    const chunk = rows.slice(start, start + BOOKING_CHUNK);
    const stored = await ledger.rowBookings(chunk.map(({ agentId, date }) => ({ agentId, date })));
    const changed: PlannedRow[] = [];
    // An export that lists an agent twice for the day: the repeats go one at a time, after the rest.
    const repeats: PlannedRow[] = [];
    const agents = new Set<string>();
    chunk.forEach((row, i) => {
      const previous = stored[i];
      const outcome = correctingDelta(previous?.booking, bookRow(row, rules));
      if (outcome.kind === 'unchanged') return booked(undefined, row.agentId);
      if (booking.dryRun) return booked(outcome.deltas.length, row.agentId);
      const planned = { row, previous, outcome };
      if (agents.has(row.agentId)) repeats.push(planned);
      else changed.push(planned);
      agents.add(row.agentId);
    });
    const unknownHeads = changed
      .filter((p) => p.outcome.deltas.length && !heads.has(p.row.agentId))
      .map((p) => p.row.agentId);
    await eachBounded(unknownHeads, BOOKING_CONCURRENCY, async (agentId) => {
      heads.set(agentId, await ledger.headPosition(agentId));
    });
    await eachBounded(packWrites(changed), BOOKING_CONCURRENCY, async (group) => {
      const writes = group.map(({ row, previous, outcome }) => ({
        booking: outcome.booking,
        previous,
        entries: entriesAt(outcome.deltas, heads.get(row.agentId) ?? 0),
      }));
      if ((await ledger.bookAll(writes)) === 'written') {
        writes.forEach(({ entries }, i) => {
          const { agentId } = group[i]!.row;
          if (entries.length) heads.set(agentId, entries.at(-1)!.position);
          booked(entries.length, agentId);
        });
        return;
      }
      for (const { row, previous } of group) booked(await bookOnce(row, previous, booking), row.agentId);
    });
    for (const { row, previous } of repeats) booked(await bookOnce(row, previous, booking), row.agentId);
  }
  return true;
}

interface PlannedRow {
  readonly row: PerformanceRow;
  readonly previous: StoredRowBooking | undefined;
  readonly outcome: Extract<RowBookingOutcome, { kind: 'book' }>;
}

/** Consecutive rows packed into writes of at most MAX_ITEMS_PER_BOOKING_WRITE items (a booking + its entries). */
function packWrites(rows: readonly PlannedRow[]): PlannedRow[][] {
  const writes: PlannedRow[][] = [];
  let items = Number.POSITIVE_INFINITY;
  for (const planned of rows) {
    const size = 1 + planned.outcome.deltas.length;
    if (items + size > MAX_ITEMS_PER_BOOKING_WRITE) {
      writes.push([]);
      items = 0;
    }
    writes.at(-1)!.push(planned);
    items += size;
  }
  return writes;
}

/** A row's deltas as ledger entries at the positions after `head`. */
function entriesAt(deltas: readonly RowDelta[], head: number): RowEntry[] {
  return deltas.map((d, i) => ({
    kind: d.kind,
    position: head + 1 + i,
    agentId: d.agentId,
    date: d.date,
    delta: d.delta,
    ruleVersion: d.ruleVersion,
    line: d.line,
    correction: d.correction,
  }));
}

/**
 * Books one row: nothing if it is booked with the same values (undefined), else its booking and entries in one
 * conditional write, and answers how many entries it appended. A conflict (another run booked the row, or took
 * the agent's next position) is read again and decided again.
 */
async function bookOnce(
  row: PerformanceRow,
  prefetched: StoredRowBooking | undefined,
  { ledger, rules, dryRun, heads }: Booking,
): Promise<number | undefined> {
  let previous = prefetched;
  for (let attempt = 1; attempt <= MAX_BOOKING_CONFLICTS; attempt++) {
    if (attempt > 1) previous = await ledger.rowBooking(row.agentId, row.date);
    const outcome = correctingDelta(previous?.booking, bookRow(row, rules));
    if (outcome.kind === 'unchanged') return undefined;
    if (dryRun) return outcome.deltas.length;
    let head = 0;
    if (outcome.deltas.length) {
      head = heads.get(row.agentId) ?? (await ledger.headPosition(row.agentId));
    }
    const entries = entriesAt(outcome.deltas, head);
    if ((await ledger.book(outcome.booking, previous, entries)) === 'written') {
      if (entries.length) heads.set(row.agentId, head + entries.length);
      return entries.length;
    }
    heads.delete(row.agentId);
  }
  throw new RetryableFailure(
    INGESTION_FAILURE_REASONS.ledgerContended,
    `the row of ${row.date} kept conflicting with other writers to the agent's ledger after ${MAX_BOOKING_CONFLICTS} tries`,
  );
}

async function eachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
