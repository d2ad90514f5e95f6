/** Helpers for tests against the running local runtime (started by test/e2e/global-setup.ts). */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { withDeadline } from '../../local/net';
import type { LocalOutputs } from '../../local/runtime';
import type { BusEvent } from '../../local/aws-fake';
import { toSqsAttributes } from '../../shared/adapters/aws/sqs-attributes';
import { sandboxAdmin } from '../../local/sandboxes/admin-client';
import { sendSignedWebhook, type WebhookOptions } from '../../local/webhook-sender';

/** Written by the global setup (in the jest main process); read by the test workers (its children). */
export const e2eInfoFile = (jestPid: number) => join(tmpdir(), `wfm-bridge-e2e-${jestPid}-info.json`);

let cached: LocalOutputs | undefined;
export function local(): LocalOutputs {
  cached ??= JSON.parse(readFileSync(findInfoFile(), 'utf8')) as LocalOutputs;
  return cached;
}

function findInfoFile(): string {
  // Jest workers are children of the jest process that ran the global setup.
  for (const pid of [process.ppid, process.pid]) {
    const file = e2eInfoFile(pid);
    try {
      readFileSync(file);
      return file;
    } catch {
      // try the next
    }
  }
  throw new Error(
    'The local runtime is not running: run the e2e tests through jest (global setup starts it)',
  );
}

const aws = () => ({
  region: local().region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
export const sqs = () => new SQSClient({ ...aws(), endpoint: local().endpoints.sqs });
export const ddb = () =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ ...aws(), endpoint: local().endpoints.dynamodb }));

/** Signs and posts a webhook to the running gateway. */
export const postWebhook = (path: string, payload: unknown, options?: WebhookOptions) =>
  sendSignedWebhook(`${local().gatewayUrl}${path}`, payload, options);

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function domainEvents(detailType?: string): Promise<BusEvent[]> {
  const q = detailType ? `?detailType=${encodeURIComponent(detailType)}` : '';
  const url = `${local().gatewayUrl}/_local/events${q}`;
  return withDeadline(
    fetch(url, { signal: AbortSignal.timeout(10_000) }).then((res) => res.json()),
    10_000,
    `GET ${url}`,
  ) as Promise<BusEvent[]>;
}

export async function runSchedule(id: string) {
  const url = `${local().gatewayUrl}/_local/schedules/${id}/run`;
  // A schedule run is a whole function invocation (reconciliation has a budget of minutes in AWS, seconds here).
  return withDeadline(
    fetch(url, { method: 'POST', signal: AbortSignal.timeout(120_000) }).then((res) => res.json()),
    120_000,
    `POST ${url}`,
  ) as Promise<unknown>;
}

/** Sandbox admin surface of one vendor (DESIGN section 5). */
export const sandbox = (vendor: 'genesys' | 'cxone' | 'rewards') =>
  sandboxAdmin(`${local().sandboxUrl}/${vendor}`);

export async function sendToQueue(workflow: string, body: string, attrs: Record<string, string> = {}) {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: local().workflows[workflow]!.queueUrl,
      MessageBody: body,
      MessageAttributes: toSqsAttributes(attrs),
    }),
  );
}

/** Messages currently on a workflow's DLQ (received with a short visibility, so they reappear soon). */
export async function peekDlq(workflow: string): Promise<Message[]> {
  const out: Message[] = [];
  const client = sqs();
  for (let i = 0; i < 10; i++) {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: local().workflows[workflow]!.dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        // local-aws-sqs answers only the older AttributeNames form; AWS accepts both.
        AttributeNames: ['All'],
      }),
    );
    if (!Messages?.length) break;
    out.push(...Messages);
  }
  // Hand them back at once, so the code under test (or the CLI) sees them too.
  for (const m of out) {
    await client
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: local().workflows[workflow]!.dlqUrl,
          ReceiptHandle: m.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      )
      .catch(() => undefined);
  }
  return out;
}

/**
 * Waits until a workflow's queue holds no message at all (visible, in flight or delayed): every record posted
 * before the call has completed (deleted) or left for the DLQ. The positive signal an absence assertion
 * needs, instead of a fixed sleep that passes vacuously when the machine is slow.
 */
export async function waitForQueueDrained(workflow: string, options: { timeoutMs?: number } = {}) {
  const names = [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
  ] as const;
  await waitFor(
    async () => {
      const { Attributes = {} } = await sqs().send(
        new GetQueueAttributesCommand({
          QueueUrl: local().workflows[workflow]!.queueUrl,
          AttributeNames: [...names],
        }),
      );
      return names.every((n) => Number(Attributes[n] ?? '0') === 0);
    },
    { what: `the ${workflow} queue to drain`, timeoutMs: options.timeoutMs ?? 30_000 },
  );
}

export const attr = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;

/** A crash the local runtime's test-only switch holds (local/crash-switch.ts). */
export interface ArmedCrash {
  id: number;
  workflow: string;
  point: string;
  bodyContains?: string;
  remaining: number;
  fired: number;
}

/** The local runtime's test-only fault switches: `/_local/faults/crash` and `/_local/faults/dynamodb`. */
async function faultControl(
  switchName: 'crash' | 'dynamodb',
  method: string,
  body?: unknown,
): Promise<unknown> {
  const url = `${local().gatewayUrl}/_local/faults/${switchName}`;
  const res = await fetch(url, {
    method,
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const answer: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Arms a crash of a function instance at a named point (docs/local-runtime.md, "Crash points"). */
export const armCrash = (request: {
  workflow: string;
  point: 'before-vendor-call' | 'after-vendor-answer' | 'after-state-write';
  times?: number;
  bodyContains?: string;
}) => faultControl('crash', 'POST', request) as Promise<ArmedCrash>;

export const armedCrashes = () => faultControl('crash', 'GET') as Promise<ArmedCrash[]>;

/** Waits until an armed crash has killed its instances (`fired` reached `times`). */
export const waitForCrashes = (id: number, times = 1) =>
  waitFor(async () => (await armedCrashes()).find((c) => c.id === id && c.fired >= times), {
    what: `crash ${id} to fire ${times} time(s)`,
    timeoutMs: 30_000,
  });

/** A DynamoDB fault the local runtime's test-only switch holds (local/dynamodb-fault-switch.ts). */
export interface ArmedDynamoDbFault {
  id: number;
  workflow: string;
  table: 'State' | 'Idempotency';
  kind: 'throttle' | 'timeout';
  operations?: string[];
  bodyContains?: string;
  remaining: number;
  fired: number;
}

/** Arms failing DynamoDB calls of a workflow's processor (docs/local-runtime.md, "DynamoDB faults"). */
export const armDynamoDbFault = (request: {
  workflow: string;
  table: 'State' | 'Idempotency';
  kind: 'throttle' | 'timeout';
  times?: number;
  bodyContains?: string;
  operations?: string[];
}) => faultControl('dynamodb', 'POST', request) as Promise<ArmedDynamoDbFault>;

export const armedDynamoDbFaults = () => faultControl('dynamodb', 'GET') as Promise<ArmedDynamoDbFault[]>;
