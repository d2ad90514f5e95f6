/**
 * Driving a model's history through the running local runtime (test/e2e/model-runs.test.ts): fresh ids per
 * history, signed webhooks through the gateway with every answer kept, at-least-once redeliveries straight onto
 * the workflow's queue, settling (the queue drained), the operator's replay of the history's own dead letters,
 * and what the history left in the Audit table, on the bus and on the DLQ, in the model's ids.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { replay } from '../../../cli/dlq/operations';
import type { SandboxAdmin } from '../../../local/sandboxes/admin-client';
import { MessageAttribute } from '../../../shared/config/resource-names';
import type { IngressDecision } from '../../../shared/domain/ingress/rules';
import type { AuditRecord, DomainEvent } from '../../../shared/ports/platform';
import {
  armDynamoDbFault,
  armedDynamoDbFaults,
  attr,
  ddb,
  domainEvents,
  local,
  peekDlq,
  postWebhook,
  sendToQueue,
  sqs,
  waitForQueueDrained,
} from '../local';

/** How long a history may take to settle once: a message retried through its receives, then dead-lettered. */
const SETTLE_TIMEOUT_MS = 90_000;

export interface GatewayAnswer {
  readonly status: number;
  readonly body: { status?: string; eventId?: string; reason?: string; error?: string };
}

export interface QueuedDelivery {
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
  readonly via: 'gateway' | 'producer' | 'redelivery';
}

export interface DeadLetterSeen {
  readonly eventId: string;
  readonly reason: string;
  readonly detail: string;
}

/**
 * One history's run against the runtime. Every id the history sends is `physical(id)` (a prefix unique to the
 * run), so histories never meet each other or the rest of the e2e suite in the shared runtime; `logical(x)`
 * takes the prefix off again, so what the runtime produced reads in the model's ids.
 */
export class RuntimeHistory {
  readonly prefix = `mdl${randomBytes(4).toString('hex')}-`;
  /** Every webhook posted, with the gateway's answer, in order. */
  readonly posted: { body: string; answer: GatewayAnswer }[] = [];
  /** Every message that reached the workflow's queue: accepted by the gateway, or redelivered. */
  readonly queued: QueuedDelivery[] = [];
  /** Vendor faults and token revocations the history injected. */
  faultsInjected = 0;
  replayed = 0;
  /** The DynamoDB faults this history armed, and how many failed calls they caused (SDK attempts included). */
  readonly stateFaultIds: number[] = [];
  stateFaultCalls = 0;
  private readonly startedAt = Date.now();

  /** `route`: the gateway route the history's webhooks go to (none for a workflow fed by a schedule). */
  constructor(
    readonly workflow: string,
    private readonly route?: string,
  ) {}

  physical = (id: string) => `${this.prefix}${id}`;

  logical<T>(value: T): T {
    if (value === undefined) return value;
    return JSON.parse(JSON.stringify(value).replaceAll(this.prefix, '')) as T;
  }

  /**
   * Posts a webhook (identical bytes for a re-sent event, as a vendor's retry sends them) and checks the answer:
   * the ingress rule's decision (`expected`), or `duplicate` for a body posted before (the replay guard).
   */
  async post(body: string, eventType: string, expected: IngressDecision = { act: true }): Promise<void> {
    const repeated = this.posted.some((p) => p.body === body);
    const answer = (await postWebhook(this.route!, body)) as GatewayAnswer;
    this.posted.push({ body, answer });
    expect({ eventType, status: answer.status, said: answer.body.status }).toEqual({
      eventType,
      status: 202,
      said: repeated ? 'duplicate' : expected.act ? 'accepted' : 'ignored',
    });
    if (!repeated && !expected.act) expect(answer.body.reason).toBe(expected.reason);
    if (answer.body.status === 'accepted')
      this.queued.push({ eventId: answer.body.eventId!, eventType, body, via: 'gateway' });
  }

  /** A message from a producer inside the system (a scheduled function's fan-out), straight onto the queue. */
  async enqueue(delivery: Omit<QueuedDelivery, 'via'>): Promise<void> {
    await this.send(delivery);
    this.queued.push({ ...delivery, via: 'producer' });
  }

  /** SQS's at-least-once delivery: the same message once more, past the gateway's replay guard. */
  async redeliver(delivery: QueuedDelivery): Promise<void> {
    await this.send(delivery);
    this.queued.push({ ...delivery, via: 'redelivery' });
  }

  private send(delivery: Omit<QueuedDelivery, 'via'>): Promise<void> {
    return sendToQueue(this.workflow, delivery.body, {
      [MessageAttribute.workflow]: this.workflow,
      [MessageAttribute.eventType]: delivery.eventType,
      [MessageAttribute.eventId]: delivery.eventId,
      [MessageAttribute.receivedAt]: new Date().toISOString(),
    });
  }

  /** Waits until every message on the workflow's queue has completed or left for the DLQ. */
  settle(): Promise<void> {
    return waitForQueueDrained(this.workflow, { timeoutMs: SETTLE_TIMEOUT_MS });
  }

  private async ownDeadLetterMessages() {
    return (await peekDlq(this.workflow)).filter((m) => m.Body?.includes(this.prefix));
  }

  /** The dead letters of this history (the DLQ is shared with the rest of the suite). */
  async deadLetters(): Promise<DeadLetterSeen[]> {
    return (await this.ownDeadLetterMessages()).map((m) => ({
      eventId: attr(m, MessageAttribute.eventId) ?? '',
      // SQS's own redrive copy (an invocation slower than the visibility timeout) carries no reason.
      reason: attr(m, MessageAttribute.failureReason) ?? 'UNKNOWN (moved by SQS redrive)',
      detail: attr(m, MessageAttribute.failureDetail) ?? '',
    }));
  }

  /** The on-call engineer's replay (runbook): this history's dead letters back to the queue, with the CLI's code. */
  async replayDeadLetters(): Promise<number> {
    const eventIds = new Set(
      (await this.ownDeadLetterMessages()).map((m) => attr(m, MessageAttribute.eventId)!),
    );
    let moved = 0;
    for (const eventId of eventIds) {
      const result = await replay({
        sqs: sqs(),
        dlqUrl: local().workflows[this.workflow]!.dlqUrl,
        sourceUrl: local().workflows[this.workflow]!.queueUrl,
        workflow: this.workflow,
        filters: { eventId },
        dryRun: false,
        operator: 'model-runs',
      });
      moved += result.moved.length;
    }
    this.replayed += moved;
    return moved;
  }

  /** One line for the test's summary: what the history did to the runtime. */
  summary(outcome: Record<string, number> = {}): string {
    const said = (status: string) => this.posted.filter((p) => p.answer.body.status === status).length;
    const counts = {
      enqueued: this.queued.filter((q) => q.via === 'producer').length,
      posted: this.posted.length,
      accepted: said('accepted'),
      duplicate: said('duplicate'),
      ignored: said('ignored'),
      redelivered: this.queued.filter((q) => q.via === 'redelivery').length,
      faults: this.faultsInjected,
      replayed: this.replayed,
      'failed State writes': this.stateFaultCalls,
      ...outcome,
    };
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    return `${this.workflow} (${seconds} s): ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`;
  }

  /**
   * This history's audit records (their subject holds the history's prefix, or one of `alsoAbout`: ids the
   * vendor derived, such as a marketplace transaction id), in the order they were written, in the model's ids.
   */
  async audit(
    alsoAbout: readonly string[] = [],
  ): Promise<Pick<AuditRecord, 'subject' | 'action' | 'detail' | 'at'>[]> {
    const about = [this.prefix, ...alsoAbout];
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await ddb().send(
        new ScanCommand({
          TableName: local().tables.Audit!,
          FilterExpression: `begins_with(pk, :workflow) AND (${about.map((_, i) => `contains(pk, :about${i})`).join(' OR ')})`,
          ExpressionAttributeValues: {
            ':workflow': `${this.workflow}#`,
            ...Object.fromEntries(about.map((id, i) => [`:about${i}`, id])),
          },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const written = (i: Record<string, unknown>) => `${String(i.recordedAt)} ${String(i.sk)}`;
    items.sort((a, b) => written(a).localeCompare(written(b)));
    return this.logical(
      items.map((i) => ({
        subject: String(i.subject),
        action: String(i.action),
        at: String(i.at),
        detail: i.detail as AuditRecord['detail'],
      })),
    );
  }

  /** This history's domain events (about its prefix or one of `alsoAbout`), in order, in the model's ids. */
  async events(alsoAbout: readonly string[] = []): Promise<DomainEvent[]> {
    const about = [this.prefix, ...alsoAbout];
    const all = await domainEvents();
    return this.logical(
      all
        .filter((e) => about.some((id) => JSON.stringify(e.detail).includes(id)))
        .map((e) => ({ type: e.detailType, detail: e.detail as DomainEvent['detail'] })),
    );
  }
}

/**
 * Steps only the runtime driver has (the domain's fakes fold them into their "recovered" fault): SQS's
 * at-least-once redelivery of an accepted message; every token of the vendor revoked; a 429 with Retry-After.
 */
export type RuntimeOnlyStep =
  | { readonly redeliver: number }
  | { readonly revokeTokens: true }
  | { readonly rateLimited: { retryAfterSeconds: number } };

export const runtimeOnlySteps: fc.WeightedArbitrary<RuntimeOnlyStep>[] = [
  { weight: 1, arbitrary: fc.record({ redeliver: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ revokeTokens: fc.constant(true as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ rateLimited: fc.record({ retryAfterSeconds: fc.integer({ min: 1, max: 2 }) }) }),
  },
];

/** `apiPrefix`: the vendor API paths a 429 may hit (not its token endpoint). */
export async function applyRuntimeOnlyStep(
  run: RuntimeHistory,
  vendor: SandboxAdmin,
  apiPrefix: string,
  step: RuntimeOnlyStep,
): Promise<void> {
  if ('redeliver' in step) {
    const accepted = run.queued.filter((q) => q.via !== 'redelivery');
    if (accepted.length) await run.redeliver(accepted[step.redeliver % accepted.length]!);
    return;
  }
  if ('revokeTokens' in step) await vendor.expireTokens();
  else
    await vendor.faults([
      { method: '*', path: apiPrefix, status: 429, retryAfterSeconds: step.rateLimited.retryAfterSeconds },
    ]);
  run.faultsInjected++;
}

/**
 * The domain's State-table write fault, through the local runtime's DynamoDB fault switch, on this history's
 * records only: one write call fails through the SDK's 4 attempts, throttled or timed out. The switch writes
 * nothing on a timeout (the domain's "timeout after the write" stays with the fakes), and fails the next write
 * of the history's records (the domain's `skip` is not expressible).
 */
export async function armStateWriteFault(
  run: RuntimeHistory,
  fault: 'throttled' | 'timeout-after-write',
): Promise<void> {
  const armed = await armDynamoDbFault({
    workflow: run.workflow,
    table: 'State',
    kind: fault === 'throttled' ? 'throttle' : 'timeout',
    times: 4,
    bodyContains: run.prefix,
    operations: ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'],
  });
  run.stateFaultIds.push(armed.id);
  run.faultsInjected++;
}

/**
 * The faults have passed: disarms the DynamoDB faults a history armed and did not spend. The switch disarms all at
 * once; the e2e files run one at a time (`npm test` runs jest in band), so only this history's are armed.
 */
export async function disarmStateWriteFaults(run: RuntimeHistory): Promise<void> {
  if (!run.stateFaultIds.length) return;
  for (const fault of await armedDynamoDbFaults())
    if (run.stateFaultIds.includes(fault.id)) run.stateFaultCalls += fault.fired;
  const url = `${local().gatewayUrl}/_local/faults/dynamodb`;
  const res = await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`DELETE ${url}: ${res.status} ${await res.text()}`);
}
