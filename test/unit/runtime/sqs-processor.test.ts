import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PermanentFailure, RetryableFailure } from '../../../shared/errors';
import {
  createSqsProcessor,
  type DeadLetter,
  type WorkflowMessage,
} from '../../../shared/runtime/sqs-processor';
import { foldAttributes, unfoldAttributes } from '../../../shared/adapters/aws/sqs-attributes';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const record = (id: string, body: string, receiveCount = 1): SQSRecord =>
  ({
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount) },
    messageAttributes: {
      eventId: { stringValue: `evt-${id}`, dataType: 'String' },
      eventType: { stringValue: 'test.event', dataType: 'String' },
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  }) as unknown as SQSRecord;

function processor(
  handle: (m: WorkflowMessage) => Promise<void>,
  deadLetter?: (d: DeadLetter) => Promise<void>,
) {
  const dead: DeadLetter[] = [];
  const run = createSqsProcessor({
    workflow: 'test',
    handle,
    deadLetter:
      deadLetter ??
      (async (d) => {
        dead.push(d);
      }),
    dlqUrl: 'http://127.0.0.1/dlq',
    maxReceiveCount: 3,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    now: () => Date.parse('2026-01-01T00:00:00Z'),
  });
  return { run: (records: SQSRecord[]) => run({ Records: records } as SQSEvent), dead };
}

describe('createSqsProcessor', () => {
  it('reports only the records that failed transiently', async () => {
    const { run, dead } = processor(async (m) => {
      if (m.body === 'flaky') throw new RetryableFailure('VENDOR_UNAVAILABLE', 'vendor 503');
    });
    const result = await run([record('a', 'ok'), record('b', 'flaky'), record('c', 'ok')]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
    expect(dead).toHaveLength(0);
  });

  it('dead-letters a permanent failure at once with its reason and the original attributes', async () => {
    const { run, dead } = processor(async () => {
      throw new PermanentFailure('REASON_CODE_UNMAPPED', 'no mapping for X');
    });
    const result = await run([record('a', '{"x":1}')]);
    expect(result.batchItemFailures).toEqual([]);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      queueUrl: 'http://127.0.0.1/dlq',
      body: '{"x":1}',
      attributes: {
        eventId: 'evt-a',
        eventType: 'test.event',
        failureReason: 'REASON_CODE_UNMAPPED',
        failureDetail: 'no mapping for X',
        receiveCount: '1',
        failedAt: '2026-01-01T00:00:00.000Z',
      },
    });
  });

  it('dead-letters a transient failure itself on the last allowed receive, with its reason', async () => {
    const { run, dead } = processor(async () => {
      throw new RetryableFailure('VENDOR_UNAVAILABLE', 'vendor 503');
    });
    expect((await run([record('a', 'x', 3)])).batchItemFailures).toEqual([]);
    expect(dead[0]!.attributes.failureReason).toBe('VENDOR_UNAVAILABLE');
  });

  it('labels an unclassified error that exhausted its receives', async () => {
    const { run, dead } = processor(async () => {
      throw new Error('boom');
    });
    expect((await run([record('a', 'x', 3)])).batchItemFailures).toEqual([]);
    expect(dead[0]!.attributes).toMatchObject({ failureReason: 'RETRIES_EXHAUSTED', failureDetail: 'boom' });
  });

  it('keeps the message on its queue when the DLQ send fails', async () => {
    const { run } = processor(
      async () => {
        throw new PermanentFailure('X', 'x');
      },
      async () => {
        throw new Error('SQS down');
      },
    );
    expect((await run([record('a', 'x')])).batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });

  it('folds attributes beyond the SQS limit of ten and unfolds them losslessly', () => {
    const many = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`k${i}`, `v${i}`]));
    const folded = foldAttributes(many);
    expect(Object.keys(folded)).toHaveLength(10);
    expect(unfoldAttributes(folded)).toEqual(many);
  });
});
