/**
 * shift-bids (spec 003), phase one: every CXone bidding or schedule event is validated against its contract
 * and recorded once as `pending_validation` (bids) or as a schedule-cache invalidation (schedule events),
 * then announced on the bus. The rule engine and the APPROVE/REJECT calls (phase two) are not built yet:
 * no issue has been filed for them.
 */
import { BiddingRequestEvent, ScheduleChangedEvent } from '../../shared/contracts/cxone.schema';
import { PermanentFailure } from '../../shared/errors';
import type { WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildShiftBidsDeps } from './deps';

const { runtime, intake } = buildShiftBidsDeps();

async function handle(message: WorkflowMessage): Promise<void> {
  let payload: unknown;
  try {
    payload = JSON.parse(message.body);
  } catch {
    throw new PermanentFailure('MESSAGE_UNREADABLE', 'Message body is not JSON');
  }
  const eventId = message.attributes.eventId ?? message.messageId;
  const receivedAt = message.attributes.receivedAt ?? new Date().toISOString();
  const bid = BiddingRequestEvent.safeParse(payload);
  const schedule = bid.success ? undefined : ScheduleChangedEvent.safeParse(payload);
  if (!bid.success && !schedule?.success) {
    throw new PermanentFailure('MESSAGE_UNREADABLE', 'Message is neither a bidding nor a schedule event');
  }
  const summary = bid.success
    ? { requestId: bid.data.data.requestId, siteId: bid.data.data.siteId, shiftId: bid.data.data.shift.id }
    : {
        siteId: schedule!.data!.data.siteId,
        dateFrom: schedule!.data!.data.dateFrom,
        dateTo: schedule!.data!.data.dateTo,
      };
  const eventType = bid.success ? bid.data.eventType : schedule!.data!.eventType;
  const firstTime = await intake.recordOnce({
    workflow: 'shift-bids',
    eventId,
    eventType,
    status: bid.success ? 'pending_validation' : 'schedule_cache_invalidated',
    receivedAt,
    summary,
  });
  if (!firstTime) {
    runtime.logger.info('duplicate delivery ignored', { vendorEventId: eventId });
    return;
  }
  await runtime.publisher.publish({
    type: bid.success ? 'bid.received' : 'schedule.cache_invalidated',
    detail: { eventId, eventType, ...summary },
  });
}

export const handler = runtime.processor(handle);
