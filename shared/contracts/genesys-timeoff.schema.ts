/**
 * Genesys time-off webhooks (spec 001 section 1). Genesys emits an event whenever a request changes state;
 * spec 001 names `timeoff.request.approved` (acted on), `timeoff.request.created` (a new request, still
 * pending approval: ignored by the ingress rule, but validated so only a well-formed one is ignored) and the
 * workflow rolls back on `timeoff.request.cancelled`. All share the data shape.
 */
import { enum as zEnum, literal, looseObject, optional, refine } from 'zod/mini';
import type { z } from 'zod/mini';
import { Id, Instant, Text } from './common';

export const TimeOffData = looseObject({
  requestId: Id,
  userId: Id,
  requestType: Text,
  startTime: Instant,
  endTime: Instant,
  status: Text,
  approverId: optional(Id),
});

const endsAfterStart = refine<{ data: { startTime: string; endTime: string } }>(
  (e) => Date.parse(e.data.endTime) > Date.parse(e.data.startTime),
  { message: 'endTime must be after startTime', path: ['data', 'endTime'] },
);

export const TimeOffEvent = looseObject({
  eventType: zEnum(['timeoff.request.approved', 'timeoff.request.cancelled']),
  timestamp: Instant,
  data: TimeOffData,
}).check(endsAfterStart);
export type TimeOffEvent = z.output<typeof TimeOffEvent>;

export const TimeOffCreatedEvent = looseObject({
  eventType: literal('timeoff.request.created'),
  timestamp: Instant,
  data: TimeOffData,
}).check(endsAfterStart);
export type TimeOffCreatedEvent = z.output<typeof TimeOffCreatedEvent>;
