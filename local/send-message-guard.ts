/**
 * A function's SQS grant, enforced locally (issue 13) by a grant guard (local/grant-guard.ts) in front of the SQS
 * emulator: `sqs:SendMessage` (which also covers SendMessageBatch), `GetQueueAttributes` and `GetQueueUrl` on the
 * queues it was granted, as CDK's `grantSendMessages` gives them, and nothing else. A workflow function's are the
 * ones `queuesSentToBy` names; the ingress's are the queue and the DLQ of every workflow with a webhook route, as
 * the stack grants them. A send to another queue, or any other SQS call, is refused and recorded, so an e2e run
 * fails on code that sends where the deployed function could not.
 */
import { queuesSentToBy, ROUTES, workflowFunction } from '../shared/topology';
import { isIngress, startGrantGuard, type GrantGuard } from './grant-guard';

/** The actions `grantSendMessages` allows; SendMessageBatch is authorized as sqs:SendMessage. */
const GRANTED_ACTIONS = ['SendMessage', 'SendMessageBatch', 'GetQueueAttributes', 'GetQueueUrl'];

/** A workflow's queue and DLQ, by URL. */
export interface WorkflowQueues {
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

const queueNameOf = (url: string) => url.split('/').pop() ?? '';

/** The queues a caller was granted: the ingress's, or a workflow function's. */
function grantedQueues(workflow: string, fnId: string, queuesOf: (workflow: string) => WorkflowQueues) {
  if (isIngress(workflow, fnId))
    return [...new Set(ROUTES.map((r) => r.workflow))].flatMap((w) => [
      queuesOf(w).queueUrl,
      queuesOf(w).dlqUrl,
    ]);
  const own = queuesOf(workflow);
  return queuesSentToBy(fnId, workflowFunction(workflow, fnId)).map((q) =>
    q === 'queue' ? own.queueUrl : own.dlqUrl,
  );
}

/** Why the function's grant refuses this SQS request, or undefined when it allows it. */
export function sqsRefusal(
  workflow: string,
  fnId: string,
  action: string,
  body: unknown,
  queuesOf: (workflow: string) => WorkflowQueues,
): string | undefined {
  const granted = grantedQueues(workflow, fnId, queuesOf).map(queueNameOf);
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
