/** reward-triggers processor (spec 004): one agent's evaluation per message: clawback, threshold, issue. */
import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
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
  if (outcome.clawback?.result === 'reversed') metrics.addMetric(RewardMetric.Reversed, MetricUnit.Count, 1);
  if (outcome.clawback?.result === 'refused')
    metrics.addMetric(RewardMetric.ClawbackRefused, MetricUnit.Count, 1);
  if (outcome.outcome === 'issued') metrics.addMetric(RewardMetric.Issued, MetricUnit.Count, 1);
  if (outcome.outcome === 'rejected') metrics.addMetric(RewardMetric.IssueRejected, MetricUnit.Count, 1);
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
      metrics.addMetric(RewardMetric.NeedsAdministrator, MetricUnit.Count, 1);
    }
    throw err;
  }
}

export const handler = runtime.processor(handle);
