/** Composition root of the reward-triggers processor. */
import {
  recordRewardEvaluation,
  REWARD_TRIGGERS_IDEMPOTENCY,
  RewardEvaluationMessage,
  toRewardEvaluationEvent,
} from '../../shared/domain/reward-triggers/intake';
import { idempotentIntake } from '../../shared/runtime/idempotent-intake';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildRewardTriggersDeps() {
  const runtime = buildWorkflowRuntime();
  const recordEvaluation = idempotentIntake(runtime, {
    message: RewardEvaluationMessage,
    describes: 'a reward evaluation',
    toEvent: toRewardEvaluationEvent,
    record: recordRewardEvaluation,
    idempotency: REWARD_TRIGGERS_IDEMPOTENCY,
  });
  return { runtime, recordEvaluation };
}
