import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { RetryableFailure } from '../../../shared/errors';
import { createLogger } from '../../../shared/observability/logger';
import { createSqsProcessor, type WorkflowMessage } from '../../../shared/runtime/sqs-processor';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const record = (id: string): SQSRecord =>
  ({
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: '{}',
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: { eventId: { stringValue: `evt-${id}`, dataType: 'String' } },
  }) as unknown as SQSRecord;

/** The JSON lines a Powertools logger created inside `build` writes while `run` runs. */
async function captured<T>(build: () => T, run: (built: T) => Promise<unknown>) {
  const lines: Record<string, unknown>[] = [];
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  };
  // Powertools writes WARN and ERROR to stderr; Lambda sends both streams to the log group.
  const writes = [process.stdout, process.stderr].map((s) =>
    jest.spyOn(s, 'write').mockImplementation(capture),
  );
  try {
    await run(build());
  } finally {
    for (const w of writes) w.mockRestore();
    process.env.POWERTOOLS_LOG_LEVEL = level;
  }
  return lines;
}

describe('every log line of a record carries workflow and its vendor event id', () => {
  it('keeps two concurrent records apart, on the shared logger, the runner lines included', async () => {
    // Each record logs, waits until the other has logged, logs again (as a vendor call would), then one fails.
    let release!: () => void;
    const bothStarted = new Promise<void>((r) => (release = r));
    let started = 0;
    const lines = await captured(
      () => createLogger('shift-overrides'),
      async (logger) => {
        const run = createSqsProcessor({
          workflow: 'shift-overrides',
          handle: async (m: WorkflowMessage) => {
            logger.info('record started');
            if (++started === 2) release();
            await bothStarted;
            logger.debug('vendor call', { status: 200 });
            await new Promise((r) => setTimeout(r, m.messageId === 'a' ? 5 : 0));
            if (m.messageId === 'b') throw new RetryableFailure('VENDOR_UNAVAILABLE', 'HTTP 503');
            logger.info('record done');
          },
          deadLetter: async () => undefined,
          requeue: async () => undefined,
          dlqUrl: 'http://127.0.0.1/dlq',
          queueUrl: 'http://127.0.0.1/queue',
          maxReceiveCount: 5,
          logger,
          metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
          concurrency: 2,
        });
        await run({ Records: [record('a'), record('b')] } as SQSEvent);
        logger.info('after the batch');
      },
    );
    const ofRecord = (id: string) =>
      lines.filter((l) => l.vendorEventId === `evt-${id}`).map((l) => l.message);
    expect(ofRecord('a')).toEqual(['record started', 'vendor call', 'record done']);
    expect(ofRecord('b')).toEqual(['record started', 'vendor call', 'message failed']);
    for (const l of lines.filter((x) => x.message !== 'after the batch'))
      expect(l).toMatchObject({ workflow: 'shift-overrides', vendorEventId: expect.stringMatching(/^evt-/) });
    // Nothing leaks past the record.
    expect(lines.find((l) => l.message === 'after the batch')).not.toHaveProperty('vendorEventId');
  });
});
