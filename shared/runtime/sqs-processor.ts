/**
 * The batch runner every workflow processor uses (SQS event source with ReportBatchItemFailures).
 *
 * - `PermanentFailure`: the message is dead-lettered now, with `failureReason`/`failureDetail` and every
 *   original attribute, and counted done (redelivering it would fail the same way).
 * - Any other error: a batch item failure, so SQS redelivers only that record. On the last receive the runner
 *   dead-letters it itself, so the DLQ copy carries its reason too (SQS's own redrive cannot add one).
 * - If the DLQ send fails, the record is reported failed: nothing is lost.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { foldAttributes, fromSqsAttributes } from '../adapters/aws/sqs-attributes';
import { MessageAttribute } from '../config/resource-names';
import { PermanentFailure, RetryableFailure, WorkflowFailure } from '../errors';
import { count, countWith, MetricName } from '../observability/metrics';

export interface WorkflowMessage {
  readonly messageId: string;
  readonly body: string;
  /** String message attributes (workflow, eventType, eventId, vendor, receivedAt, ...). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly receiveCount: number;
}

export interface DeadLetter {
  readonly queueUrl: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export interface SqsProcessorOptions {
  readonly workflow: string;
  readonly handle: (message: WorkflowMessage, context?: Context) => Promise<void>;
  readonly deadLetter: (message: DeadLetter) => Promise<void>;
  readonly dlqUrl: string;
  readonly maxReceiveCount: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
  /** Records of one batch processed at once. */
  readonly concurrency?: number;
}

export function toWorkflowMessage(record: SQSRecord): WorkflowMessage {
  return {
    messageId: record.messageId,
    body: record.body,
    attributes: fromSqsAttributes(record.messageAttributes),
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? '1'),
  };
}

async function mapBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

export function createSqsProcessor(options: SqsProcessorOptions) {
  const { logger, metrics } = options;
  const now = options.now ?? Date.now;

  async function deadLetter(message: WorkflowMessage, reason: string, detail: string): Promise<void> {
    const failedAt = new Date(now()).toISOString();
    await options.deadLetter({
      queueUrl: options.dlqUrl,
      body: message.body,
      attributes: foldAttributes({
        ...message.attributes,
        [MessageAttribute.failureReason]: reason,
        [MessageAttribute.failureDetail]: detail.slice(0, 1024),
        failedAt,
        firstFailedAt: message.attributes.firstFailedAt ?? failedAt,
        receiveCount: String(message.receiveCount),
      }),
    });
    countWith(metrics, MetricName.DeadLettered, { reason });
  }

  return async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    const failures: string[] = [];
    await mapBounded(event.Records, options.concurrency ?? 5, async (record) => {
      const message = toWorkflowMessage(record);
      const keys = { vendorEventId: message.attributes.eventId ?? message.messageId };
      try {
        await options.handle(message, context);
        count(metrics, MetricName.Processed);
      } catch (err) {
        count(metrics, MetricName.Failed);
        const failure = err instanceof WorkflowFailure ? err : undefined;
        const reason = failure?.reason ?? 'UNEXPECTED_ERROR';
        const detail = (err as Error).message ?? String(err);
        const lastReceive = message.receiveCount >= options.maxReceiveCount;
        const permanent = err instanceof PermanentFailure;
        logger.warn('message failed', {
          ...keys,
          reason,
          detail,
          permanent,
          receiveCount: message.receiveCount,
          ...(failure instanceof RetryableFailure || permanent ? {} : { error: err as Error }),
        });
        if (!permanent && !lastReceive) {
          failures.push(record.messageId);
          return;
        }
        try {
          await deadLetter(message, permanent || failure ? reason : 'RETRIES_EXHAUSTED', detail);
        } catch (dlqErr) {
          logger.error('could not dead-letter; leaving the message on its queue', {
            ...keys,
            error: dlqErr as Error,
          });
          failures.push(record.messageId);
        }
      }
    });
    metrics.publishStoredMetrics();
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * The message body as its contract's type. A body that is not JSON, or not that event, fails the same way on
 * every delivery: MESSAGE_UNREADABLE, dead-lettered at once.
 */
export function readMessage<T>(
  message: WorkflowMessage,
  contract: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  what: string,
): T {
  let payload: unknown;
  try {
    payload = JSON.parse(message.body);
  } catch {
    throw new PermanentFailure('MESSAGE_UNREADABLE', 'Message body is not JSON');
  }
  const parsed = contract.safeParse(payload);
  if (!parsed.success)
    throw new PermanentFailure('MESSAGE_UNREADABLE', `Not ${what}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
