/** shift-bids processor (spec 003), phase one: each CXone event recorded once, then announced. */
import type { Context } from 'aws-lambda';
import { ShiftBidsMessage, toShiftBidIntakeEvent } from '../../shared/domain/shift-bids/intake';
import { messageEnvelope, readMessage, type WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildShiftBidsDeps } from './deps';

const { runtime, recordEvent } = buildShiftBidsDeps();

async function handle(message: WorkflowMessage, context?: Context): Promise<void> {
  const body = readMessage(message, ShiftBidsMessage, 'a CXone bidding or schedule event');
  const event = toShiftBidIntakeEvent(body, messageEnvelope(message, runtime.clock.now()));
  const outcome = await recordEvent(event, context);
  runtime.logger.info(outcome.firstTime ? 'shift-bids event recorded' : 'duplicate delivery ignored', {
    vendorEventId: event.eventId,
    ...outcome,
  });
}

export const handler = runtime.processor(handle);
