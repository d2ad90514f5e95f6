/** The DLQ operations against a real SQS protocol (local-aws-sqs in-process), including a failing send. */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SendMessageCommand as Send,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  matches,
  parseDuration,
  receiveAll,
  release,
  replay,
  toDeadLetter,
} from '../../../cli/dlq/operations';
import { toSqsAttributes } from '../../../shared/adapters/aws/sqs-attributes';
import { useLocalSqs } from '../../helpers/local-sqs';

const { client: sqs, endpoint } = useLocalSqs();

async function queues() {
  const id = Math.random().toString(36).slice(2, 8);
  const dlq = (await sqs().send(new CreateQueueCommand({ QueueName: `dlq-${id}` }))).QueueUrl!;
  const source = (await sqs().send(new CreateQueueCommand({ QueueName: `src-${id}` }))).QueueUrl!;
  return { dlq, source };
}

const dead = (dlq: string, eventId: string, reason: string, extra: Record<string, string> = {}) =>
  sqs().send(
    new SendMessageCommand({
      QueueUrl: dlq,
      MessageBody: JSON.stringify({ eventId }),
      MessageAttributes: toSqsAttributes({
        workflow: 'shift-overrides',
        eventType: 'timeoff.request.approved',
        eventId,
        vendor: 'genesys',
        receivedAt: '2026-01-01T00:00:00.000Z',
        failureReason: reason,
        failedAt: new Date().toISOString(),
        ...extra,
      }),
    }),
  );

const count = async (url: string) =>
  Number(
    (
      await sqs().send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      )
    ).Attributes!.ApproximateNumberOfMessages,
  );

describe('dlq replay', () => {
  it('moves exactly the filtered messages, keeping every attribute and adding the replay markers', async () => {
    const { dlq, source } = await queues();
    await dead(dlq, 'a', 'VENDOR_UNAVAILABLE');
    await dead(dlq, 'b', 'VENDOR_REJECTED');
    const result = await replay({
      sqs: sqs(),
      dlqUrl: dlq,
      sourceUrl: source,
      workflow: 'shift-overrides',
      filters: { reason: 'VENDOR_UNAVAILABLE' },
      dryRun: false,
      operator: 'local:test',
    });
    expect(result.moved.map((m) => m.attributes.eventId)).toEqual(['a']);
    expect(result.failed).toEqual([]);
    const [moved] = await receiveAll(sqs(), source);
    expect(moved!.attributes).toMatchObject({
      workflow: 'shift-overrides',
      eventType: 'timeoff.request.approved',
      eventId: 'a',
      vendor: 'genesys',
      receivedAt: '2026-01-01T00:00:00.000Z',
      failureReason: 'VENDOR_UNAVAILABLE',
      replayCount: '1',
      replayedBy: 'local:test',
    });
    expect(moved!.body).toBe('{"eventId":"a"}');
    const left = await receiveAll(sqs(), dlq);
    expect(left.map((m) => m.attributes.eventId)).toEqual(['b']);
  });

  it('changes nothing on a dry run', async () => {
    const { dlq, source } = await queues();
    await dead(dlq, 'a', 'VENDOR_UNAVAILABLE');
    const result = await replay({
      sqs: sqs(),
      dlqUrl: dlq,
      sourceUrl: source,
      workflow: 'w',
      filters: {},
      dryRun: true,
      operator: 'x',
    });
    expect(result.skipped).toHaveLength(1);
    expect(await count(dlq)).toBe(1);
    expect(await count(source)).toBe(0);
  });

  it('leaves a message on the DLQ when its send fails mid-replay, and reports it', async () => {
    const { dlq, source } = await queues();
    for (const id of ['a', 'b', 'c']) await dead(dlq, id, 'VENDOR_UNAVAILABLE');
    let sends = 0;
    const flaky = new SQSClient({
      region: 'us-east-1',
      endpoint: endpoint(),
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    const realSend = flaky.send.bind(flaky);
    flaky.send = (async (command: unknown) => {
      if (command instanceof Send && ++sends === 2) throw new Error('SQS is down');
      return realSend(command as never);
    }) as typeof flaky.send;
    const result = await replay({
      sqs: flaky,
      dlqUrl: dlq,
      sourceUrl: source,
      workflow: 'w',
      filters: {},
      dryRun: false,
      operator: 'x',
    });
    expect(result.moved).toHaveLength(2);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.error).toBe('SQS is down');
    const stillDead = await receiveAll(sqs(), dlq);
    expect(stillDead.map((m) => m.attributes.eventId)).toEqual([
      result.failed[0]!.message.attributes.eventId,
    ]);
    expect(await count(source)).toBe(2);
  });

  it('increments replayCount on a second replay and folds attributes past the SQS limit of ten', async () => {
    const { dlq, source } = await queues();
    await dead(dlq, 'a', 'X', {
      replayCount: '1',
      firstFailedAt: '2026-01-01T00:00:00Z',
      failureDetail: 'd',
      receiveCount: '5',
    });
    await replay({
      sqs: sqs(),
      dlqUrl: dlq,
      sourceUrl: source,
      workflow: 'w',
      filters: {},
      dryRun: false,
      operator: 'x',
    });
    const { Messages } = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: source, MessageAttributeNames: ['All'] }),
    );
    expect(Object.keys(Messages![0]!.MessageAttributes!).length).toBeLessThanOrEqual(10);
    expect(toDeadLetter(Messages![0]!).attributes).toMatchObject({
      replayCount: '2',
      firstFailedAt: '2026-01-01T00:00:00Z',
      eventId: 'a',
    });
  });

  it('hands inspected messages back', async () => {
    const { dlq } = await queues();
    await dead(dlq, 'a', 'X');
    const seen = await receiveAll(sqs(), dlq, 10, 60);
    expect(await receiveAll(sqs(), dlq, 10, 60)).toHaveLength(0);
    await release(sqs(), dlq, seen);
    expect(await receiveAll(sqs(), dlq, 10, 60)).toHaveLength(1);
  });
});

describe('filters and durations', () => {
  const d = (attributes: Record<string, string>, failedMsAgo: number) => ({
    messageId: 'm',
    receiptHandle: 'r',
    body: '',
    receiveCount: 1,
    sentAt: 0,
    attributes: { ...attributes, failedAt: new Date(1_000_000_000 - failedMsAgo).toISOString() },
  });
  it('parses durations and matches each filter exactly', () => {
    expect([parseDuration('90s'), parseDuration('15m'), parseDuration('2h'), parseDuration('3d')]).toEqual([
      90_000, 900_000, 7_200_000, 259_200_000,
    ]);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
    const m = d({ eventType: 'x', eventId: 'e1', failureReason: 'R' }, 600_000);
    const now = 1_000_000_000;
    expect(matches(m, { eventType: 'x', eventId: 'e1', reason: 'R' }, now)).toBe(true);
    expect(matches(m, { eventType: 'y' }, now)).toBe(false);
    expect(matches(m, { olderThanMs: 300_000 }, now)).toBe(true);
    expect(matches(m, { olderThanMs: 900_000 }, now)).toBe(false);
    expect(matches(m, { newerThanMs: 300_000 }, now)).toBe(false);
  });
});
