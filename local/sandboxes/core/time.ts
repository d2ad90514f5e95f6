/** Instants as the vendors validate them: ISO 8601 with `Z` or an explicit offset, never local time. */
import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';
import { Instant } from '../../../shared/contracts/common';
import { badRequest, RequestRejected } from './http';

export function isInstant(value: unknown): value is string {
  return Instant.safeParse(value).success;
}

/** Parses an instant field or rejects the request with 400 naming the field. */
export function requireInstant(value: unknown, field: string, error = 'bad.request'): number {
  if (typeof value !== 'string' || value === '') {
    throw new RequestRejected(badRequest(`${field} is required`, { field }));
  }
  if (!isInstant(value)) {
    throw new RequestRejected({
      status: 400,
      body: {
        error,
        message: `${field} must be an ISO 8601 timestamp with Z or an explicit offset (got "${value}")`,
        status: 400,
        field,
      },
    });
  }
  return Date.parse(value);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The first local midnight strictly after `instantMs` in `timeZone` (DST-correct). */
export function nextLocalMidnight(instantMs: number, timeZone: string): number {
  const localDate = formatInTimeZone(instantMs, timeZone, 'yyyy-MM-dd');
  const next = new Date(`${localDate}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return fromZonedTime(`${next.toISOString().slice(0, 10)}T00:00:00`, timeZone).getTime();
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** `[aStart, aEnd)` and `[bStart, bEnd)` share at least one instant. */
export const overlaps = (aStart: number, aEnd: number, bStart: number, bEnd: number): boolean =>
  aStart < bEnd && bStart < aEnd;
