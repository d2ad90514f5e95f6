/** shift-bids processor (spec 003), phase one: each CXone event recorded once, then announced. */
import type { Context } from 'aws-lambda';
import type { WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildShiftBidsDeps } from './deps';

const { runtime, recordEvent } = buildShiftBidsDeps();

async function handle(message: WorkflowMessage, context?: Context): Promise<void> {
  const { event, outcome } = await recordEvent(message, context);
  runtime.logger.info(outcome.firstTime ? 'shift-bids event recorded' : 'duplicate delivery ignored', {
    vendorEventId: event.eventId,
    ...outcome,
  });
}

export const handler = runtime.processor(handle);
