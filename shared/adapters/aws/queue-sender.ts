/**
 * The queue sender on SQS: SendMessageBatch, ten entries per request, a few requests at once. The entries a
 * partial failure leaves out are sent again with a bounded, jittered backoff unless SQS says the fault is the
 * sender's (a message too large, a bad attribute), which no retry can fix. What is still unsent at the end is
 * named in one `QueueSendError`.
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QueueSendError } from '../../errors';
import type { OutgoingMessage, QueueSender, UnsentMessage } from '../../ports/queue-sender';
import { systemClock, type Clock } from '../../ports/clock';
import { toSqsAttributes } from './sqs-attributes';

/** SQS's limit of entries per SendMessageBatch. */
export const MAX_BATCH_ENTRIES = 10;

export interface RetryOptions {
  /** Attempts per batch, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Batches in flight at once. */
  readonly concurrency: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  concurrency: 4,
};

export interface BatchFailure extends UnsentMessage {
  /** The index of the entry in the batch it was sent with. */
  readonly index: number;
  /** True when no retry can help (SQS `SenderFault`). */
  readonly senderFault: boolean;
}

/** Sends one batch (at most ten); resolves with the entries that were not sent. */
export type SendBatch = (batch: readonly OutgoingMessage[]) => Promise<readonly BatchFailure[]>;

/** The batching and retry every queue sender shares, over a `SendBatch` (SQS, or the fake's memory). */
export async function sendInBatches(
  queue: string,
  messages: readonly OutgoingMessage[],
  sendBatch: SendBatch,
  options: RetryOptions,
  clock: Clock,
  random: () => number = Math.random,
): Promise<void> {
  const batches: OutgoingMessage[][] = [];
  for (let i = 0; i < messages.length; i += MAX_BATCH_ENTRIES)
    batches.push(messages.slice(i, i + MAX_BATCH_ENTRIES));
  const unsent: UnsentMessage[] = [];

  const sendWithRetries = async (batch: OutgoingMessage[]) => {
    let pending = batch;
    for (let attempt = 1; pending.length; attempt++) {
      let failures: readonly BatchFailure[];
      try {
        failures = await sendBatch(pending);
      } catch (err) {
        const e = err as Error & { $fault?: string };
        failures = pending.map((_, index) => ({
          id: '',
          index,
          code: e.name,
          message: e.message,
          senderFault: e.$fault === 'client',
        }));
      }
      const named = failures.map((f) => ({ ...f, id: pending[f.index]!.id }));
      const retryable = named.filter((f) => !f.senderFault);
      const final = attempt >= options.maxAttempts ? named : named.filter((f) => f.senderFault);
      unsent.push(...final.map(({ id, code, message }) => ({ id, code, message })));
      if (attempt >= options.maxAttempts || !retryable.length) return;
      pending = retryable.map((f) => pending[f.index]!);
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await clock.sleep(Math.round(ceiling * (0.5 + random() / 2)));
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, batches.length) }, async () => {
      while (next < batches.length) await sendWithRetries(batches[next++]!);
    }),
  );
  if (unsent.length) throw new QueueSendError(queue, unsent, messages.length - unsent.length);
}

export class SqsQueueSender implements QueueSender {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
    private readonly options: RetryOptions = DEFAULT_RETRY,
    private readonly clock: Clock = systemClock,
  ) {}

  sendAll(messages: readonly OutgoingMessage[]): Promise<void> {
    return sendInBatches(
      this.queueUrl,
      messages,
      async (batch) => {
        const { Failed } = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((m, i) => ({
              Id: String(i),
              MessageBody: m.body,
              MessageAttributes: m.attributes && toSqsAttributes({ ...m.attributes }),
              DelaySeconds: m.delaySeconds,
            })),
          }),
        );
        return (Failed ?? []).map((f) => ({
          id: '',
          index: Number(f.Id),
          code: f.Code ?? 'Unknown',
          message: f.Message ?? '',
          senderFault: f.SenderFault === true,
        }));
      },
      this.options,
      this.clock,
    );
  }
}

/** One message to a queue by URL: how the batch runner dead-letters and defers. */
export async function sendMessage(
  sqs: Pick<SQSClient, 'send'>,
  message: { queueUrl: string; body: string; attributes: Record<string, string>; delaySeconds?: number },
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: message.queueUrl,
      MessageBody: message.body,
      MessageAttributes: toSqsAttributes(message.attributes),
      DelaySeconds: message.delaySeconds,
    }),
  );
}
