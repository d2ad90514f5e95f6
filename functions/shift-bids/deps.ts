import { DynamoDbEventIntake } from '../../shared/adapters/aws/event-intake';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildShiftBidsDeps() {
  const runtime = buildWorkflowRuntime();
  return { runtime, intake: new DynamoDbEventIntake(runtime.doc, runtime.env.STATE_TABLE_NAME) };
}
