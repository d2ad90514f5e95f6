/** Genesys time-off webhook (spec 001 section 1). Approved and cancelled events share the data shape. */
import { enum as zEnum, looseObject, optional, refine } from 'zod/mini';
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

export const TimeOffEvent = looseObject({
  eventType: zEnum(['timeoff.request.approved', 'timeoff.request.cancelled']),
  timestamp: Instant,
  data: TimeOffData,
}).check(
  refine((e) => Date.parse(e.data.endTime) > Date.parse(e.data.startTime), {
    message: 'endTime must be after startTime',
    path: ['data', 'endTime'],
  }),
);
export type TimeOffEvent = z.output<typeof TimeOffEvent>;
