/**
 * Lambda's SQS event source mapping, locally: `concurrency` loops each receive up to `batchSize` messages,
 * invoke the processor with a real SQSEvent, and delete every record not reported in `batchItemFailures`
 * (none if the invocation throws). Failed records reappear after the visibility timeout; after
 * maxReceiveCount receives SQS itself (local-aws-sqs) moves them to the DLQ.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CRASH_EXIT_CODE, type CrashSwitch } from './crash-switch';
import type { DynamoDbFault, DynamoDbFaultSwitch } from './dynamodb-fault-switch';
import { InstanceExited, type FunctionPool } from './function-host';

export interface PollerOptions {
  readonly workflow: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly pool: FunctionPool;
  readonly sqs: SQSClient;
  readonly log: (line: string) => void;
  /** Pause between empty receives (local-aws-sqs long polls wait the full time for batches > 1). */
  readonly idleMs?: number;
  /**
   * The queue's (scaled-down) visibility timeout. Not extended while an invocation runs: local-aws-sqs counts
   * every ChangeMessageVisibility as a receive, which would send messages to the DLQ early. Local timings are
   * scaled together instead (WFM_RETRY_SCALE also shortens retry backoff and the breaker pause).
   */
  readonly visibilityTimeoutSeconds: number;
  /** Test-only crash points (local/crash-switch.ts). */
  readonly crashes?: CrashSwitch;
  /** Test-only DynamoDB faults (local/dynamodb-fault-switch.ts). */
  readonly dynamoDbFaults?: DynamoDbFaultSwitch;
}

export function toLambdaRecord(m: Message, queueArn: string): SQSRecord {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: m.Attributes?.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        {
          stringValue: v.StringValue,
          dataType: v.DataType ?? 'String',
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/**
 * While the queue is empty only one loop polls it; the others are parked, and each loop that receives
 * messages wakes one more, so the busy loops plus one are polling, as Lambda scales pollers with the
 * backlog. Every loop polling an empty queue ten times a second would cost the runtime's one event loop
 * more than the traffic it serves.
 */
export class Poller {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly parked: (() => void)[] = [];
  private watching = false;
  /** Invocations completed, for /health and benchmarks. */
  invocations = 0;

  constructor(private readonly o: PollerOptions) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.o.concurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.parked.splice(0)) wake();
    await Promise.all(this.loops);
  }

  private wakeOne(): void {
    this.parked.shift()?.();
  }

  private async loop(): Promise<void> {
    const idleMs = this.o.idleMs ?? 100;
    while (this.running) {
      try {
        const { Messages } = await this.o.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.o.queueUrl,
            MaxNumberOfMessages: this.o.batchSize,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['All'],
            // local-aws-sqs answers only the older AttributeNames form; AWS accepts both.
            AttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (!Messages?.length) {
          // A receive that was in flight when stop() woke the parked loops must not park now: nobody would wake it.
          if (!this.running) break;
          if (this.watching) {
            await new Promise<void>((resolve) => this.parked.push(resolve));
            continue;
          }
          this.watching = true;
          await sleep(idleMs);
          this.watching = false;
          continue;
        }
        this.wakeOne(); // someone keeps polling while this batch runs
        await this.invoke(Messages);
      } catch (err) {
        if (this.running) this.o.log(`[${this.o.workflow}] poller error: ${(err as Error).message}`);
        await sleep(idleMs * 5);
      }
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    // Test-only: the records an armed DynamoDB fault targets get an invocation of their own, so that the fault
    // fails their calls only (local/dynamodb-fault-switch.ts). Without one, the batch is one invocation.
    const batches = this.o.dynamoDbFaults?.split(this.o.workflow, messages, (m) => m.Body ?? '') ?? [
      { items: messages, faults: [] },
    ];
    await Promise.all(batches.map((b) => this.invokeBatch(b.items, b.faults)));
  }

  private async invokeBatch(messages: Message[], dynamoDbFaults: readonly DynamoDbFault[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((m) => toLambdaRecord(m, this.o.queueArn)) };
    let failed: Set<string>;
    const crash = this.o.crashes?.reserve(
      this.o.workflow,
      messages.map((m) => m.Body ?? ''),
    );
    try {
      const response = await this.o.pool.invoke<SQSBatchResponse | undefined>(event, {
        ...(crash && { crashAt: crash.point }),
        ...(dynamoDbFaults.length && { dynamoDbFaults }),
      });
      crash?.settle(false);
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      crash?.settle(err instanceof InstanceExited && err.exitCode === CRASH_EXIT_CODE);
      this.o.log(
        `[${this.o.workflow}] invocation failed, whole batch returns to the queue: ${(err as Error).message.split('\n')[0]}`,
      );
      failed = new Set(messages.map((m) => m.MessageId!));
    } finally {
      this.invocations++;
    }
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length) {
      await this.o.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.o.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
