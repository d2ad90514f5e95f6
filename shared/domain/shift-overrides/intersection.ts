/**
 * Which part of which shift a time-off window removes (spec 001 sections 2-3 and edge case 2). Overlaps are
 * computed on absolute instants, which is what makes them DST-proof: a local "09:00-17:00" becomes two
 * instants through the agent's zone before it ever reaches here.
 */
export interface ShiftWindow {
  readonly id: string;
  readonly startTime: string;
  readonly endTime: string;
}

export interface PlannedOverride {
  readonly shiftId: string;
  readonly startTime: string;
  readonly endTime: string;
  /** FULL removes the whole shift (overlap >= threshold); PARTIAL removes exactly the overlap. */
  readonly kind: 'FULL' | 'PARTIAL';
  /** Overlap as a share of the shift's duration. */
  readonly coverage: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function planOverride(
  timeOff: { startTime: string; endTime: string },
  shift: ShiftWindow,
  fullShiftThreshold: number,
): PlannedOverride | undefined {
  const shiftStart = Date.parse(shift.startTime);
  const shiftEnd = Date.parse(shift.endTime);
  const start = Math.max(shiftStart, Date.parse(timeOff.startTime));
  const end = Math.min(shiftEnd, Date.parse(timeOff.endTime));
  if (end <= start || shiftEnd <= shiftStart) return undefined;
  const coverage = (end - start) / (shiftEnd - shiftStart);
  return coverage >= fullShiftThreshold
    ? { shiftId: shift.id, startTime: iso(shiftStart), endTime: iso(shiftEnd), kind: 'FULL', coverage }
    : { shiftId: shift.id, startTime: iso(start), endTime: iso(end), kind: 'PARTIAL', coverage };
}

export function planOverrides(
  timeOff: { startTime: string; endTime: string },
  shifts: readonly ShiftWindow[],
  fullShiftThreshold: number,
): PlannedOverride[] {
  return shifts
    .map((s) => planOverride(timeOff, s, fullShiftThreshold))
    .filter((p): p is PlannedOverride => p !== undefined)
    .sort((a, b) => a.startTime.localeCompare(b.startTime));
}

/** Same window, compared as instants (the vendor may format milliseconds differently). */
export function sameWindow(
  a: { startTime: string; endTime: string },
  b: { startTime: string; endTime: string },
) {
  return (
    Date.parse(a.startTime) === Date.parse(b.startTime) && Date.parse(a.endTime) === Date.parse(b.endTime)
  );
}
