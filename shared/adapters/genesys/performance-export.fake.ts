/**
 * In-memory Genesys performance export with the sandbox's pages: rows of the day in agent order, `pageSize`
 * per page (or `shortPageRows`, like the sandbox's short cursor pages), a `total` that `totalOffsets` can make
 * wrong, each row through `validateRow`. Rows are raw objects, as an export would carry them (PII included).
 */
import { validateRow } from '../../contracts/genesys-performance-export.schema';
import {
  ExportIncomplete,
  type ExportItem,
  type PerformanceExportReader,
} from '../../domain/reward-triggers/ports';

export class FakePerformanceExport implements PerformanceExportReader {
  /** Raw rows of every day. */
  readonly rows: Record<string, unknown>[] = [];
  /** Per day, what the export's `total` gets wrong (`+1`: it announces a row it never serves). */
  readonly totalOffsets = new Map<string, number>();
  shortPageRows: number | null = null;
  /** Pages served, per day, in order. */
  readonly pagesServed: string[] = [];

  constructor(private readonly pageSize = 100) {}

  async *readDay(date: string): AsyncGenerator<ExportItem> {
    const day = this.rows
      .filter((r) => r.date === date)
      .sort((a, b) => String(a.agentId).localeCompare(String(b.agentId)));
    const total = Math.max(0, day.length + (this.totalOffsets.get(date) ?? 0));
    const perPage = Math.min(this.pageSize, this.shortPageRows ?? this.pageSize);
    let received = 0;
    let malformed = 0;
    let pages = 0;
    do {
      pages += 1;
      this.pagesServed.push(date);
      const entities = day.slice((pages - 1) * perPage, pages * perPage);
      for (const [index, raw] of entities.entries()) {
        received += 1;
        const validated = validateRow(raw, `${date} page ${pages} row ${index + 1}`);
        if (validated.ok)
          yield { kind: 'row', rowRef: `${date} page ${pages} row ${index + 1}`, row: validated.row };
        else {
          malformed += 1;
          yield { kind: 'malformed', rowRef: validated.rowRef, problems: validated.problems };
        }
      }
    } while (pages * perPage < day.length);
    if (received !== total) throw new ExportIncomplete(date, total, received, pages);
    yield {
      kind: 'day-complete',
      report: { date, exportVersion: 'v2.1', total, received, malformed, pages },
    };
  }
}
