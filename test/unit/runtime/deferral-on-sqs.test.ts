/**
 * Retry later on a real SQS protocol (local-aws-sqs in-process) through the local poller: a queue whose
 * redrive policy allows 2 receives, a handler that defers more often than that, and nothing reaches the DLQ
 * until the deferral limit says so; each deferral waits out its DelaySeconds.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { FunctionPool } from '../../../local/function-host';
import { Poller } from '../../../local/poller';
import { sendMessage } from '../../../shared/adapters/aws/queue-sender';
import { fromSqsAttributes } from '../../../shared/adapters/aws/sqs-attributes';
import { RetryLater } from '../../../shared/errors';
import { createSqsProcessor, type WorkflowMessage } from '../../../shared/runtime/sqs-processor';
import { useLocalSqs } from '../../helpers/local-sqs';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const { client: sqs } = useLocalSqs();

async function workflowQueues() {
  const id = Math.random().toString(36).slice(2, 8);
  const dlqUrl = (await sqs().send(new CreateQueueCommand({ QueueName: `dlq-${id}` }))).QueueUrl!;
  const arn = async (url: string) =>
    (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
  const queueUrl = (
    await sqs().send(
      new CreateQueueCommand({
        QueueName: `q-${id}`,
        Attributes: {
          VisibilityTimeout: '5',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arn(dlqUrl), maxReceiveCount: 2 }),
        },
      }),
    )
  ).QueueUrl!;
  return { queueUrl, queueArn: await arn(queueUrl), dlqUrl };
}

function run(
  queues: Awaited<ReturnType<typeof workflowQueues>>,
  handle: (m: WorkflowMessage) => Promise<void>,
  maxDeferrals: number,
) {
  const processor = createSqsProcessor({
    workflow: 'test',
    handle,
    deadLetter: (m) => sendMessage(sqs(), m),
    requeue: (m) => sendMessage(sqs(), m),
    dlqUrl: queues.dlqUrl,
    queueUrl: queues.queueUrl,
    deferral: { maxDeferrals },
    maxReceiveCount: 2,
    logger: new Logger({ logLevel: process.env.DEBUG_DEFER ? 'DEBUG' : 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    random: () => 0.5, // no jitter: exactly the asked delay
  });
  const poller = new Poller({
    workflow: 'test',
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    batchSize: 10,
    concurrency: 2,
    pool: { invoke: (event: SQSEvent) => processor(event) } as unknown as FunctionPool,
    sqs: sqs(),
    log: (l) => process.env.DEBUG_DEFER && console.log(l),
    visibilityTimeoutSeconds: 5,
    idleMs: 50,
  });
  poller.start();
  return poller;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 25_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const value = await probe();
    if (value) return value;
  }
  throw new Error('timed out');
}
const dlqMessages = async (url: string) =>
  (
    await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    )
  ).Messages ?? [];

describe('retry later on SQS', () => {
  it('defers more often than the redrive policy allows receives, each after its delay, then succeeds', async () => {
    const queues = await workflowQueues();
    const attempts: number[] = [];
    const poller = run(
      queues,
      async () => {
        attempts.push(Date.now());
        if (attempts.length <= 3) throw new RetryLater('SHIFT_CLAIMED', 'shift claimed by another bid', 1);
      },
      5,
    );
    try {
      await sendMessage(sqs(), {
        queueUrl: queues.queueUrl,
        body: '{"bid":1}',
        attributes: { eventId: 'evt-1' },
      });
      await waitFor(() => attempts.length >= 4);
      await sleep(1500);
      expect(attempts).toHaveLength(4);
      for (let i = 1; i < attempts.length; i++)
        expect(attempts[i]! - attempts[i - 1]!).toBeGreaterThanOrEqual(900);
      expect(await dlqMessages(queues.dlqUrl)).toHaveLength(0);
    } finally {
      await poller.stop();
    }
  }, 40_000);

  it('dead-letters a message that keeps deferring as DEFERRAL_EXHAUSTED, with the handler reason', async () => {
    const queues = await workflowQueues();
    let attempts = 0;
    const poller = run(
      queues,
      async () => {
        attempts++;
        throw new RetryLater('SHIFT_CLAIMED', 'shift claimed by another bid', 1);
      },
      2,
    );
    try {
      await sendMessage(sqs(), {
        queueUrl: queues.queueUrl,
        body: '{"bid":2}',
        attributes: { eventId: 'evt-2' },
      });
      const [dead] = await waitFor(async () => {
        const messages = await dlqMessages(queues.dlqUrl);
        return messages.length ? messages : undefined;
      });
      const attributes = fromSqsAttributes(dead!.MessageAttributes);
      expect(attributes).toMatchObject({
        eventId: 'evt-2',
        failureReason: 'DEFERRAL_EXHAUSTED',
        deferrals: '2',
        deferReason: 'SHIFT_CLAIMED',
      });
      expect(attributes.failureDetail).toContain('SHIFT_CLAIMED: shift claimed by another bid');
      expect(attempts).toBe(3);
    } finally {
      await poller.stop();
    }
  }, 40_000);
});
