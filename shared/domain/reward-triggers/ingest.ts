/**
 * The nightly performance-export ingestion (spec 004 section 1, issue 12): export rows become ledger entries,
 * and every agent whose ledger moved gets one evaluation on the reward-triggers queue.
 *
 * - Days: from the watermark's day, inclusive (rows that arrived late for it are caught), through today in the
 *   export's time zone; the first run reads the last `firstRunDays` days. An operator may give the range.
 * - A day loads only after the export says `day-complete` (rows received = its total). Until then its rows are
 *   held, validated, in memory: one day of one export (one row per agent), never the whole range. A total
 *   mismatch or an unreadable page loads nothing of that day and fails the run, after the other days.
 * - A malformed row is reported (row reference and fields, never values) and skipped.
 * - A row (agent and date) is booked once, whoever runs it how often: its booking and ledger entries are one
 *   conditional write (RewardLedgerStore.book); a row that comes back with other values books the correcting
 *   delta (points.ts).
 * - The watermark moves to today only when every day loaded; else to the first day that did not, so the
 *   next run reads it again.
 */
import type { Clock } from '../../ports/clock';
import type { DomainEventPublisher } from '../../ports/platform';
import type { QueueSender } from '../../ports/queue-sender';
import { RetryableFailure } from '../../errors';
import type { PerformanceRow } from '../../contracts/genesys-performance-export.schema';
import { addDays } from '../time/local-days';
import type { RowEntry } from './ledger';
import { bookRow, correctingDelta } from './points';
import type { PointsRuleDocument } from './points-rules.schema';
import {
  ExportIncomplete,
  ExportUnreadable,
  type IngestionProgress,
  type IngestionWatermarkStore,
  type PerformanceExportReader,
  type RewardLedgerStore,
  type RuleSource,
} from './ports';

export const INGESTION_FAILURE_REASONS = {
  totalMismatch: 'EXPORT_TOTAL_MISMATCH',
  unreadable: 'EXPORT_UNREADABLE',
  ledgerContended: 'LEDGER_CONTENDED',
} as const;

/** Rows of one day booked at once (rows of one day are one per agent: distinct ledger partitions). */
const BOOKING_CONCURRENCY = 8;
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
  const { document: rules } = await deps.rules.current();
  const dryRun = range.dryRun ?? false;
  const affected = new Set<string>();
  const malformed: MalformedRowReport[] = [];
  const failedDays: FailedDay[] = [];
  const counts = { daysRead: 0, rowsRead: 0, rowsLoaded: 0, rowsUnchanged: 0, rowsRejected: 0, entries: 0 };

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

  for (const date of days) {
    const rows: PerformanceRow[] = [];
    try {
      for await (const item of deps.reader.readDay(date)) {
        if (item.kind === 'row') {
          rows.push(item.row);
        } else if (item.kind === 'malformed') {
          counts.rowsRejected++;
          if (malformed.length < MALFORMED_LISTED) {
            malformed.push({ rowRef: item.rowRef, fields: item.problems.map((p) => p.field) });
          }
        }
      }
    } catch (err) {
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
        counts.daysRead++;
        await report();
        continue;
      }
      throw err;
    }
    counts.rowsRead += rows.length;
    await eachBounded(rows, BOOKING_CONCURRENCY, async (row) => {
      const written = await bookOnce(row, rules, deps.ledger, dryRun);
      if (written === undefined) {
        counts.rowsUnchanged++;
        return;
      }
      counts.rowsLoaded++;
      counts.entries += written;
      if (written > 0) affected.add(row.agentId);
    });
    counts.daysRead++;
    await report();
  }
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

  let watermark: string | undefined;
  if (range.advanceWatermark && !dryRun) {
    watermark = failedDays[0]?.date ?? range.to;
    await deps.watermark.advance(watermark);
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
  };
  if (!dryRun) {
    await deps.events.publish({
      type: 'rewards.ingestion.completed',
      detail: {
        from: summary.from,
        to: summary.to,
        status: failedDays.length ? 'failed' : 'complete',
        ruleVersion: summary.ruleVersion,
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

/**
 * Books one row: nothing if it is booked with the same values (undefined), else its booking and entries in one
 * conditional write, and answers how many entries it appended. A conflict (another run booked the row, or took
 * the agent's next position) is read again and decided again.
 */
async function bookOnce(
  row: PerformanceRow,
  rules: PointsRuleDocument,
  ledger: RewardLedgerStore,
  dryRun: boolean,
): Promise<number | undefined> {
  for (let attempt = 1; attempt <= MAX_BOOKING_CONFLICTS; attempt++) {
    const previous = await ledger.rowBooking(row.agentId, row.date);
    const outcome = correctingDelta(previous?.booking, bookRow(row, rules));
    if (outcome.kind === 'unchanged') return undefined;
    if (dryRun) return outcome.deltas.length;
    const head = outcome.deltas.length ? await ledger.headPosition(row.agentId) : 0;
    const entries: RowEntry[] = outcome.deltas.map((d, i) => ({
      kind: d.kind,
      position: head + 1 + i,
      agentId: d.agentId,
      date: d.date,
      delta: d.delta,
      ruleVersion: d.ruleVersion,
      line: d.line,
      correction: d.correction,
    }));
    if ((await ledger.book(outcome.booking, previous, entries)) === 'written') return entries.length;
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
