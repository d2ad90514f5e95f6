/**
 * Points from one validated export row, and the correction when a row comes back.
 *
 * A row is booked per points line (CSAT, compliance, AHT), not as one net figure: a compliance penalty stays a
 * debit in the ledger even on a day whose CSAT outweighs it, so it is visible in the audit and can trigger a
 * clawback (spec 004 edge case 4).
 *
 * A row is identified by agent and date (issue 12). The ingestion keeps the booking last made for each row;
 * a row that comes back with the same values books nothing, one with other values books only the difference
 * per line. Rule changes are not retroactive: a row re-read unchanged after a new rule version keeps the points
 * it was booked with (re-reading the watermark's day must stay a no-op), while a changed row is scored again
 * under the rules in force.
 */
import type { PerformanceRow } from '../../contracts/genesys-performance-export.schema';
import type { PointsRuleDocument } from './points-rules.schema';

export const POINTS_LINES = ['csatFiveStar', 'complianceViolations', 'ahtCompliance'] as const;
export type PointsLine = (typeof POINTS_LINES)[number];

export type RowMetrics = Pick<PerformanceRow, 'csatFiveStar' | 'complianceViolations' | 'ahtCompliancePct'>;

/** What has been booked for one row (agent and date): kept by the ingestion next to the ledger. */
export interface RowBooking {
  readonly agentId: string;
  readonly date: string;
  readonly metrics: RowMetrics;
  /** Points per line; their sum is what the row is worth. */
  readonly points: Readonly<Record<PointsLine, number>>;
  readonly ruleVersion: string;
}

/** One ledger delta from a row. A credit is positive, a debit negative; zero is never booked. */
export interface RowDelta {
  readonly kind: 'credit' | 'debit';
  readonly agentId: string;
  /** The performance day the points are for: the window counts them on this date. */
  readonly date: string;
  readonly line: PointsLine;
  readonly delta: number;
  readonly ruleVersion: string;
  /** True when it corrects points already booked for the row. */
  readonly correction: boolean;
}

export type RowBookingOutcome =
  /** The row is as booked: nothing to write. */
  | { readonly kind: 'unchanged' }
  /**
   * Store `booking` for the row and append `deltas` (possibly none: values changed, points did not). The
   * store's write must be conditional on the previous booking, so two ingestions cannot both book a row.
   */
  | { readonly kind: 'book'; readonly booking: RowBooking; readonly deltas: readonly RowDelta[] };

export function rowKey(agentId: string, date: string): string {
  return `${agentId}#${date}`;
}

export function bookRow(row: PerformanceRow, rules: PointsRuleDocument): RowBooking {
  const bonus = rules.points.ahtComplianceBonus;
  return {
    agentId: row.agentId,
    date: row.date,
    metrics: {
      csatFiveStar: row.csatFiveStar,
      complianceViolations: row.complianceViolations,
      ahtCompliancePct: row.ahtCompliancePct,
    },
    points: {
      csatFiveStar: row.csatFiveStar * rules.points.perFiveStarCsat,
      complianceViolations: row.complianceViolations * rules.points.perComplianceViolation,
      ahtCompliance:
        bonus !== null && row.ahtCompliancePct !== null && row.ahtCompliancePct >= bonus.atLeastPct
          ? bonus.points
          : 0,
    },
    ruleVersion: rules.version,
  };
}

export function bookingTotal(booking: RowBooking): number {
  return POINTS_LINES.reduce((sum, line) => sum + booking.points[line], 0);
}

/**
 * New points minus the points already booked for the row, line by line. Never a second full booking: a row
 * that comes back twice with 6 five-star ratings earns 60 once; corrected to 4, it books -20.
 */
export function correctingDelta(previous: RowBooking | undefined, next: RowBooking): RowBookingOutcome {
  if (previous && (previous.agentId !== next.agentId || previous.date !== next.date)) {
    throw new Error('correctingDelta: the previous booking is for another row');
  }
  if (previous && sameMetrics(previous.metrics, next.metrics)) return { kind: 'unchanged' };
  const deltas: RowDelta[] = [];
  for (const line of POINTS_LINES) {
    const delta = next.points[line] - (previous?.points[line] ?? 0);
    if (delta === 0) continue;
    deltas.push({
      kind: delta > 0 ? 'credit' : 'debit',
      agentId: next.agentId,
      date: next.date,
      line,
      delta,
      ruleVersion: next.ruleVersion,
      correction: previous !== undefined,
    });
  }
  return { kind: 'book', booking: next, deltas };
}

/** The ledger deltas of a row seen for the first time. */
export function pointsFromRow(row: PerformanceRow, rules: PointsRuleDocument): readonly RowDelta[] {
  const outcome = correctingDelta(undefined, bookRow(row, rules));
  return outcome.kind === 'book' ? outcome.deltas : [];
}

function sameMetrics(a: RowMetrics, b: RowMetrics): boolean {
  return (
    a.csatFiveStar === b.csatFiveStar &&
    a.complianceViolations === b.complianceViolations &&
    a.ahtCompliancePct === b.ahtCompliancePct
  );
}
