/**
 * Spec 002 section 3 (the trap): WEM partitions adherence by calendar day in the agent's zone; an event that
 * crosses local midnight waits for the 5-minute rollover job. So every window is split at each local midnight
 * it crosses, DST-correct (local days of 23 or 25 hours), before it is sent.
 */
import { nextLocalMidnight } from '../time/local-days';

export interface Window {
  readonly startTime: string;
  readonly endTime: string;
}

export function splitAtLocalMidnights(start: number, end: number, timeZone: string): Window[] {
  const parts: Window[] = [];
  let cursor = start;
  while (cursor < end) {
    const midnight = nextLocalMidnight(cursor, timeZone);
    const partEnd = Math.min(end, midnight);
    parts.push({ startTime: new Date(cursor).toISOString(), endTime: new Date(partEnd).toISOString() });
    cursor = partEnd;
  }
  return parts.length
    ? parts
    : [{ startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString() }];
}

/** Spec 002 edge case 2: a timestamp must state its offset (`Z` or `±hh:mm`); local times are never guessed. */
export function hasExplicitOffset(timestamp: string): boolean {
  return /(Z|[+-]\d{2}:\d{2})$/.test(timestamp) && !Number.isNaN(Date.parse(timestamp));
}

/** External reason code -> WEM compliance code; raw external codes are never pushed (spec 002 section 3). */
export const NO_REASON = '(none)';

export function translateReasonCode(
  external: string | null | undefined,
  map: Readonly<Record<string, string>>,
): { ok: true; code: string } | { ok: false; reason: string } {
  const key = external === null || external === undefined || external === '' ? NO_REASON : external;
  const code = map[key];
  return code ? { ok: true, code } : { ok: false, reason: `reason code "${external}" has no WEM mapping` };
}
