/**
 * The Genesys WFM performance export (spec 004 section 1: "agentId, date, and raw metrics"), as the sandbox
 * serves it at `GET /api/v2/wfm/exports/performance` (docs/sandboxes.md): pages of rows, each
 * `{ agentId, date, csatFiveStar, ahtCompliancePct, complianceViolations, ...anything else }`.
 *
 * Spec 004's first trap: normalise before any threshold logic. Every row goes through `validateRow` before it
 * can touch the ledger. A row may carry the agent's name, email or phone (an older export schema, spec 004 edge
 * case 2): the normalised row keeps only the fields below, and a problem names the row and the field at fault,
 * never a value.
 */
import {
  array,
  int,
  gte,
  lte,
  looseObject,
  nullable,
  number,
  optional,
  refine,
  string,
  unknown,
} from 'zod/mini';
import type { z } from 'zod/mini';
import { Id, LocalDate } from './common';

const CalendarDate = LocalDate.check(
  refine((d) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return true; // LocalDate's own message says it
    const parsed = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === d;
  }, 'is not a calendar date'),
);
const Count = int().check(gte(0));

/**
 * One row as received. Loose: an export may add columns (PII among them); they are dropped, not refused.
 * The two metrics that earn or cost points are required: a row without them would silently score 0, the very
 * failure spec 004's trap describes. AHT compliance earns nothing by default, so a day without it is allowed.
 */
export const PerformanceRowSchema = looseObject({
  agentId: Id,
  /** The performance day, a calendar date in the export's time zone. */
  date: CalendarDate,
  /** Five-star CSAT ratings that day. */
  csatFiveStar: Count,
  complianceViolations: Count,
  ahtCompliancePct: optional(nullable(number().check(gte(0), lte(100)))),
});

/** The only fields a row keeps after validation: no PII, nothing unknown. */
export interface PerformanceRow {
  readonly agentId: string;
  readonly date: string;
  readonly csatFiveStar: number;
  readonly complianceViolations: number;
  readonly ahtCompliancePct: number | null;
}

/** A field at fault: its path and what is wrong with it, never its value. */
export interface RowProblem {
  readonly field: string;
  readonly message: string;
}

export type ValidatedRow =
  | { readonly ok: true; readonly row: PerformanceRow }
  | { readonly ok: false; readonly rowRef: string; readonly problems: readonly RowProblem[] };

/**
 * Validates one export row. `rowRef` is how the report names the row (e.g. `2026-05-15 page 3 row 17`): the
 * caller's position in the export, because the row's own agent id may be the field at fault.
 */
export function validateRow(raw: unknown, rowRef: string): ValidatedRow {
  const parsed = PerformanceRowSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      rowRef,
      // zod's messages name the expected and received types, never the received value.
      problems: parsed.error.issues.map((issue) => ({
        field: issue.path.length ? issue.path.map(String).join('.') : '(row)',
        message: issue.message,
      })),
    };
  }
  const { agentId, date, csatFiveStar, complianceViolations, ahtCompliancePct } = parsed.data;
  return {
    ok: true,
    row: { agentId, date, csatFiveStar, complianceViolations, ahtCompliancePct: ahtCompliancePct ?? null },
  };
}

/**
 * One page of the export. Rows stay `unknown` here: one malformed row is reported and skipped, it must not
 * fail the page (issue 12). `total` is checked against the rows received before anything loads.
 */
export const PerformanceExportPageSchema = looseObject({
  exportVersion: string(),
  entities: array(unknown()),
  pageNumber: int().check(gte(1)),
  pageSize: int().check(gte(1)),
  total: int().check(gte(0)),
  pageCount: int().check(gte(0)),
  nextUri: optional(string()),
});
export type PerformanceExportPage = z.output<typeof PerformanceExportPageSchema>;
