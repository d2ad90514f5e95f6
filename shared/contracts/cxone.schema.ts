/**
 * NICE CXone event subscriptions (spec 003). The spec names the events (`wfm.bidding.request.created`,
 * `wfm.schedule.published`, `wfm.schedule.overridden`) and says the bidding payload nests `agent`, `shift`,
 * `bid` and `requestMetadata`; the field names below are inferred from its normalised record. Objects are
 * loose so an added vendor field never fails validation; a removed or renamed required one does.
 */
import { enum as zEnum, looseObject, optional } from 'zod/mini';
import type { z } from 'zod/mini';
import { Id, Instant, LocalDate, LocalTime, Text } from './common';

export const BiddingRequestEvent = looseObject({
  eventType: zEnum([
    'wfm.bidding.request.created',
    'wfm.bidding.request.status_changed',
    'wfm.bidding.request.updated',
  ]),
  eventId: optional(Id),
  timestamp: Instant,
  data: looseObject({
    requestId: Id,
    siteId: Id,
    agent: looseObject({ id: Id }),
    shift: looseObject({ id: Id, date: LocalDate, startTime: LocalTime, endTime: LocalTime }),
    bid: looseObject({ type: Text, status: optional(Text) }),
    requestMetadata: optional(looseObject({})),
  }),
});
export type BiddingRequestEvent = z.output<typeof BiddingRequestEvent>;

export const ScheduleChangedEvent = looseObject({
  eventType: zEnum(['wfm.schedule.published', 'wfm.schedule.overridden']),
  eventId: optional(Id),
  timestamp: Instant,
  data: looseObject({ siteId: Id, dateFrom: LocalDate, dateTo: LocalDate }),
});
export type ScheduleChangedEvent = z.output<typeof ScheduleChangedEvent>;
