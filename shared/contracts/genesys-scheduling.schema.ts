/**
 * What the Genesys scheduling adapter reads from Genesys (spec 001 paths): checked with zod/mini before the
 * domain sees it, never cast. Loose objects: Genesys adds fields freely; only the ones the workflow uses are
 * required. Lists are checked page by page (shared/http/pages.ts), each item against its schema.
 */
import { array, looseObject, nullable, optional, string, unknown } from 'zod/mini';
import { Id, Instant, Text } from './common';

export const GenesysUserAnswer = looseObject({ timezone: optional(nullable(string())) });

export const GenesysShiftAnswer = looseObject({
  id: Id,
  userId: Id,
  startTime: Instant,
  endTime: Instant,
  shiftType: optional(string()),
});

export const GenesysOverrideAnswer = looseObject({
  id: Id,
  overrideType: Text,
  userId: Id,
  shiftId: Id,
  startTime: Instant,
  endTime: Instant,
  reasonCodeId: Id,
  notes: optional(nullable(string())),
  idempotencyKey: optional(nullable(string())),
});

export const GenesysReasonCodeAnswer = looseObject({ id: Id });

/** One page of a Genesys list; older answers carry the items under the list's own name (`shifts`, ...). */
export const GenesysListPage = looseObject({
  entities: optional(array(unknown())),
  nextUri: optional(nullable(string())),
});
