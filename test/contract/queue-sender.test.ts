/**
 * One contract for every QueueSender: the SQS adapter on local-aws-sqs (in-process) and the fake. Faults:
 * a message the queue refuses (too large: both queues take at most 1 KiB here) and entries that fail
 * transiently (injected in front of the real SQS client, or in the fake).
 */
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  type SendMessageBatchCommandOutput,
} from '@aws-sdk/client-sqs';
import { fromSqsAttributes } from '../../shared/adapters/aws/sqs-attributes';
import { SqsQueueSender, type RetryOptions } from '../../shared/adapters/aws/queue-sender';
import { FakeQueueSender } from '../../shared/adapters/aws/queue-sender.fake';
import { QueueSendError } from '../../shared/errors';
import type { OutgoingMessage, QueueSender } from '../../shared/ports/queue-sender';
import type { Clock } from '../../shared/ports/clock';
import { useLocalSqs } from '../helpers/local-sqs';

const MAX_BYTES = 1024;
const RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, concurrency: 3 };
const noWait: Clock = { now: () => 0, sleep: async () => {} };

interface Received {
  body: string;
  attributes: Record<string, string>;
}
interface Harness {
  sender: QueueSender;
  failTransiently(body: string, times: number): void;
  received(): Promise<Received[]>;
  batchSizes(): number[];
}

const { client: sqs } = useLocalSqs();

async function sqsHarness(): Promise<Harness> {
  const name = `fanout-${Math.random().toString(36).slice(2, 8)}`;
  const queueUrl = (
    await sqs().send(
      new CreateQueueCommand({ QueueName: name, Attributes: { MaximumMessageSize: String(MAX_BYTES) } }),
    )
  ).QueueUrl!;
  const faults = new Map<string, number>();
  const sizes: number[] = [];
  // Transient faults in front of the real client: the faulted entries are held back and reported failed.
  const client = {
    send: async (command: SendMessageBatchCommand) => {
      const entries = command.input.Entries!;
      sizes.push(entries.length);
      const held = entries.filter((e) => {
        const left = faults.get(e.MessageBody!) ?? 0;
        if (left > 0) faults.set(e.MessageBody!, left - 1);
        return left > 0;
      });
      const passed = entries.filter((e) => !held.includes(e));
      const out: Partial<SendMessageBatchCommandOutput> = passed.length
        ? await sqs().send(new SendMessageBatchCommand({ ...command.input, Entries: passed }))
        : {};
      return {
        ...out,
        Failed: [
          ...(out.Failed ?? []),
          ...held.map((e) => ({ Id: e.Id!, Code: 'InternalError', Message: 'injected', SenderFault: false })),
        ],
      };
    },
  } as unknown as SQSClient;
  return {
    sender: new SqsQueueSender(client, queueUrl, RETRY, noWait),
    failTransiently: (body, times) => faults.set(body, times),
    batchSizes: () => sizes,
    async received() {
      const all: Received[] = [];
      for (;;) {
        const { Messages } = await sqs().send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            MessageAttributeNames: ['All'],
            VisibilityTimeout: 60,
          }),
        );
        if (!Messages?.length) return all;
        all.push(
          ...Messages.map((m) => ({ body: m.Body!, attributes: fromSqsAttributes(m.MessageAttributes) })),
        );
      }
    },
  };
}

function fakeHarness(): Harness {
  const fake = new FakeQueueSender('fake-queue', MAX_BYTES, RETRY);
  return {
    sender: fake,
    failTransiently: (body, times) => fake.failTransiently(body, times),
    batchSizes: () => fake.batchSizes,
    received: async () => fake.sent.map((m) => ({ body: m.body, attributes: { ...m.attributes } })),
  };
}

const evaluations = (n: number): OutgoingMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `agent-${i}`,
    body: JSON.stringify({ agentId: `agent-${i}`, period: '2026-03-01' }),
    attributes: { workflow: 'reward-triggers', eventType: 'reward.evaluation', eventId: `eval-${i}` },
  }));
const bodies = (messages: { body: string }[]) => messages.map((m) => m.body).sort();

describe.each([
  ['SqsQueueSender on local-aws-sqs', sqsHarness],
  ['FakeQueueSender', async () => fakeHarness()],
])('QueueSender contract: %s', (_name, make) => {
  it('sends every message once, ten per request, with its attributes', async () => {
    const h = await make();
    const messages = evaluations(25);
    await h.sender.sendAll(messages);
    const received = await h.received();
    expect(bodies(received)).toEqual(bodies(messages));
    expect(received.find((m) => m.body === messages[7]!.body)!.attributes).toEqual(messages[7]!.attributes);
    expect(h.batchSizes()).toEqual([10, 10, 5]);
  });

  it('sends nothing and makes no request for no messages', async () => {
    const h = await make();
    await h.sender.sendAll([]);
    expect(h.batchSizes()).toEqual([]);
  });

  it('retries only the entries a partial failure left out, and sends each once', async () => {
    const h = await make();
    const messages = evaluations(12);
    h.failTransiently(messages[3]!.body, 1);
    h.failTransiently(messages[11]!.body, 2);
    await h.sender.sendAll(messages);
    expect(bodies(await h.received())).toEqual(bodies(messages));
    // 10 + 2, then the one failed entry of the first batch, then twice the one of the second.
    expect([...h.batchSizes()].sort()).toEqual([1, 1, 1, 10, 2].sort());
  });

  it('gives up after its attempts and names the message it could not send', async () => {
    const h = await make();
    const messages = evaluations(5);
    h.failTransiently(messages[2]!.body, 99);
    const error = await h.sender.sendAll(messages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueSendError);
    expect((error as QueueSendError).unsent).toEqual([
      { id: 'agent-2', code: 'InternalError', message: 'injected' },
    ]);
    expect((error as Error).message).toMatch(/Could not send 1 of 5 messages to .*: agent-2 \(InternalError/);
    expect(h.batchSizes()).toEqual([5, 1, 1]);
    expect((await h.received()).length).toBe(4);
  });

  it('does not retry a message the queue refuses, names it, and sends the others', async () => {
    const h = await make();
    const messages = [...evaluations(3), { id: 'too-large', body: 'x'.repeat(MAX_BYTES + 1) }];
    const error = (await h.sender.sendAll(messages).catch((e: unknown) => e)) as QueueSendError;
    expect(error).toBeInstanceOf(QueueSendError);
    expect(error.unsent.map((u) => [u.id, u.code])).toEqual([['too-large', 'InvalidParameterValue']]);
    expect(error.message).toContain('too-large');
    expect(h.batchSizes()).toEqual([4]);
    expect(bodies(await h.received())).toEqual(bodies(evaluations(3)));
  });
});
