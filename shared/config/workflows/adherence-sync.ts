// zod/mini: processors parse these settings at every cold start (classic zod would add ~400 KB to each bundle).
import { array, enum as zEnum, number, object, positive, record, string } from 'zod/mini';
import type { z } from 'zod/mini';
import { Text } from '../../contracts/common';

export const ADHERENCE_STATES = ['Scheduled', 'InSession', 'Unavailable', 'OnBreak', 'OnCall'] as const;
export const AdherenceStateSchema = zEnum(ADHERENCE_STATES);

/** Stage settings of the adherence-sync workflow (spec 002). */
export const AdherenceSyncSettingsSchema = object({
  /** ACD state (spec 000 `new_state`) -> WEM adherence state. */
  stateMap: record(string(), AdherenceStateSchema),
  /** Allowed transitions: from -> the states that may follow it directly. */
  transitions: record(AdherenceStateSchema, array(AdherenceStateSchema)),
  /** External reason code -> WEM compliance reason code. */
  reasonCodeMap: record(string(), Text),
  /** Genesys WEM adherence rate limit for the tenant (spec 002: 100 rps, burst 150). */
  rateLimit: object({ ratePerSecond: number().check(positive()), burst: number().check(positive()) }),
});
export type AdherenceSyncSettings = z.output<typeof AdherenceSyncSettingsSchema>;
