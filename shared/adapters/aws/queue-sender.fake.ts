/**
 * The queue sender in memory, with the same batching and retries as the SQS one (`sendInBatches`) and the
 * faults a test needs: a message refused as too large (as SQS refuses it, with no retry) and entries that
 * fail a given number of times before they go through.
 */
import type { Clock } from '../../ports/clock';
import type { OutgoingMessage, QueueSender } from '../../ports/queue-sender';
import { DEFAULT_RETRY, sendInBatches, type BatchFailure, type RetryOptions } from './queue-sender';

const noWait: Clock = { now: () => 0, sleep: async () => {} };

export class FakeQueueSender implements QueueSender {
  /** What reached the queue, in order. */
  readonly sent: OutgoingMessage[] = [];
  /** The size of every batch request made, retries included. */
  readonly batchSizes: number[] = [];
  private readonly transientFaults = new Map<string, number>();

  constructor(
    private readonly name = 'fake-queue',
    private readonly maxMessageBytes = 262_144,
    private readonly options: RetryOptions = DEFAULT_RETRY,
    private readonly clock: Clock = noWait,
  ) {}

  /** The message with this body fails `times` sends before it goes through. */
  failTransiently(body: string, times: number): void {
    this.transientFaults.set(body, times);
  }

  sendAll(messages: readonly OutgoingMessage[]): Promise<void> {
    return sendInBatches(
      this.name,
      messages,
      async (batch) => {
        this.batchSizes.push(batch.length);
        const failed: BatchFailure[] = [];
        batch.forEach((m, index) => {
          const left = this.transientFaults.get(m.body) ?? 0;
          if (left > 0) {
            this.transientFaults.set(m.body, left - 1);
            failed.push({ id: m.id, index, code: 'InternalError', message: 'injected', senderFault: false });
          } else if (Buffer.byteLength(m.body) > this.maxMessageBytes) {
            failed.push({
              id: m.id,
              index,
              code: 'InvalidParameterValue',
              message: `Message must be shorter than ${this.maxMessageBytes} bytes.`,
              senderFault: true,
            });
          } else {
            this.sent.push(m);
          }
        });
        return failed;
      },
      this.options,
      this.clock,
    );
  }
}
