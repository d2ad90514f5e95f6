/**
 * Site-local shift times -> absolute instants (issue 11 intake, spec 003 section 2). CXone gives a shift as a
 * local date and wall-clock times of the site; every overlap and coverage interval is computed on the
 * instants, through the site's IANA zone (date-fns-tz), so DST days of 23 or 25 hours and Lord Howe's
 * 30-minute shift come out right.
 */
import { formatInTimeZone } from 'date-fns-tz';
import { addDays, isValidTimeZone } from '../time/local-days';

const DAY_MS = 86_400_000;

/** A half-open window [start, end) of instants, in ms since the epoch. */
export interface ShiftWindow {
  readonly start: number;
  readonly end: number;
}

/** A shift as CXone sends it: local to its site. */
export interface LocalShift {
  readonly date: string;
  readonly startTime: string;
  readonly endTime: string;
}

/**
 * How a wall-clock time was read. `exact`: it exists once. `skipped`: it falls in a spring-forward gap and
 * does not exist. `repeated`: it falls in the fall-back hour (half hour on Lord Howe) and exists twice.
 */
export type LocalTimeResolution = 'exact' | 'skipped' | 'repeated';

export interface ResolvedInstant {
  readonly instant: number;
  readonly resolution: LocalTimeResolution;
}

export interface ResolvedShiftWindow extends ShiftWindow {
  readonly timeZone: string;
  /** The local date the shift ends on: the next day when its end is at or before its start. */
  readonly endDate: string;
  readonly startResolution: LocalTimeResolution;
  readonly endResolution: LocalTimeResolution;
}

/**
 * The zone's UTC offset at an instant, read through Intl (date-fns-tz's `getTimezoneOffset` takes a local
 * time, not an instant, which is exactly what is ambiguous here).
 */
function offsetAt(instant: number, timeZone: string): number {
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return Date.parse(formatInTimeZone(wholeSeconds, timeZone, "yyyy-MM-dd'T'HH:mm:ss'Z'")) - wholeSeconds;
}

/** `hh:mm` or `hh:mm:ss` -> `hh:mm:ss`; anything else is refused. */
export function normalizeLocalTime(time: string): string {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59) {
    throw new RangeError(`"${time}" is not a local time hh:mm[:ss]`);
  }
  return `${match[1]}:${match[2]}:${match[3] ?? '00'}`;
}

/**
 * The instant a site-local wall-clock time names. DST is handled deliberately, the way RFC 5545 (iCalendar)
 * and Temporal's `compatible` disambiguation do, because date-fns-tz alone is not consistent about it (it
 * reads a repeated 01:30 as the first occurrence in New York and as the second in London):
 * - a time skipped by a spring-forward gap is read with the offset in force before the gap, i.e. moved
 *   forward by the gap's length: New York 02:30 on 2026-03-08 is 03:30 EDT, Lord Howe 02:15 on 2026-10-04
 *   is 02:45. A shift starting there starts when the clock first shows a time past the gap;
 * - a time that occurs twice on a fall-back night is its first occurrence (the earlier instant): New York
 *   01:30 on 2026-11-01 is 01:30 EDT. A shift ending there ends the first time the clock reads it.
 * The resolution is returned so the evidence can say when either happened.
 */
export function resolveLocalTime(date: string, time: string, timeZone: string): ResolvedInstant {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`"${timeZone}" is not an IANA time zone`);
  const wallClock = Date.parse(`${date}T${normalizeLocalTime(time)}Z`);
  if (Number.isNaN(wallClock)) throw new RangeError(`"${date}" is not a date YYYY-MM-DD`);
  // Zones change offset at most a few times a year, so the offsets a day either side are every candidate.
  const offsetBefore = offsetAt(wallClock - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wallClock + DAY_MS, timeZone);
  const valid = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => wallClock - offset)
    .filter((instant) => wallClock - offsetAt(instant, timeZone) === instant);
  if (valid.length === 0) return { instant: wallClock - offsetBefore, resolution: 'skipped' };
  if (valid.length === 1) return { instant: valid[0]!, resolution: 'exact' };
  return { instant: Math.min(...valid), resolution: 'repeated' };
}

/**
 * A shift's absolute window. A shift whose end is at or before its start ends on the next local day (so
 * `08:00-08:00` is a 24-hour shift, never an empty one).
 */
export function shiftWindow(shift: LocalShift, timeZone: string): ResolvedShiftWindow {
  const startTime = normalizeLocalTime(shift.startTime);
  const endTime = normalizeLocalTime(shift.endTime);
  const endDate = endTime <= startTime ? addDays(shift.date, 1) : shift.date;
  const start = resolveLocalTime(shift.date, startTime, timeZone);
  const end = resolveLocalTime(endDate, endTime, timeZone);
  if (end.instant <= start.instant) {
    // Only possible when a spring-forward gap swallows a very short shift: New York 02:30-03:00 on 2026-03-08.
    throw new RangeError(
      `shift ${shift.date} ${startTime}-${endTime} in ${timeZone} has no duration once DST is applied`,
    );
  }
  return {
    start: start.instant,
    end: end.instant,
    timeZone,
    endDate,
    startResolution: start.resolution,
    endResolution: end.resolution,
  };
}

/** Half-open overlap: a shift ending at 16:00 does not overlap one starting at 16:00. */
export function overlaps(a: ShiftWindow, b: ShiftWindow): boolean {
  return a.start < b.end && b.start < a.end;
}

export const isoInstant = (ms: number) => new Date(ms).toISOString();
