/**
 * NICE CXone event subscriptions (spec 003). The spec names the events (`wfm.bidding.request.created`,
 * `wfm.schedule.published`, `wfm.schedule.overridden`) and says the bidding payload nests `agent`, `shift`,
 * `bid` and `requestMetadata`; the field names below are inferred from its normalised record. Objects are
 * loose so an added vendor field never fails validation; a removed or renamed required one does.
 */
import { z } from 'zod';
import { Id, Instant, LocalDate, LocalTime } from './common';

export const BiddingRequestEvent = z.looseObject({
  eventType: z.enum(['wfm.bidding.request.created', 'wfm.bidding.request.updated']),
  eventId: Id.optional(),
  timestamp: Instant,
  data: z.looseObject({
    requestId: Id,
    siteId: Id,
    agent: z.looseObject({ id: Id }),
    shift: z.looseObject({ id: Id, date: LocalDate, startTime: LocalTime, endTime: LocalTime }),
    bid: z.looseObject({ type: z.string().min(1), status: z.string().min(1).optional() }),
    requestMetadata: z.looseObject({}).optional(),
  }),
});
export type BiddingRequestEvent = z.output<typeof BiddingRequestEvent>;

export const ScheduleChangedEvent = z.looseObject({
  eventType: z.enum(['wfm.schedule.published', 'wfm.schedule.overridden']),
  eventId: Id.optional(),
  timestamp: Instant,
  data: z.looseObject({ siteId: Id, dateFrom: LocalDate, dateTo: LocalDate }),
});
export type ScheduleChangedEvent = z.output<typeof ScheduleChangedEvent>;
