/** Composition root of the reward-triggers processor. */
import { DynamoDbEventIntake } from '../../shared/adapters/aws/event-intake';
import {
  recordRewardEvaluation,
  REWARD_TRIGGERS_IDEMPOTENCY,
  type RewardEvaluationEvent,
  type RewardIntakeDeps,
} from '../../shared/domain/reward-triggers/intake';
import { idempotentRecordHandler } from '../../shared/runtime/idempotent-record-handler';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildRewardTriggersDeps() {
  const runtime = buildWorkflowRuntime();
  const deps: RewardIntakeDeps = {
    intake: new DynamoDbEventIntake(runtime.doc, runtime.env.STATE_TABLE_NAME),
    events: runtime.publisher,
  };
  const recordEvaluation = idempotentRecordHandler(
    (event: RewardEvaluationEvent) => recordRewardEvaluation(event, deps),
    REWARD_TRIGGERS_IDEMPOTENCY,
    { tableName: runtime.env.IDEMPOTENCY_TABLE_NAME, client: runtime.ddb },
  );
  return { runtime, recordEvaluation };
}
