/** reward-triggers processor (spec 004): one agent's evaluation per message: clawback, threshold, issue. */
import { count } from '../../shared/observability/metrics';
import type { Context } from 'aws-lambda';
import { RewardMetric } from '../../shared/domain/reward-triggers/metrics';
import {
  processEvaluation,
  REWARD_FAILURE_REASONS,
  RewardEvaluationMessage,
  type EvaluationOutcome,
} from '../../shared/domain/reward-triggers/process-evaluation';
import { PermanentFailure } from '../../shared/errors';
import { readMessage, type WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildRewardTriggersDeps } from './deps';

const { runtime, depsFor } = buildRewardTriggersDeps();
const { logger, metrics } = runtime;

const ADMINISTRATOR_REASONS: readonly string[] = [
  REWARD_FAILURE_REASONS.manualReview,
  REWARD_FAILURE_REASONS.attemptsExhausted,
  REWARD_FAILURE_REASONS.pendingTimeout,
];

function countOutcome(outcome: EvaluationOutcome): void {
  if (outcome.clawback?.result === 'reversed') count(metrics, RewardMetric.Reversed);
  if (outcome.clawback?.result === 'refused') count(metrics, RewardMetric.ClawbackRefused);
  if (outcome.outcome === 'issued') count(metrics, RewardMetric.Issued);
  if (outcome.outcome === 'rejected') count(metrics, RewardMetric.IssueRejected);
}

async function handle(message: WorkflowMessage, context?: Context): Promise<void> {
  const request = readMessage(message, RewardEvaluationMessage, 'a reward evaluation');
  try {
    const outcome = await processEvaluation(request, depsFor(context));
    countOutcome(outcome);
    const log = outcome.outcome === 'rejected' || outcome.clawback?.result === 'refused' ? 'warn' : 'info';
    logger[log]('reward evaluation processed', { agentId: request.agentId, ...outcome });
  } catch (err) {
    if (err instanceof PermanentFailure && ADMINISTRATOR_REASONS.includes(err.reason)) {
      count(metrics, RewardMetric.NeedsAdministrator);
    }
    throw err;
  }
}

export const handler = runtime.processor(handle);
