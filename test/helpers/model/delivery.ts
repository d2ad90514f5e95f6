/**
 * At-least-once delivery for model-based tests: the real batch runner (`createSqsProcessor`) behind a small
 * in-memory queue. Messages are received in an order the test chooses (reorderings), redelivered after a
 * batch item failure, re-sent after a `RetryLater`, and dead-lettered with the runner's reason. Every message
 * ends in exactly one ledger: processed, or on the DLQ with its reason, so "none silently lost" is checkable.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { unfoldAttributes } from '../../../shared/adapters/aws/sqs-attributes';
import { MessageAttribute } from '../../../shared/config/resource-names';
import { createSqsProcessor, type WorkflowMessage } from '../../../shared/runtime/sqs-processor';
import type { VirtualClock } from '../virtual-clock';

// Powertools reads this when each Metrics instance (and each single metric) is made: nothing is printed.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export interface QueuedMessage {
  readonly messageId: string;
  readonly eventId: string;
  readonly body: string;
  attributes: Record<string, string>;
  receiveCount: number;
}

export interface DeadLettered {
  readonly eventId: string;
  readonly body: string;
  readonly reason: string;
  readonly detail: string;
}

export class SimulatedQueue {
  readonly queued: QueuedMessage[] = [];
  readonly processed: { eventId: string; receiveCount: number }[] = [];
  readonly deadLettered: DeadLettered[] = [];
  readonly receives: string[] = [];
  private next = 0;
  private readonly run: ReturnType<typeof createSqsProcessor>;

  constructor(
    handle: (message: WorkflowMessage) => Promise<void>,
    private readonly clock: VirtualClock,
    readonly maxReceiveCount = 3,
  ) {
    const silent = new Logger({ logLevel: 'SILENT' });
    this.run = createSqsProcessor({
      workflow: 'model',
      handle: async (message) => {
        await handle(message);
        this.processed.push({
          eventId: message.attributes[MessageAttribute.eventId]!,
          receiveCount: message.receiveCount,
        });
      },
      deadLetter: async (d) => {
        const attributes = unfoldAttributes(d.attributes);
        this.deadLettered.push({
          eventId: attributes[MessageAttribute.eventId]!,
          body: d.body,
          reason: attributes[MessageAttribute.failureReason]!,
          detail: attributes[MessageAttribute.failureDetail]!,
        });
      },
      dlqUrl: 'http://127.0.0.1/dlq',
      queueUrl: 'http://127.0.0.1/queue',
      requeue: async (r) => {
        // A deferral is a new message (a new receive count), visible after its delay.
        this.clock.advance(r.delaySeconds * 1000);
        this.queued.push(this.message(unfoldAttributes(r.attributes), r.body));
      },
      maxReceiveCount,
      logger: silent,
      metrics: new Metrics({ namespace: 'Model', serviceName: 'model', logger: silent }),
      now: () => clock.now(),
      random: () => 0.5,
    });
  }

  /** A vendor delivery: each call is one message, so calling twice with the same event id is a duplicate. */
  send(eventId: string, body: unknown, eventType: string): void {
    this.queued.push(
      this.message({ [MessageAttribute.eventId]: eventId, [MessageAttribute.eventType]: eventType }, body),
    );
  }

  /** An operator's replay of everything on the DLQ (cli `dlq replay`), after the faults have passed. */
  replayDeadLetters(): void {
    const dead = this.deadLettered.splice(0);
    for (const d of dead)
      this.queued.push(
        this.message(
          {
            [MessageAttribute.eventId]: d.eventId,
            [MessageAttribute.replayedAt]: new Date(this.clock.now()).toISOString(),
          },
          d.body,
        ),
      );
  }

  get isEmpty(): boolean {
    return this.queued.length === 0;
  }

  /** Receives the queued messages at `picks` (indexes modulo the queue) as one batch. */
  async deliver(picks: readonly number[]): Promise<void> {
    const batch: QueuedMessage[] = [];
    for (const pick of picks) {
      if (!this.queued.length) break;
      const [m] = this.queued.splice(pick % this.queued.length, 1);
      m!.receiveCount++;
      batch.push(m!);
      this.receives.push(m!.eventId);
    }
    if (!batch.length) return;
    const result = await this.run({ Records: batch.map(toRecord) } as SQSEvent);
    // Batch item failures become visible again (the visibility timeout passes).
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of batch) if (failed.has(m.messageId)) this.queued.push(m);
  }

  /** Delivers until the queue is empty, one message at a time, oldest first. */
  async drain(limit = 500): Promise<void> {
    for (let i = 0; i < limit && !this.isEmpty; i++) await this.deliver([0]);
    if (!this.isEmpty)
      throw new Error(`queue did not drain in ${limit} receives: ${this.queued.length} left`);
  }

  private message(attributes: Record<string, string>, body: unknown): QueuedMessage {
    return {
      messageId: `m-${++this.next}`,
      eventId: attributes[MessageAttribute.eventId]!,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes,
      receiveCount: 0,
    };
  }
}

function toRecord(m: QueuedMessage): SQSRecord {
  return {
    messageId: m.messageId,
    receiptHandle: `rh-${m.messageId}`,
    body: m.body,
    attributes: { ApproximateReceiveCount: String(m.receiveCount) },
    messageAttributes: Object.fromEntries(
      Object.entries(m.attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:model',
    awsRegion: 'us-east-1',
  } as unknown as SQSRecord;
}
