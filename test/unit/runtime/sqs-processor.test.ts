import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PermanentFailure, RetryableFailure, RetryLater } from '../../../shared/errors';
import {
  createSqsProcessor,
  jitteredDelaySeconds,
  type DeadLetter,
  type Requeue,
  type SqsProcessorOptions,
  type WorkflowMessage,
} from '../../../shared/runtime/sqs-processor';
import { foldAttributes, unfoldAttributes } from '../../../shared/adapters/aws/sqs-attributes';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const NOW = Date.parse('2026-01-01T00:00:00Z');

const record = (
  id: string,
  body: string,
  receiveCount = 1,
  extraAttributes: Record<string, string> = {},
): SQSRecord =>
  ({
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount) },
    messageAttributes: Object.fromEntries(
      Object.entries({ eventId: `evt-${id}`, eventType: 'test.event', ...extraAttributes }).map(([k, v]) => [
        k,
        { stringValue: v, dataType: 'String' },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  }) as unknown as SQSRecord;

function processor(
  handle: (m: WorkflowMessage) => Promise<void>,
  deadLetter?: (d: DeadLetter) => Promise<void>,
  extra: Partial<SqsProcessorOptions> = {},
) {
  const dead: DeadLetter[] = [];
  const requeued: Requeue[] = [];
  const run = createSqsProcessor({
    workflow: 'test',
    handle,
    deadLetter:
      deadLetter ??
      (async (d) => {
        dead.push(d);
      }),
    dlqUrl: 'http://127.0.0.1/dlq',
    queueUrl: 'http://127.0.0.1/queue',
    requeue: async (r) => {
      requeued.push(r);
    },
    maxReceiveCount: 3,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    now: () => NOW,
    random: () => 0.5,
    ...extra,
  });
  return { run: (records: SQSRecord[]) => run({ Records: records } as SQSEvent), dead, requeued };
}

describe('createSqsProcessor', () => {
  it('publishes what a batch stored, and writes no "No application metrics" warning for a batch that stored none', async () => {
    const warnings: string[] = [];
    const logger = {
      warn: (m: string) => warnings.push(m),
      debug: () => {},
      info: () => {},
      error: () => {},
    };
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'test', logger });
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');
    // A deferral is counted in a single-metric blob of its own, and leaves nothing stored for the batch.
    const { run, requeued } = processor(
      async (m) => {
        if (m.body === 'later') throw new RetryLater('VENDOR_LOCKED', 'the schedule is locked', 5);
      },
      undefined,
      { metrics },
    );
    await run([record('a', 'later')]);
    expect(requeued).toHaveLength(1);
    expect(warnings).toEqual([]);
    expect(publish).not.toHaveBeenCalled();
    await run([record('b', 'ok')]);
    expect(publish).toHaveBeenCalledTimes(1);
    expect(metrics.hasStoredMetrics()).toBe(false);
    expect(warnings).toEqual([]);
  });

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

describe('retry later', () => {
  const claimed = async () => {
    throw new RetryLater('SHIFT_CLAIMED', 'shift s-1 is claimed by bid b-0', 4);
  };
  const minutesAfter = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

  it('puts the message back on its own queue after the jittered delay, without spending a receive', async () => {
    const { run, requeued, dead } = processor(claimed);
    // Even on what would be its last receive: a deferral is not a failure.
    const result = await run([record('a', '{"bid":1}', 3)]);
    expect(result.batchItemFailures).toEqual([]);
    expect(dead).toHaveLength(0);
    expect(requeued).toEqual([
      {
        queueUrl: 'http://127.0.0.1/queue',
        body: '{"bid":1}',
        delaySeconds: 4,
        attributes: {
          eventId: 'evt-a',
          eventType: 'test.event',
          deferrals: '1',
          firstDeferredAt: '2026-01-01T00:00:00.000Z',
          deferReason: 'SHIFT_CLAIMED',
        },
      },
    ]);
  });

  it('counts each deferral and keeps the time of the first', async () => {
    const { run, requeued } = processor(claimed);
    await run([record('a', 'x', 1, { deferrals: '3', firstDeferredAt: minutesAfter(2) })]);
    expect(requeued[0]!.attributes).toMatchObject({ deferrals: '4', firstDeferredAt: minutesAfter(2) });
  });

  it('dead-letters as DEFERRAL_EXHAUSTED with the handler reason once the count is spent', async () => {
    const { run, requeued, dead } = processor(claimed, undefined, { deferral: { maxDeferrals: 3 } });
    await run([record('a', 'x', 1, { deferrals: '3', firstDeferredAt: minutesAfter(1) })]);
    expect(requeued).toHaveLength(0);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes.failureReason).toBe('DEFERRAL_EXHAUSTED');
    expect(dead[0]!.attributes.failureDetail).toContain('SHIFT_CLAIMED: shift s-1 is claimed by bid b-0');
    expect(dead[0]!.attributes.failureDetail).toContain('deferred 3 times over 60 s');
    expect(dead[0]!.attributes.deferrals).toBe('3');
  });

  it('dead-letters as DEFERRAL_EXHAUSTED once the first deferral is older than the age limit', async () => {
    const { run, requeued, dead } = processor(claimed, undefined, { deferral: { maxAgeSeconds: 600 } });
    await run([record('young', 'x', 1, { deferrals: '1', firstDeferredAt: minutesAfter(9) })]);
    await run([record('old', 'x', 1, { deferrals: '1', firstDeferredAt: minutesAfter(10) })]);
    expect(requeued.map((r) => r.attributes.eventId)).toEqual(['evt-young']);
    expect(dead.map((d) => [d.attributes.eventId, d.attributes.failureReason])).toEqual([
      ['evt-old', 'DEFERRAL_EXHAUSTED'],
    ]);
  });

  it('starts the count afresh for a message an operator replayed from the DLQ', async () => {
    const { run, requeued, dead } = processor(claimed, undefined, { deferral: { maxDeferrals: 3 } });
    await run([
      record('a', 'x', 1, {
        deferrals: '3',
        firstDeferredAt: minutesAfter(30),
        replayedAt: minutesAfter(1),
      }),
    ]);
    expect(dead).toHaveLength(0);
    expect(requeued[0]!.attributes).toMatchObject({
      deferrals: '1',
      firstDeferredAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('leaves the message on its queue when the re-send fails', async () => {
    const { run, dead } = processor(claimed, undefined, {
      requeue: async () => {
        throw new Error('SQS down');
      },
    });
    expect((await run([record('a', 'x')])).batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(dead).toHaveLength(0);
  });

  it('defers only the record that asked, in a batch', async () => {
    const { run, requeued } = processor(async (m) => {
      if (m.body === 'later') await claimed();
    });
    const result = await run([record('a', 'ok'), record('b', 'later'), record('c', 'ok')]);
    expect(result.batchItemFailures).toEqual([]);
    expect(requeued.map((r) => r.attributes.eventId)).toEqual(['evt-b']);
  });

  it('jitters the delay between half and one and a half times, within SQS 0..900 s', () => {
    expect(jitteredDelaySeconds(4, () => 0)).toBe(2);
    expect(jitteredDelaySeconds(4, () => 0.999)).toBe(6);
    expect(jitteredDelaySeconds(800, () => 0.999)).toBe(900);
    expect(jitteredDelaySeconds(-5, () => 0.5)).toBe(0);
  });
});
