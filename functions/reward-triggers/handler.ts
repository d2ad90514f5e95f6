/** reward-triggers processor (spec 004), intake only: each reward evaluation recorded once, then announced. */
import type { Context } from 'aws-lambda';
import { RewardEvaluationMessage, toRewardEvaluationEvent } from '../../shared/domain/reward-triggers/intake';
import { messageEnvelope, readMessage, type WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildRewardTriggersDeps } from './deps';

const { runtime, recordEvaluation } = buildRewardTriggersDeps();

async function handle(message: WorkflowMessage, context?: Context): Promise<void> {
  const body = readMessage(message, RewardEvaluationMessage, 'a reward evaluation');
  const event = toRewardEvaluationEvent(body, messageEnvelope(message, runtime.clock.now()));
  const outcome = await recordEvaluation(event, context);
  runtime.logger.info(outcome.firstTime ? 'reward evaluation recorded' : 'duplicate delivery ignored', {
    vendorEventId: event.eventId,
    agentId: event.agentId,
  });
}

export const handler = runtime.processor(handle);
