/**
 * adherence-sync (spec 002) is not built yet (issue 4 is open). Until it is, every agent-state event is kept
 * on the workflow's DLQ at once with the reason WORKFLOW_NOT_IMPLEMENTED, so nothing is lost and each can be
 * replayed (`npx wfm-bridge dlq replay adherence-sync --yes`) once the workflow lands.
 */
import { PermanentFailure } from '../../shared/errors';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

const runtime = buildWorkflowRuntime();

export const handler = runtime.processor(async () => {
  throw new PermanentFailure(
    'WORKFLOW_NOT_IMPLEMENTED',
    'adherence-sync is not implemented yet (issue 4); kept for replay',
  );
});
