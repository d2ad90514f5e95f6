import { z } from 'zod';

export const ADHERENCE_STATES = ['Scheduled', 'InSession', 'Unavailable', 'OnBreak', 'OnCall'] as const;
export const AdherenceStateSchema = z.enum(ADHERENCE_STATES);

/** Stage settings of the adherence-sync workflow (spec 002). */
export const AdherenceSyncSettingsSchema = z.object({
  /** ACD state (spec 000 `new_state`) -> WEM adherence state. */
  stateMap: z.record(z.string(), AdherenceStateSchema),
  /** Allowed transitions: from -> the states that may follow it directly. */
  transitions: z.record(AdherenceStateSchema, z.array(AdherenceStateSchema)),
  /** External reason code -> WEM compliance reason code. */
  reasonCodeMap: z.record(z.string(), z.string().min(1)),
  /** Genesys WEM adherence rate limit for the tenant (spec 002: 100 rps, burst 150). */
  rateLimit: z.object({ ratePerSecond: z.number().positive(), burst: z.number().positive() }),
});
export type AdherenceSyncSettings = z.output<typeof AdherenceSyncSettingsSchema>;
