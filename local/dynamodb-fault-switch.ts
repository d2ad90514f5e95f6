/**
 * Test-only: makes a workflow function's DynamoDB calls on the State or Idempotency table fail, as a throttle
 * or a request timeout, so tests can show that records retry and land once, or dead-letter with the reason
 * (issue 14, docs/local-runtime.md "DynamoDB faults"). Armed through the local gateway
 * (`POST /_local/faults/dynamodb`); nothing in the deployed stack has it.
 *
 * It travels as the crash switch does (local/crash-switch.ts): the poller hands the armed faults that match an
 * invocation's batch to the function host, which posts them to the instance with the event, and
 * local/dynamodb-fault-injector.ts, loaded by local/function-worker.cjs, fails the matching calls below the
 * SDK's retry middleware (each attempt counts once). A fault fails the calls of the records it targets only: the
 * poller gives them an invocation of their own (`split`), away from the rest of their batch.
 */
import { WORKFLOWS } from '../shared/topology';

export const DYNAMODB_FAULT_TABLES = ['State', 'Idempotency'] as const;
export type DynamoDbFaultTable = (typeof DYNAMODB_FAULT_TABLES)[number];

export const DYNAMODB_FAULT_KINDS = ['throttle', 'timeout'] as const;
export type DynamoDbFaultKind = (typeof DYNAMODB_FAULT_KINDS)[number];

/** The operations the handlers use (the DynamoDB API's names, as the SDK's commands are named). */
export const DYNAMODB_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'TransactWriteItems',
  'BatchWriteItem',
  'BatchGetItem',
] as const;
export type DynamoDbOperation = (typeof DYNAMODB_OPERATIONS)[number];

export interface DynamoDbFaultRequest {
  readonly workflow: string;
  readonly table: DynamoDbFaultTable;
  readonly kind: DynamoDbFaultKind;
  /** How many calls (SDK attempts) fail (default 1). */
  readonly times?: number;
  /** Only invocations with a record whose body contains this text (tests sharing a runtime keep apart). */
  readonly bodyContains?: string;
  /** Only these operations (default: every call on the table). */
  readonly operations?: readonly DynamoDbOperation[];
}

/**
 * An armed fault as an instance gets it with an invocation (posted to its worker thread). `calls` is shared
 * memory, `[remaining, fired]`: instances running at once (a redelivery can overlap the first delivery when
 * the SDK's backoff outlasts the local visibility timeout) spend one budget, exactly, with `Atomics`.
 */
export interface DynamoDbFault {
  readonly table: DynamoDbFaultTable;
  readonly kind: DynamoDbFaultKind;
  readonly operations?: readonly DynamoDbOperation[];
  readonly calls: Int32Array;
}

/** What the control route answers for each armed fault. */
export interface ArmedDynamoDbFault {
  readonly id: number;
  readonly workflow: string;
  readonly table: DynamoDbFaultTable;
  readonly kind: DynamoDbFaultKind;
  readonly operations?: readonly DynamoDbOperation[];
  readonly bodyContains?: string;
  /** Calls still to fail. */
  readonly remaining: number;
  /** Calls failed so far. */
  readonly fired: number;
}

const REMAINING = 0;
const FIRED = 1;

/** Takes one call from a fault's budget if any is left, from any thread; true if this call must fail. */
export function takeOneCall(calls: Int32Array): boolean {
  for (;;) {
    const left = Atomics.load(calls, REMAINING);
    if (left <= 0) return false;
    if (Atomics.compareExchange(calls, REMAINING, left, left - 1) === left) {
      Atomics.add(calls, FIRED, 1);
      return true;
    }
  }
}

interface Armed extends DynamoDbFault {
  readonly id: number;
  readonly workflow: string;
  readonly bodyContains?: string;
}

export class DynamoDbFaultSwitch {
  private readonly faults: Armed[] = [];
  private nextId = 1;

  arm(request: unknown): ArmedDynamoDbFault {
    const r = parseDynamoDbFaultRequest(request);
    const calls = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    calls[REMAINING] = r.times ?? 1;
    const armed: Armed = {
      id: this.nextId++,
      workflow: r.workflow,
      table: r.table,
      kind: r.kind,
      ...(r.operations !== undefined && { operations: [...r.operations] }),
      ...(r.bodyContains !== undefined && { bodyContains: r.bodyContains }),
      calls,
    };
    this.faults.push(armed);
    return describe(armed);
  }

  list(): ArmedDynamoDbFault[] {
    return this.faults.map(describe);
  }

  disarmAll(): void {
    this.faults.splice(0);
  }

  /**
   * A batch split so that a fault fails only the records it targets: the records matching the same armed
   * faults (by `bodyContains`) go together, each group with its faults. One group, the whole batch, when no
   * fault tells its records apart.
   */
  split<T>(
    workflow: string,
    batch: readonly T[],
    bodyOf: (item: T) => string,
  ): { items: T[]; faults: DynamoDbFault[] }[] {
    const groups = new Map<string, { items: T[]; faults: DynamoDbFault[] }>();
    for (const item of batch) {
      const matching = this.matching(workflow, [bodyOf(item)]);
      const key = matching.map((f) => f.id).join(',');
      const group = groups.get(key) ?? { items: [], faults: matching.map(toFault) };
      group.items.push(item);
      groups.set(key, group);
    }
    return [...groups.values()];
  }

  /** The faults with calls left for an invocation of `workflow` over these message bodies, oldest first. */
  faultsFor(workflow: string, bodies: readonly string[]): DynamoDbFault[] {
    return this.matching(workflow, bodies).map(toFault);
  }

  private matching(workflow: string, bodies: readonly string[]): Armed[] {
    return this.faults.filter(
      (f) =>
        f.workflow === workflow &&
        Atomics.load(f.calls, REMAINING) > 0 &&
        (f.bodyContains === undefined || bodies.some((b) => b.includes(f.bodyContains!))),
    );
  }
}

function toFault(f: Armed): DynamoDbFault {
  return { table: f.table, kind: f.kind, ...(f.operations && { operations: f.operations }), calls: f.calls };
}

function describe({ calls, ...armed }: Armed): ArmedDynamoDbFault {
  return { ...armed, remaining: Atomics.load(calls, REMAINING), fired: Atomics.load(calls, FIRED) };
}

function parseDynamoDbFaultRequest(request: unknown): DynamoDbFaultRequest {
  const r = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  const workflows = WORKFLOWS.map((w) => w.name as string);
  const oneOf = (list: readonly string[], value: unknown) =>
    typeof value === 'string' && list.includes(value);
  if (!oneOf(workflows, r.workflow)) throw new Error(`workflow must be one of ${workflows.join(', ')}`);
  if (!oneOf(DYNAMODB_FAULT_TABLES, r.table))
    throw new Error(`table must be one of ${DYNAMODB_FAULT_TABLES.join(', ')}`);
  if (!oneOf(DYNAMODB_FAULT_KINDS, r.kind))
    throw new Error(`kind must be one of ${DYNAMODB_FAULT_KINDS.join(', ')}`);
  if (r.times !== undefined && !(Number.isInteger(r.times) && (r.times as number) >= 1))
    throw new Error('times must be a whole number of at least 1');
  if (r.bodyContains !== undefined && (typeof r.bodyContains !== 'string' || r.bodyContains === ''))
    throw new Error('bodyContains must be a non-empty string');
  if (
    r.operations !== undefined &&
    !(
      Array.isArray(r.operations) &&
      r.operations.length > 0 &&
      r.operations.every((o) => oneOf(DYNAMODB_OPERATIONS, o))
    )
  )
    throw new Error(`operations must be a non-empty list of ${DYNAMODB_OPERATIONS.join(', ')}`);
  return r as unknown as DynamoDbFaultRequest;
}
