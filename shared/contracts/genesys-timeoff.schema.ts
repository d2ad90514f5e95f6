/** Genesys time-off webhook (spec 001 section 1). Approved and cancelled events share the data shape. */
// Named imports keep zod tree-shakable: the ingress bundle is a fifth of the `z` namespace's size.
import { enum as zEnum, looseObject, string } from 'zod';
import type { z } from 'zod';
import { Id, Instant } from './common';

export const TimeOffData = looseObject({
  requestId: Id,
  userId: Id,
  requestType: string().min(1),
  startTime: Instant,
  endTime: Instant,
  status: string().min(1),
  approverId: Id.optional(),
});

export const TimeOffEvent = looseObject({
  eventType: zEnum(['timeoff.request.approved', 'timeoff.request.cancelled']),
  timestamp: Instant,
  data: TimeOffData,
}).refine((e) => Date.parse(e.data.endTime) > Date.parse(e.data.startTime), {
  message: 'endTime must be after startTime',
  path: ['data', 'endTime'],
});
export type TimeOffEvent = z.output<typeof TimeOffEvent>;
