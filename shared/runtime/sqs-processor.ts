/**
 * The batch runner every workflow processor uses (SQS event source with ReportBatchItemFailures).
 *
 * - `PermanentFailure`: the message is dead-lettered now, with `failureReason`/`failureDetail` and every
 *   original attribute, and counted done (redelivering it would fail the same way).
 * - `RetryLater`: "not now". The message is sent again to its own queue with `DelaySeconds` (jittered) and
 *   `deferrals`/`firstDeferredAt` attributes, and the received copy is counted done. A deferral therefore
 *   spends none of the queue's receives (SQS's redrive counts every receive; see decision 0005). Past the
 *   deferral limits (count or age) it is dead-lettered as DEFERRAL_EXHAUSTED with the handler's reason.
 * - Any other error: a batch item failure, so SQS redelivers only that record. On the last receive the runner
 *   dead-letters it itself, so the DLQ copy carries its reason too (SQS's own redrive cannot add one).
 * - If the DLQ send (or the deferral's re-send) fails, the record is reported failed: nothing is lost.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { foldAttributes, fromSqsAttributes } from '../adapters/aws/sqs-attributes';
import { MessageAttribute } from '../config/resource-names';
import { PermanentFailure, RetryableFailure, RetryLater, WorkflowFailure } from '../errors';
import { withLogKeys } from '../observability/logger';
import { correlationIdOf, withCorrelationId } from '../http/correlation';
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

/** A deferred message, sent again to its own queue, visible after `delaySeconds`. */
export interface Requeue extends DeadLetter {
  readonly delaySeconds: number;
}

export interface DeferralLimits {
  /** Deferrals allowed before the message is dead-lettered as DEFERRAL_EXHAUSTED. */
  readonly maxDeferrals: number;
  /** Seconds since the first deferral after which the next one dead-letters instead. */
  readonly maxAgeSeconds: number;
}

/**
 * Generous enough for spec 003's contested shift (the winning bid may wait out a 423 schedule lock and a
 * 120 s action), small enough that a deferral loop surfaces on the DLQ within a quarter of an hour.
 */
export const DEFAULT_DEFERRAL_LIMITS: DeferralLimits = { maxDeferrals: 50, maxAgeSeconds: 900 };

/** SQS's largest DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;

/** Attributes the runner writes on a deferred message. */
export const DeferralAttribute = {
  deferrals: 'deferrals',
  firstDeferredAt: 'firstDeferredAt',
  deferReason: 'deferReason',
} as const;

export const DEFERRAL_EXHAUSTED = 'DEFERRAL_EXHAUSTED';

export interface SqsProcessorOptions {
  readonly workflow: string;
  readonly handle: (message: WorkflowMessage, context?: Context) => Promise<void>;
  readonly deadLetter: (message: DeadLetter) => Promise<void>;
  readonly dlqUrl: string;
  /** The workflow's own queue, where deferred messages go back. */
  readonly queueUrl: string;
  readonly requeue: (message: Requeue) => Promise<void>;
  readonly deferral?: Partial<DeferralLimits>;
  readonly maxReceiveCount: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
  /** In [0, 1); jitters deferral delays (default Math.random). */
  readonly random?: () => number;
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

/** Between half and one and a half times the asked delay, whole seconds, within SQS's 0..900. */
export function jitteredDelaySeconds(seconds: number, random: () => number): number {
  const jittered = Math.round(Math.max(0, seconds) * (0.5 + random()));
  return Math.min(MAX_DELAY_SECONDS, jittered);
}

/**
 * How often, and since when, this message has been deferred. An operator's replay from the DLQ
 * (`replayedAt` later than the first deferral) starts the count afresh.
 */
function deferralsSoFar(attributes: Readonly<Record<string, string>>) {
  const firstDeferredAt = attributes[DeferralAttribute.firstDeferredAt];
  const replayedAt = attributes[MessageAttribute.replayedAt];
  if (!firstDeferredAt || (replayedAt && Date.parse(replayedAt) > Date.parse(firstDeferredAt)))
    return { deferrals: 0, firstDeferredAt: undefined };
  return { deferrals: Number(attributes[DeferralAttribute.deferrals] ?? '0'), firstDeferredAt };
}

export function createSqsProcessor(options: SqsProcessorOptions) {
  const { logger, metrics } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const limits: DeferralLimits = { ...DEFAULT_DEFERRAL_LIMITS, ...options.deferral };

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

  /** Re-sends the message after the asked delay, or dead-letters it when its deferrals are spent. */
  async function defer(message: WorkflowMessage, later: RetryLater): Promise<void> {
    const { deferrals, firstDeferredAt } = deferralsSoFar(message.attributes);
    const ageSeconds = firstDeferredAt ? (now() - Date.parse(firstDeferredAt)) / 1000 : 0;
    if (deferrals >= limits.maxDeferrals || ageSeconds >= limits.maxAgeSeconds) {
      await deadLetter(
        message,
        DEFERRAL_EXHAUSTED,
        `${later.reason}: ${later.message} (deferred ${deferrals} times over ${Math.round(ageSeconds)} s; ` +
          `limits ${limits.maxDeferrals} times, ${limits.maxAgeSeconds} s)`,
      );
      return;
    }
    await options.requeue({
      queueUrl: options.queueUrl,
      body: message.body,
      delaySeconds: jitteredDelaySeconds(later.delaySeconds, random),
      attributes: foldAttributes({
        ...message.attributes,
        [DeferralAttribute.deferrals]: String(deferrals + 1),
        [DeferralAttribute.firstDeferredAt]: firstDeferredAt ?? new Date(now()).toISOString(),
        [DeferralAttribute.deferReason]: later.reason,
      }),
    });
    countWith(metrics, MetricName.Deferred, { reason: later.reason });
  }

  return async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    const failures: string[] = [];
    await mapBounded(event.Records, options.concurrency ?? 5, async (record) => {
      const message = toWorkflowMessage(record);
      const vendorEventId = message.attributes.eventId ?? message.messageId;
      const keys = { vendorEventId, correlationId: correlationIdOf(vendorEventId) };
      // Every line written while this record is handled (handler, vendor client, runner) carries its keys.
      // ... and every vendor call it makes carries its event id as X-Correlation-Id (spec 002 section 4).
      await withLogKeys({ workflow: options.workflow, ...keys }, () =>
        withCorrelationId(keys.correlationId, () => processRecord(record, message, keys)),
      );
    });
    // A batch whose records were all deferred stores nothing (a deferral is its own single-metric blob), and
    // Powertools would write a plain-text "No application metrics to publish" into the function's JSON log.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };

    async function processRecord(
      record: SQSRecord,
      message: WorkflowMessage,
      keys: { vendorEventId: string; correlationId: string },
    ): Promise<void> {
      try {
        await options.handle(message, context);
        count(metrics, MetricName.Processed);
      } catch (err) {
        if (err instanceof RetryLater) {
          logger.info('message deferred', {
            ...keys,
            reason: err.reason,
            detail: err.message,
            delaySeconds: err.delaySeconds,
            deferrals: message.attributes[DeferralAttribute.deferrals] ?? '0',
          });
          try {
            await defer(message, err);
          } catch (sendErr) {
            logger.error('could not defer; leaving the message on its queue', {
              ...keys,
              error: sendErr as Error,
            });
            failures.push(record.messageId);
          }
          return;
        }
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
    }
  };
}

/** The vendor event id and ingress time a message carries, with fallbacks for one sent by hand. */
export type MessageEnvelope = ReturnType<typeof messageEnvelope>;

export function messageEnvelope(message: WorkflowMessage, now: number) {
  return {
    eventId: message.attributes[MessageAttribute.eventId] ?? message.messageId,
    eventType: message.attributes[MessageAttribute.eventType],
    receivedAt: message.attributes[MessageAttribute.receivedAt] ?? new Date(now).toISOString(),
  };
}

/** A zod schema (classic or mini) of a message body. */
export interface MessageContract<T> {
  safeParse(
    v: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
}

/**
 * The message body as its contract's type. A body that is not JSON, or not that event, fails the same way on
 * every delivery: MESSAGE_UNREADABLE, dead-lettered at once.
 */
export function readMessage<T>(message: WorkflowMessage, contract: MessageContract<T>, what: string): T {
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
