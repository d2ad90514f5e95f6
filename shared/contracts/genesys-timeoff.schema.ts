/** Genesys time-off webhook (spec 001 section 1). Approved and cancelled events share the data shape. */
import { z } from 'zod';
import { Id, Instant } from './common';

export const TimeOffData = z.looseObject({
  requestId: Id,
  userId: Id,
  requestType: z.string().min(1),
  startTime: Instant,
  endTime: Instant,
  status: z.string().min(1),
  approverId: Id.optional(),
});

export const TimeOffEvent = z
  .looseObject({
    eventType: z.enum(['timeoff.request.approved', 'timeoff.request.cancelled']),
    timestamp: Instant,
    data: TimeOffData,
  })
  .refine((e) => Date.parse(e.data.endTime) > Date.parse(e.data.startTime), {
    message: 'endTime must be after startTime',
    path: ['data', 'endTime'],
  });
export type TimeOffEvent = z.output<typeof TimeOffEvent>;
