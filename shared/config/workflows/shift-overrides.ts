import { z } from 'zod';

/** Stage settings of the shift-overrides workflow (spec 001). */
export const ShiftOverridesSettingsSchema = z.object({
  /** Time-off requestType -> Genesys WFM reasonCodeId. Types not listed here are out of override scope. */
  reasonCodeByRequestType: z.record(z.string(), z.string().min(1)),
  /** Overlap share of a shift at or above which the whole shift is removed (spec 001 edge case 2). */
  fullShiftThreshold: z.number().gt(0).lte(1).default(0.8),
});
export type ShiftOverridesSettings = z.output<typeof ShiftOverridesSettingsSchema>;
