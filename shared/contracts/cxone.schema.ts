/**
 * NICE CXone event subscriptions (spec 003). The spec names the events (`wfm.bidding.request.created`,
 * `wfm.schedule.published`, `wfm.schedule.overridden`) and says the bidding payload nests `agent`, `shift`,
 * `bid` and `requestMetadata`; the field names below are inferred from its normalised record. Objects are
 * loose so an added vendor field never fails validation; a removed or renamed required one does.
 */
// Named imports keep zod tree-shakable: the ingress bundle is a fifth of the `z` namespace's size.
import { enum as zEnum, looseObject, string } from 'zod';
import type { z } from 'zod';
import { Id, Instant, LocalDate, LocalTime } from './common';

export const BiddingRequestEvent = looseObject({
  eventType: zEnum(['wfm.bidding.request.created', 'wfm.bidding.request.updated']),
  eventId: Id.optional(),
  timestamp: Instant,
  data: looseObject({
    requestId: Id,
    siteId: Id,
    agent: looseObject({ id: Id }),
    shift: looseObject({ id: Id, date: LocalDate, startTime: LocalTime, endTime: LocalTime }),
    bid: looseObject({ type: string().min(1), status: string().min(1).optional() }),
    requestMetadata: looseObject({}).optional(),
  }),
});
export type BiddingRequestEvent = z.output<typeof BiddingRequestEvent>;

export const ScheduleChangedEvent = looseObject({
  eventType: zEnum(['wfm.schedule.published', 'wfm.schedule.overridden']),
  eventId: Id.optional(),
  timestamp: Instant,
  data: looseObject({ siteId: Id, dateFrom: LocalDate, dateTo: LocalDate }),
});
export type ScheduleChangedEvent = z.output<typeof ScheduleChangedEvent>;
