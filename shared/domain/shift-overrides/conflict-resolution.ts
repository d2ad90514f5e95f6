/**
 * Spec 001 section 4: Genesys answers 409 when the shift or its overrides changed since we read them.
 * Re-read the shift and the user's overrides, recompute the override, and let the caller retry — at most
 * `maxConflictRetries` times, after which the conflict is a permanent failure.
 */
import { PermanentFailure } from '../../errors';
import { planOverride, type PlannedOverride } from './intersection';
import type { GenesysOverride } from './ports';
import { shiftsAroundTimeOff } from './shift-window';
import type { ShiftOverridesDeps, TimeOffRequest } from './time-off';

const DEFAULT_MAX_CONFLICT_RETRIES = 3;

export type ConflictResolution =
  /** The shift moved or went away and no longer intersects the time-off: nothing to override. */
  | { readonly kind: 'no-longer-intersects' }
  /** Retry with the recomputed plan, checking the user's current overrides first. */
  | { readonly kind: 'replanned'; readonly plan: PlannedOverride; readonly overrides: GenesysOverride[] };

/** `retryCount` counts this conflict already. */
export async function resolveConflict(
  deps: Pick<ShiftOverridesDeps, 'genesys' | 'settings' | 'maxConflictRetries'>,
  timeOff: TimeOffRequest,
  timeZone: string,
  shiftId: string,
  retryCount: number,
): Promise<ConflictResolution> {
  if (retryCount > (deps.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES)) {
    throw new PermanentFailure(
      'CONFLICT_UNRESOLVED',
      `Shift ${shiftId} kept conflicting (409) after ${retryCount - 1} re-fetches`,
    );
  }
  const [shifts, overrides] = await Promise.all([
    shiftsAroundTimeOff(deps.genesys, timeOff, timeZone),
    deps.genesys.overrides(timeOff.userId),
  ]);
  const shift = shifts.find((s) => s.id === shiftId);
  const plan = shift && planOverride(timeOff, shift, deps.settings.fullShiftThreshold);
  return plan ? { kind: 'replanned', plan, overrides } : { kind: 'no-longer-intersects' };
}
