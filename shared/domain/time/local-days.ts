/**
 * Local calendar days in an IANA time zone, on absolute instants (ms since epoch). Every conversion goes
 * through date-fns-tz and the zone's own rules, so DST days of 23 or 25 hours (and Lord Howe's 30-minute
 * shift) come out right; no fixed offset is ever assumed.
 */
import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';

const DAY_MS = 86_400_000;

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(instant: number, timeZone: string): string {
  return formatInTimeZone(instant, timeZone, 'yyyy-MM-dd');
}

/** Adds calendar days to a YYYY-MM-DD date (no time zone involved). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant local midnight begins `date` in `timeZone`. */
export function startOfLocalDay(date: string, timeZone: string): number {
  return fromZonedTime(`${date}T00:00:00`, timeZone).getTime();
}

/** The first local midnight strictly after `instant`. */
export function nextLocalMidnight(instant: number, timeZone: string): number {
  return startOfLocalDay(addDays(localDate(instant, timeZone), 1), timeZone);
}

/**
 * Spec 001 section 2: widen a window to whole local days in the agent's zone, then add 24 h on each side, so
 * split shifts and shifts crossing local midnight are found.
 */
export function widenedQueryWindow(
  start: number,
  end: number,
  timeZone: string,
): { start: number; end: number } {
  const firstDay = startOfLocalDay(localDate(start, timeZone), timeZone);
  const lastDayEnd = nextLocalMidnight(end - 1, timeZone);
  return { start: firstDay - DAY_MS, end: lastDayEnd + DAY_MS };
}
