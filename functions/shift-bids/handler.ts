/**
 * shift-bids processor (spec 003): each CXone event recorded once (Powertools idempotency on its event id),
 * then a bidding event is decided and acted on (process-bid.ts); a schedule event invalidates the shared schedule
 * cache for its site and dates (schedule-cache.ts).
 */
import type { Context } from 'aws-lambda';
import { BiddingRequestEvent, ScheduleChangedEvent } from '../../shared/contracts/cxone.schema';
import { processBidEvent } from '../../shared/domain/shift-bids/process-bid';
import { invalidateSchedule } from '../../shared/domain/shift-bids/schedule-cache';
import { recheckDeps, skipWhatIngressIgnores } from '../../shared/runtime/ingress-recheck';
import { readMessage, type WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildShiftBidsDeps } from './deps';

const { runtime, recordEvent, deps, scheduleCache } = buildShiftBidsDeps();
const recheck = recheckDeps('shift-bids', runtime);

async function handle(message: WorkflowMessage, context?: Context): Promise<void> {
  if (await skipWhatIngressIgnores(message, recheck)) return;
  const { event, outcome: intake } = await recordEvent(message, context);
  const keys = { vendorEventId: event.eventId, eventType: event.eventType, ...event.summary };
  if (event.kind !== 'bid') {
    // Every delivery invalidates (it is idempotent): a crash after the intake must not leave the cache stale.
    const change = readMessage(message, ScheduleChangedEvent, 'a CXone schedule event');
    const invalidated = await invalidateSchedule(change.data, { cache: scheduleCache, ...deps });
    runtime.logger.info('schedule event recorded, cache invalidated', { ...keys, ...intake, ...invalidated });
    return;
  }
  // Every delivery goes on: the bid's record, not the intake, says whether anything is left to do (a
  // redelivery after a crash in phase two must finish it).
  const bid = readMessage(message, BiddingRequestEvent, 'a CXone bidding event');
  const outcome = await processBidEvent(bid, {
    ...deps,
    remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined,
  });
  runtime.logger.info('bid processed', { ...keys, firstDelivery: intake.firstTime, outcome });
}

export const handler = runtime.processor(handle);
