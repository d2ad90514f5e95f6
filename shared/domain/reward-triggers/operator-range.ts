/**
 * The date range an operator may ingest (`wfm-bridge rewards ingest --from --to`): real calendar dates in
 * YYYY-MM-DD, `from` not after `to`, at most the 90 days a first scheduled run reads, and (where today in the
 * export's time zone is known) not ending in the future. Checked by the CLI before it invokes anything and
 * again by the ingestion function, which anyone with lambda:InvokeFunction could call.
 */
import { addDays } from '../time/local-days';

export const MAX_OPERATOR_RANGE_DAYS = 90;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class InvalidIngestionRange extends Error {
  override readonly name = 'InvalidIngestionRange';
}

const isCalendarDate = (text: string) => DATE.test(text) && addDays(text, 0) === text;

/** Days from `from` through `to`, both included. */
export const daysInRange = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/** Throws InvalidIngestionRange with a message an operator can act on; answers the range otherwise. */
export function checkOperatorRange(
  from: string | undefined,
  to: string | undefined,
  today?: string,
): { readonly from: string; readonly to: string } {
  if (!from || !to) throw new InvalidIngestionRange('give both --from and --to (YYYY-MM-DD)');
  for (const [flag, value] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!isCalendarDate(value))
      throw new InvalidIngestionRange(`${flag} "${value}" is not a calendar date in YYYY-MM-DD form`);
  }
  if (from > to) throw new InvalidIngestionRange(`--from ${from} is after --to ${to}`);
  const days = daysInRange(from, to);
  if (days > MAX_OPERATOR_RANGE_DAYS) {
    throw new InvalidIngestionRange(
      `${from}..${to} is ${days} days; at most ${MAX_OPERATOR_RANGE_DAYS} per run (split the range)`,
    );
  }
  if (today && to > today) {
    throw new InvalidIngestionRange(
      `--to ${to} is after today (${today} in the export's time zone); the export has no such day yet`,
    );
  }
  return { from, to };
}
