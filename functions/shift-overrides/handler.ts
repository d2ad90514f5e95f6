/** shift-overrides processor (spec 001): approved time-off -> REMOVE overrides; cancellations roll back. */
import { TimeOffEvent } from '../../shared/contracts/genesys-timeoff.schema';
import { processTimeOffEvent } from '../../shared/domain/shift-overrides/process-time-off';
import { skipWhatIngressIgnores } from '../../shared/runtime/ingress-recheck';
import { readMessage, type WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildShiftOverridesDeps } from './deps';

const { runtime, deps, recheck } = buildShiftOverridesDeps();

async function handle(message: WorkflowMessage): Promise<void> {
  // A hand-sent or replayed time-off the ingress would ignore (not APPROVED, out of scope) creates nothing.
  if (await skipWhatIngressIgnores(message, recheck)) return;
  const event = readMessage(message, TimeOffEvent, 'a time-off event');
  const outcome = await processTimeOffEvent(event, deps);
  runtime.logger.info('time-off processed', {
    vendorEventId: message.attributes.eventId,
    requestId: event.data.requestId,
    outcome,
  });
}

export const handler = runtime.processor(handle);
