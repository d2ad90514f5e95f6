/**
 * The local SendMessage guard (issue 13) with the real SDK on local-aws-sqs: each workflow function sends only to
 * the queues its `sqs:SendMessage` grant names (`queuesSentToBy`, which the stack's grants follow too); anything
 * else is refused as IAM refuses it, and recorded. The clients are built as the functions build theirs
 * (`SQS_CLIENT_CONFIG`, the endpoint from `AWS_ENDPOINT_URL_SQS`), so the SDK's own choice of endpoint is tested:
 * without `useQueueUrlAsEndpoint: false` it sends to the queue URL's host, past the guard.
 */
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/provision';
import { SQS_CLIENT_CONFIG } from '../../shared/adapters/aws/sqs-client-config';
import { INGRESS_CALLER } from '../../local/grant-guard';
import {
  sqsRefusal,
  startSendMessageGuard,
  type SendMessageGuard,
  type WorkflowQueues,
} from '../../local/send-message-guard';
import { useLocalSqs } from '../helpers/local-sqs';

const sqs = useLocalSqs();
const WORKFLOWS = ['shift-overrides', 'adherence-sync', 'shift-bids', 'reward-triggers'] as const;
const queues: Record<string, WorkflowQueues> = {};
let guard: SendMessageGuard;

beforeAll(async () => {
  const run = Math.random().toString(36).slice(2, 8);
  const create = async (name: string) =>
    (await sqs.client().send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  for (const w of WORKFLOWS)
    queues[w] = { queueUrl: await create(`${w}-${run}`), dlqUrl: await create(`${w}-dlq-${run}`) };
  guard = await startSendMessageGuard(sqs.endpoint(), (w) => queues[w]!);
});
afterAll(() => guard?.stop());

/** A client built as a workflow function builds it, in the environment the runtime gives that function. */
async function asFunction<T>(workflow: string, fnId: string, call: (client: SQSClient) => Promise<T>) {
  const previous = process.env.AWS_ENDPOINT_URL_SQS;
  process.env.AWS_ENDPOINT_URL_SQS = guard.endpointFor(workflow, fnId);
  const client = new SQSClient({
    ...SQS_CLIENT_CONFIG,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    return await call(client);
  } finally {
    client.destroy();
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
    else process.env.AWS_ENDPOINT_URL_SQS = previous;
  }
}

const send = (QueueUrl: string) => (c: SQSClient) =>
  c.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"test":true}' }));

describe('SendMessage guard', () => {
  it("lets a processor send to its queue and DLQ, and refuses another workflow's queue", async () => {
    const own = queues['shift-overrides']!;
    await asFunction('shift-overrides', 'processor', send(own.queueUrl));
    await asFunction('shift-overrides', 'processor', (c) =>
      c.send(
        new SendMessageBatchCommand({
          QueueUrl: own.dlqUrl,
          Entries: [{ Id: '1', MessageBody: '{"dead":true}' }],
        }),
      ),
    );
    await expect(
      asFunction('shift-overrides', 'processor', send(queues['adherence-sync']!.queueUrl)),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });

    // What it was allowed reached the queues; what was refused did not.
    const received = async (url: string) =>
      (
        await sqs
          .client()
          .send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))
      ).Messages ?? [];
    expect((await received(own.queueUrl)).map((m) => m.Body)).toEqual(['{"test":true}']);
    expect((await received(own.dlqUrl)).map((m) => m.Body)).toEqual(['{"dead":true}']);
    expect(await received(queues['adherence-sync']!.queueUrl)).toEqual([]);
  });

  it('gives a scheduled function only what it declares: the sweep feeds its queue, the reconciliation nothing', async () => {
    const bids = queues['shift-bids']!;
    await asFunction('shift-bids', 'shift-bids-sweep', send(bids.queueUrl));
    await expect(asFunction('shift-bids', 'shift-bids-sweep', send(bids.dlqUrl))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(
      asFunction('adherence-sync', 'adherence-reconciliation', send(queues['adherence-sync']!.queueUrl)),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Receiving is the event source mapping's, never the function's.
    await expect(
      asFunction('shift-bids', 'processor', (c) =>
        c.send(new ReceiveMessageCommand({ QueueUrl: bids.queueUrl, WaitTimeSeconds: 0 })),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('records every refusal with the function, the action and the queue', () => {
    expect(guard.violations().map((v) => [v.fn, v.action])).toEqual([
      ['shift-overrides/processor', 'SendMessage'],
      ['shift-bids/shift-bids-sweep', 'SendMessage'],
      ['adherence-sync/adherence-reconciliation', 'SendMessage'],
      ['shift-bids/processor', 'ReceiveMessage'],
    ]);
    expect(guard.violations()[0]!.reason).toContain(
      `(${queues['shift-overrides']!.queueUrl.split('/').pop()}, ${queues['shift-overrides']!.dlqUrl.split('/').pop()})`,
    );
  });

  it('names the queue and the grant in its reason, and refuses a body without a queue', () => {
    const of = () => ({ queueUrl: 'http://h/000/q', dlqUrl: 'http://h/000/q-dlq' });
    expect(
      sqsRefusal('shift-overrides', 'processor', 'SendMessage', { QueueUrl: 'http://h/000/q' }, of),
    ).toBe(undefined);
    expect(sqsRefusal('shift-overrides', 'processor', 'SendMessage', {}, of)).toBe(
      'no queue is not among the queues it may send to (q, q-dlq)',
    );
    expect(
      sqsRefusal(
        'adherence-sync',
        'adherence-reconciliation',
        'SendMessage',
        { QueueUrl: 'http://h/000/q' },
        of,
      ),
    ).toBe('q is not among the queues it may send to (none)');
  });

  it("lets the ingress send to the queue and the DLQ of every routed workflow, and refuses an unrouted one's", async () => {
    const { workflow, fnId } = INGRESS_CALLER;
    for (const w of ['shift-overrides', 'adherence-sync', 'shift-bids'] as const) {
      await asFunction(workflow, fnId, send(queues[w]!.queueUrl));
      await asFunction(workflow, fnId, send(queues[w]!.dlqUrl));
    }
    // reward-triggers has no webhook route: its export ingestion (a schedule) feeds its queue.
    await expect(asFunction(workflow, fnId, send(queues['reward-triggers']!.queueUrl))).rejects.toMatchObject(
      {
        name: 'AccessDeniedException',
      },
    );
    expect(guard.violations().at(-1)).toMatchObject({ fn: 'ingress/webhook', action: 'SendMessage' });
  });
});
