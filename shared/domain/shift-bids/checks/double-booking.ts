/**
 * Spec 003 section 2, double-booking prevention: the agent holds no published shift and no approved bid
 * overlapping the requested window. Both are read fresh by the caller, never taken from the event (the event
 * is the request's state, not the schedule's).
 */
import { isoInstant, overlaps, type ShiftWindow } from '../shift-window';
import type { CheckResult } from './check-result';

/** Something the agent already holds, on absolute instants. */
export interface Booking extends ShiftWindow {
  readonly kind: 'published_shift' | 'approved_bid';
  /** The shift id, or the bidding request id of an approved bid. */
  readonly id: string;
  readonly shiftId: string;
}

export interface DoubleBookingInput {
  readonly requestId: string;
  readonly shiftId: string;
  readonly window: ShiftWindow;
  /** The agent's published shifts and approved bids around the window. */
  readonly bookings: readonly Booking[];
  /** Shift ids the bid gives up (a swap leaves the shift held that day): not a conflict. */
  readonly releasing?: readonly string[];
}

const describe = (b: Booking) => ({
  kind: b.kind,
  id: b.id,
  shiftId: b.shiftId,
  start: isoInstant(b.start),
  end: isoInstant(b.end),
});

export function checkDoubleBooking(input: DoubleBookingInput): CheckResult {
  const releasing = new Set(input.releasing ?? []);
  const relevant = input.bookings.filter(
    (b) => overlaps(b, input.window) && !releasing.has(b.shiftId) && b.id !== input.requestId,
  );
  const alreadyHeld = relevant.filter((b) => b.shiftId === input.shiftId);
  const conflicts = relevant.filter((b) => b.shiftId !== input.shiftId);
  const window = { start: isoInstant(input.window.start), end: isoInstant(input.window.end) };
  if (conflicts.length > 0) {
    const first = conflicts[0]!;
    return {
      check: 'double_booking',
      result: 'FAIL',
      evidence: {
        summary: `agent already holds ${first.kind.replace('_', ' ')} ${first.id} (${isoInstant(first.start)} to ${isoInstant(first.end)}) overlapping the requested shift`,
        window,
        conflicts: conflicts.map(describe),
      },
    };
  }
  if (alreadyHeld.length > 0) {
    return {
      check: 'double_booking',
      result: 'UNCERTAIN',
      evidence: {
        summary: `agent already holds the requested shift ${input.shiftId}`,
        window,
        conflicts: alreadyHeld.map(describe),
      },
    };
  }
  return {
    check: 'double_booking',
    result: 'PASS',
    evidence: { summary: 'no schedule conflicts', window, conflicts: [], released: [...releasing] },
  };
}
