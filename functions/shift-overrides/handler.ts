/** shift-overrides processor (spec 001): approved time-off -> REMOVE overrides; cancellations roll back. */
import { TimeOffEvent } from '../../shared/contracts/genesys-timeoff.schema';
import { PermanentFailure } from '../../shared/errors';
import { processTimeOffEvent } from '../../shared/domain/shift-overrides/process-time-off';
import type { WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildShiftOverridesDeps } from './deps';

const { runtime, deps } = buildShiftOverridesDeps();

async function handle(message: WorkflowMessage): Promise<void> {
  let payload: unknown;
  try {
    payload = JSON.parse(message.body);
  } catch {
    throw new PermanentFailure('MESSAGE_UNREADABLE', 'Message body is not JSON');
  }
  const event = TimeOffEvent.safeParse(payload);
  if (!event.success)
    throw new PermanentFailure(
      'MESSAGE_UNREADABLE',
      `Not a time-off event: ${event.error.issues[0]?.message}`,
    );
  const outcome = await processTimeOffEvent(event.data, deps);
  runtime.logger.info('time-off processed', {
    vendorEventId: message.attributes.eventId,
    requestId: event.data.data.requestId,
    outcome,
  });
}

export const handler = runtime.processor(handle);
