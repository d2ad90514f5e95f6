/**
 * A workflow function's SQS grant, enforced locally (issue 13) by a grant guard (local/grant-guard.ts) in front of
 * the SQS emulator: `sqs:SendMessage` (which also covers SendMessageBatch), `GetQueueAttributes` and `GetQueueUrl`
 * on the queues `queuesSentToBy` names, as CDK's `grantSendMessages` gives them, and nothing else. A send to
 * another queue, or any other SQS call, is refused and recorded, so an e2e run fails on code that sends where the
 * deployed function could not.
 */
import { queuesSentToBy, workflowFunction } from '../shared/topology';
import { startGrantGuard, type GrantGuard } from './grant-guard';

/** The actions `grantSendMessages` allows; SendMessageBatch is authorized as sqs:SendMessage. */
const GRANTED_ACTIONS = ['SendMessage', 'SendMessageBatch', 'GetQueueAttributes', 'GetQueueUrl'];

/** A workflow's queue and DLQ, by URL. */
export interface WorkflowQueues {
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

const queueNameOf = (url: string) => url.split('/').pop() ?? '';

/** Why the function's grant refuses this SQS request, or undefined when it allows it. */
export function sqsRefusal(
  workflow: string,
  fnId: string,
  action: string,
  body: unknown,
  queuesOf: (workflow: string) => WorkflowQueues,
): string | undefined {
  const own = queuesOf(workflow);
  const granted = queuesSentToBy(fnId, workflowFunction(workflow, fnId)).map((q) =>
    queueNameOf(q === 'queue' ? own.queueUrl : own.dlqUrl),
  );
  const b = (body ?? {}) as { QueueUrl?: string; QueueName?: string };
  const queue = b.QueueUrl !== undefined ? queueNameOf(b.QueueUrl) : (b.QueueName ?? '');
  if (GRANTED_ACTIONS.includes(action) && granted.includes(queue)) return undefined;
  return `${queue || 'no queue'} is not among the queues it may send to (${granted.join(', ') || 'none'})`;
}

export type SendMessageGuard = GrantGuard;

/** Starts the guard in front of the SQS emulator (`target`); `queuesOf` names each workflow's queues. */
export function startSendMessageGuard(
  target: string,
  queuesOf: (workflow: string) => WorkflowQueues,
): Promise<SendMessageGuard> {
  return startGrantGuard(target, 'sqs', (workflow, fnId, action, body) =>
    sqsRefusal(workflow, fnId, action, body, queuesOf),
  );
}
