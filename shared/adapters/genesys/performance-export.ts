/**
 * The Genesys WFM performance export (spec 004 section 1; `GET /api/v2/wfm/exports/performance`, the sandbox's
 * path), one day at a time, following `nextUri` page by page as the caller pulls. Only `nextUri` ends the
 * stream: a page shorter than the page size does not (Genesys cursor pages can be short, shared/spec README).
 * Every row goes through the contract's `validateRow`; what leaves this adapter has no PII (a malformed row is
 * its position and the fields at fault). The day is complete only if the rows received match the export's
 * `total`; otherwise the stream ends in `ExportIncomplete` and the caller loads nothing for the day.
 */
import {
  PerformanceExportPageSchema,
  validateRow,
  type PerformanceExportPage,
} from '../../contracts/genesys-performance-export.schema';
import {
  ExportIncomplete,
  ExportUnreadable,
  type ExportItem,
  type PerformanceExportReader,
} from '../../domain/reward-triggers/ports';
import { VendorHttpError, type VendorHttpClient } from '../../http/types';

export const PERFORMANCE_EXPORT_PATH = '/api/v2/wfm/exports/performance';

/** Genesys' largest page; the benchmark raises it together with the sandbox's. */
export const DEFAULT_EXPORT_PAGE_SIZE = 100;

/** Pages in a row without a single entity before the cursor is taken to be stuck. */
const MAX_EMPTY_PAGES = 10;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface PageRequest {
  readonly number: number;
  readonly query: Readonly<Record<string, string>>;
}

export class GenesysPerformanceExportAdapter implements PerformanceExportReader {
  constructor(
    private readonly http: VendorHttpClient,
    private readonly options: { readonly pageSize?: number } = {},
  ) {}

  async *readDay(date: string): AsyncGenerator<ExportItem> {
    if (!DATE.test(date)) throw new Error(`readDay: ${JSON.stringify(date)} is not a date YYYY-MM-DD`);
    const pageSize = this.options.pageSize ?? DEFAULT_EXPORT_PAGE_SIZE;
    let request: PageRequest | undefined = {
      number: 1,
      query: { dateFrom: date, dateTo: date, pageNumber: '1', pageSize: String(pageSize) },
    };
    let next: Promise<PerformanceExportPage> | undefined = this.fetchPage(date, request);
    let total: number | undefined;
    let exportVersion = '';
    let received = 0;
    let malformed = 0;
    let pages = 0;
    let emptyPages = 0;
    while (next && request) {
      const page: PerformanceExportPage = await next;
      pages += 1;
      if (total === undefined) {
        total = page.total;
        exportVersion = page.exportVersion;
      } else if (page.total !== total) {
        throw new ExportUnreadable(
          date,
          request.number,
          `the export's total changed from ${total} to ${page.total} while it was read`,
          true,
        );
      }
      emptyPages = page.entities.length === 0 ? emptyPages + 1 : 0;
      if (emptyPages > MAX_EMPTY_PAGES) {
        throw new ExportUnreadable(date, request.number, `${emptyPages} empty pages in a row`, true);
      }
      // The next page is on its way while this one is consumed: one page ahead, never more.
      const current: PageRequest = request;
      request = page.nextUri === undefined ? undefined : follow(date, current, page.nextUri);
      next = request ? quiet(this.fetchPage(date, request)) : undefined;
      for (const [index, raw] of page.entities.entries()) {
        received += 1;
        const rowRef = `${date} page ${current.number} row ${index + 1}`;
        const validated = validateRow(raw, rowRef);
        if (validated.ok && validated.row.date !== date) {
          malformed += 1;
          yield {
            kind: 'malformed',
            rowRef,
            problems: [{ field: 'date', message: 'is not the day the export was asked for' }],
          };
        } else if (validated.ok) {
          yield { kind: 'row', rowRef, row: validated.row };
        } else {
          malformed += 1;
          yield { kind: 'malformed', rowRef, problems: validated.problems };
        }
      }
    }
    if (received !== total) throw new ExportIncomplete(date, total ?? 0, received, pages);
    yield {
      kind: 'day-complete',
      report: { date, exportVersion, total, received, malformed, pages },
    };
  }

  private async fetchPage(date: string, request: PageRequest): Promise<PerformanceExportPage> {
    let body: unknown;
    try {
      body = (await this.http.request({ method: 'GET', path: PERFORMANCE_EXPORT_PATH, query: request.query }))
        .body;
    } catch (err) {
      if (!(err instanceof VendorHttpError)) throw err;
      throw new ExportUnreadable(date, request.number, err.message, err.transient, { cause: err });
    }
    const parsed = PerformanceExportPageSchema.safeParse(body);
    if (!parsed.success) {
      // Field paths and zod's messages only: a page's values may be PII.
      const fields = parsed.error.issues.map(
        (i) => `${i.path.map(String).join('.') || '(page)'}: ${i.message}`,
      );
      throw new ExportUnreadable(date, request.number, `not an export page (${fields.join('; ')})`, false);
    }
    return parsed.data;
  }
}

/** The next page's query, from `nextUri`; only ever the export's own path (the token goes nowhere else). */
function follow(date: string, current: PageRequest, nextUri: string): PageRequest {
  const at = current.number + 1;
  let url: URL;
  try {
    url = new URL(nextUri, 'relative:/');
  } catch {
    throw new ExportUnreadable(date, at, 'nextUri is not a URI', false);
  }
  if (url.protocol !== 'relative:' || !url.pathname.endsWith(PERFORMANCE_EXPORT_PATH)) {
    throw new ExportUnreadable(date, at, 'nextUri leaves the performance export', false);
  }
  const query = Object.fromEntries(url.searchParams);
  if (sameQuery(query, current.query)) {
    throw new ExportUnreadable(date, at, 'nextUri points at the page just read', false);
  }
  return { number: at, query };
}

function sameQuery(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** A prefetched page whose failure is only reported when it is awaited (or never, if the caller stopped). */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
