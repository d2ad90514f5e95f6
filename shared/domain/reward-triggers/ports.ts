/**
 * The outside things reward-triggers reaches (spec 004), as ports: the Genesys performance export it reads and
 * the reward marketplace it issues to. Adapters live in shared/adapters/{genesys,rewards}, each with a fake.
 */
import type { PerformanceRow, RowProblem } from '../../contracts/genesys-performance-export.schema';
import type { RewardsIssueRequest } from '../../contracts/rewards-issue.schema';
import type { MarketplaceAnswer } from './issue-outcome';

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
