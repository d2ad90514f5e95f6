/**
 * What the Genesys WEM adherence adapter reads from Genesys (spec 002 paths): checked with zod/mini, never cast.
 * Loose objects: only the fields the workflow uses are checked.
 */
import { looseObject, nullable, optional, string, unknown } from 'zod/mini';
import { Text } from './common';

export const WemScheduleAnswer = looseObject({ scheduleType: optional(nullable(Text)) });

/** What the dashboard shows: `adherenceState` null when WEM has no state for the agent yet. */
export const WemDashboardAnswer = looseObject({
  adherenceState: nullable(Text),
  since: optional(nullable(string())),
});

/** A push may answer without a body (202); when it has one, its processingStatus is a string. */
export const WemPushAnswer = optional(
  nullable(looseObject({ processingStatus: optional(nullable(string())), detail: optional(unknown()) })),
);
