/**
 * shift-bids (spec 003), phase one: every CXone bidding or schedule event is recorded once as
 * `pending_validation` (bids) or as a schedule-cache invalidation (schedule events), then announced on the
 * bus. The rule engine and the APPROVE/REJECT calls (phase two) are issue 11.
 */
import { union } from 'zod/mini';
import type { z } from 'zod/mini';
import { BiddingRequestEvent, ScheduleChangedEvent } from '../../contracts/cxone.schema';
import type { EventIntake } from '../../ports/event-intake';
import type { DomainEventPublisher } from '../../ports/platform';

/** What the shift-bids queue carries: a CXone bidding event or a schedule change. */
export const ShiftBidsMessage = union([BiddingRequestEvent, ScheduleChangedEvent]);
export type ShiftBidsMessage = z.output<typeof ShiftBidsMessage>;

/** Where a message came from: its vendor event id and when the ingress received it. */
export interface Envelope {
  readonly eventId: string;
  readonly receivedAt: string;
}

/** The canonical intake event; the idempotency key is `eventId`, and `[eventType, summary]` must not change. */
export interface ShiftBidIntakeEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly kind: 'bid' | 'schedule';
  readonly receivedAt: string;
  readonly summary: Readonly<Record<string, string>>;
}

export const SHIFT_BIDS_IDEMPOTENCY = {
  name: 'shift-bids.intake',
  eventKeyJmesPath: 'eventId',
  payloadValidationJmesPath: '[eventType, summary]',
} as const;

export interface IntakeOutcome {
  readonly status: string;
  /** False when an earlier delivery had recorded it: nothing was announced again. */
  readonly firstTime: boolean;
}

export interface ShiftBidsIntakeDeps {
  readonly intake: EventIntake;
  readonly events: DomainEventPublisher;
}

function isBid(message: ShiftBidsMessage): message is BiddingRequestEvent {
  return 'requestId' in message.data;
}

export function toShiftBidIntakeEvent(message: ShiftBidsMessage, envelope: Envelope): ShiftBidIntakeEvent {
  const { eventId, receivedAt } = envelope;
  if (isBid(message))
    return {
      eventId,
      receivedAt,
      eventType: message.eventType,
      kind: 'bid',
      summary: {
        requestId: message.data.requestId,
        siteId: message.data.siteId,
        shiftId: message.data.shift.id,
      },
    };
  return {
    eventId,
    receivedAt,
    eventType: message.eventType,
    kind: 'schedule',
    summary: { siteId: message.data.siteId, dateFrom: message.data.dateFrom, dateTo: message.data.dateTo },
  };
}

export async function recordShiftBidEvent(
  event: ShiftBidIntakeEvent,
  deps: ShiftBidsIntakeDeps,
): Promise<IntakeOutcome> {
  const status = event.kind === 'bid' ? 'pending_validation' : 'schedule_cache_invalidated';
  const firstTime = await deps.intake.recordOnce({
    workflow: 'shift-bids',
    eventId: event.eventId,
    eventType: event.eventType,
    status,
    receivedAt: event.receivedAt,
    summary: event.summary,
  });
  if (firstTime)
    await deps.events.publish({
      type: event.kind === 'bid' ? 'bid.received' : 'schedule.cache_invalidated',
      detail: { eventId: event.eventId, eventType: event.eventType, ...event.summary },
    });
  return { status, firstTime };
}
