// zod/mini: the processor parses these settings at every cold start (classic zod would add ~400 KB to its bundle).
import { _default, gt, lte, number, object, record, string } from 'zod/mini';
import { Text } from '../../contracts/common';

/** Stage settings of the shift-overrides workflow (spec 001). */
export const ShiftOverridesSettingsSchema = object({
  /** Time-off requestType -> Genesys WFM reasonCodeId. Types not listed here are out of override scope. */
  reasonCodeByRequestType: record(string(), Text),
  /** Overlap share of a shift at or above which the whole shift is removed (spec 001 edge case 2). */
  fullShiftThreshold: _default(number().check(gt(0), lte(1)), 0.8),
});
