/**
 * Dead-letter operations on SQS. Nothing here deletes a message before its copy is safely elsewhere:
 * replay sends to the source queue first and deletes from the DLQ only after the send succeeded; inspection
 * hands every message back (visibility 0) when done.
 */
import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { MessageAttribute } from '../../shared/config/resource-names';
import { fromSqsAttributes, toSqsAttributes } from '../../shared/adapters/aws/sqs-attributes';
import type { AuditLog } from '../../shared/ports/platform';

export interface DeadLetter {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** String attributes, unfolded. */
  readonly attributes: Record<string, string>;
  readonly receiveCount: number;
  readonly sentAt: number;
}

export interface Filters {
  readonly eventType?: string;
  readonly eventId?: string;
  readonly reason?: string;
  /** Only messages that failed more than this many ms ago. */
  readonly olderThanMs?: number;
  readonly newerThanMs?: number;
  readonly limit?: number;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `2h`, `3d` -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration; use e.g. 90s, 15m, 2h, 3d`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

export function toDeadLetter(m: Message): DeadLetter {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: fromSqsAttributes(m.MessageAttributes),
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '0'),
    sentAt: Number(m.Attributes?.SentTimestamp ?? '0'),
  };
}

export const failedAt = (d: DeadLetter) => Date.parse(d.attributes.failedAt ?? '') || d.sentAt;

export function matches(d: DeadLetter, f: Filters, now: number): boolean {
  if (f.eventType && d.attributes[MessageAttribute.eventType] !== f.eventType) return false;
  if (f.eventId && d.attributes[MessageAttribute.eventId] !== f.eventId) return false;
  if (f.reason && (d.attributes[MessageAttribute.failureReason] ?? 'UNKNOWN') !== f.reason) return false;
  const age = now - failedAt(d);
  if (f.olderThanMs !== undefined && age < f.olderThanMs) return false;
  if (f.newerThanMs !== undefined && age > f.newerThanMs) return false;
  return true;
}

/**
 * Receives every message of a queue (up to `max`), holding them invisible for `holdSeconds` so one pass sees
 * each message once. Callers must `release` or delete what they received.
 */
export async function receiveAll(
  sqs: SQSClient,
  queueUrl: string,
  max = 1000,
  holdSeconds = 60,
): Promise<DeadLetter[]> {
  // Short polls sample: an empty answer does not mean an empty queue. Read until the count seen at the
  // start is collected, or three polls in a row come back empty.
  const expected = Math.min(max, (await depth(sqs, queueUrl)).visible);
  const out: DeadLetter[] = [];
  for (let empty = 0; out.length < max && empty < 3 && (out.length < expected || empty === 0);) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max - out.length),
        VisibilityTimeout: holdSeconds,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        // local-aws-sqs answers only the older AttributeNames form; AWS accepts both.
        AttributeNames: ['All'],
      }),
    );
    if (!Messages?.length) {
      empty++;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    empty = 0;
    out.push(...Messages.map(toDeadLetter));
  }
  return out;
}

/** Makes received messages visible again at once. */
export async function release(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly DeadLetter[],
): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.receiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

export interface ReplayResult {
  readonly moved: DeadLetter[];
  readonly skipped: DeadLetter[];
  readonly failed: { message: DeadLetter; error: string }[];
}

export interface ReplayOptions {
  readonly sqs: SQSClient;
  readonly dlqUrl: string;
  readonly sourceUrl: string;
  readonly workflow: string;
  readonly filters: Filters;
  readonly dryRun: boolean;
  readonly operator: string;
  readonly audit?: AuditLog;
  /** Messages per second at most. */
  readonly rate?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const all = await receiveAll(o.sqs, o.dlqUrl);
  const selected = all.filter((m) => matches(m, o.filters, now())).slice(0, o.filters.limit ?? Infinity);
  const selectedIds = new Set(selected.map((m) => m.messageId));
  const skipped = all.filter((m) => !selectedIds.has(m.messageId));
  await release(o.sqs, o.dlqUrl, skipped);
  if (o.dryRun) {
    await release(o.sqs, o.dlqUrl, selected);
    return { moved: [], skipped: selected, failed: [] };
  }
  const moved: DeadLetter[] = [];
  const failed: ReplayResult['failed'] = [];
  let done = 0;
  for (const m of selected) {
    const started = now();
    const replayedAt = new Date(started).toISOString();
    try {
      await o.sqs.send(
        new SendMessageCommand({
          QueueUrl: o.sourceUrl,
          MessageBody: m.body,
          MessageAttributes: toSqsAttributes({
            ...m.attributes,
            [MessageAttribute.replayedAt]: replayedAt,
            [MessageAttribute.replayCount]: String(
              Number(m.attributes[MessageAttribute.replayCount] ?? '0') + 1,
            ),
            [MessageAttribute.replayedBy]: o.operator,
          }),
        }),
      );
    } catch (err) {
      failed.push({ message: m, error: (err as Error).message });
      await release(o.sqs, o.dlqUrl, [m]).catch(() => undefined); // it stays on the DLQ either way
      continue;
    }
    await o.sqs.send(new DeleteMessageCommand({ QueueUrl: o.dlqUrl, ReceiptHandle: m.receiptHandle }));
    moved.push(m);
    await o.audit
      ?.append({
        workflow: o.workflow,
        subject: `dlq#${m.attributes[MessageAttribute.eventId] ?? m.messageId}`,
        action: 'REPLAYED',
        at: replayedAt,
        detail: {
          messageId: m.messageId,
          operator: o.operator,
          failureReason: m.attributes[MessageAttribute.failureReason],
        },
      })
      .catch(() => undefined);
    o.onProgress?.(++done, selected.length);
    if (o.rate) {
      const wait = 1000 / o.rate - (now() - started);
      if (wait > 0) await sleep(wait);
    }
  }
  return { moved, skipped, failed };
}

export async function depth(sqs: SQSClient, queueUrl: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** One JSON line per message: body, attributes and system attributes (for evidence before a purge). */
export const exportLine = (m: DeadLetter) =>
  JSON.stringify({
    messageId: m.messageId,
    body: m.body,
    attributes: m.attributes,
    receiveCount: m.receiveCount,
    sentAt: m.sentAt,
  });

export async function importLines(sqs: SQSClient, queueUrl: string, lines: string[]): Promise<number> {
  let sent = 0;
  for (const line of lines.filter((l) => l.trim())) {
    const { body, attributes } = JSON.parse(line) as { body: string; attributes: Record<string, string> };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: toSqsAttributes(attributes),
      }),
    );
    sent++;
  }
  return sent;
}

export async function startRedrive(sqs: SQSClient, dlqArn: string, sourceArn: string, rate?: number) {
  return sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: dlqArn,
      DestinationArn: sourceArn,
      MaxNumberOfMessagesPerSecond: rate,
    }),
  );
}

export async function redriveTasks(sqs: SQSClient, dlqArn: string) {
  return (
    (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }))).Results ?? []
  );
}

export async function cancelRedrive(sqs: SQSClient, dlqArn: string) {
  const running = (await redriveTasks(sqs, dlqArn)).find((t) => t.Status === 'RUNNING');
  if (!running?.TaskHandle) return undefined;
  return sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: running.TaskHandle }));
}

export async function purge(sqs: SQSClient, dlqUrl: string) {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
}
