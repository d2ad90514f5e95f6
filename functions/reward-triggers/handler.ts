/**
 * reward-triggers (spec 004), intake only: each reward evaluation message is recorded once and announced.
 * Points rules, the 90-day window, PII stripping, issue/clawback calls are not built yet: no issue has been
 * filed for them. A message without an agent id is unreadable and dead-lettered with that reason.
 */
import { DynamoDbEventIntake } from '../../shared/adapters/aws/event-intake';
import { PermanentFailure } from '../../shared/errors';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';
import type { WorkflowMessage } from '../../shared/runtime/sqs-processor';

const runtime = buildWorkflowRuntime();
const intake = new DynamoDbEventIntake(runtime.doc, runtime.env.STATE_TABLE_NAME);

async function handle(message: WorkflowMessage): Promise<void> {
  let payload: { agentId?: unknown; period?: unknown };
  try {
    payload = JSON.parse(message.body) as typeof payload;
  } catch {
    throw new PermanentFailure('MESSAGE_UNREADABLE', 'Message body is not JSON');
  }
  if (typeof payload.agentId !== 'string') {
    throw new PermanentFailure('MESSAGE_UNREADABLE', 'Reward evaluation has no agentId');
  }
  const eventId = message.attributes.eventId ?? message.messageId;
  const recorded = await intake.recordOnce({
    workflow: 'reward-triggers',
    eventId,
    eventType: message.attributes.eventType ?? 'reward.evaluation',
    status: 'pending_evaluation',
    receivedAt: message.attributes.receivedAt ?? new Date().toISOString(),
    summary: {
      agentId: payload.agentId,
      period: typeof payload.period === 'string' ? payload.period : undefined,
    },
  });
  if (recorded) {
    await runtime.publisher.publish({
      type: 'reward.evaluation_received',
      detail: { eventId, agentId: payload.agentId },
    });
  }
}

export const handler = runtime.processor(handle);
