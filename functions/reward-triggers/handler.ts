/** reward-triggers processor (spec 004), intake only: each reward evaluation recorded once, then announced. */
import type { Context } from 'aws-lambda';
import type { WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildRewardTriggersDeps } from './deps';

const { runtime, recordEvaluation } = buildRewardTriggersDeps();

async function handle(message: WorkflowMessage, context?: Context): Promise<void> {
  const { event, outcome } = await recordEvaluation(message, context);
  runtime.logger.info(outcome.firstTime ? 'reward evaluation recorded' : 'duplicate delivery ignored', {
    vendorEventId: event.eventId,
    agentId: event.agentId,
  });
}

export const handler = runtime.processor(handle);
