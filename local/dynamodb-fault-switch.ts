/**
 * Test-only: makes a workflow function's DynamoDB calls on the State or Idempotency table fail, as a throttle
 * or a request timeout, so tests can show that records retry and land once, or dead-letter with the reason
 * (issue 14, docs/local-runtime.md "DynamoDB faults"). Armed through the local gateway
 * (`POST /_local/faults/dynamodb`); nothing in the deployed stack has it.
 *
 * It travels as the crash switch does (local/crash-switch.ts): the poller reserves an armed fault for an
 * invocation whose batch matches, the function host posts it to the instance with the event, and
 * local/dynamodb-fault-injector.ts, loaded by local/function-worker.cjs, fails the matching calls below the
 * SDK's retry middleware (each attempt counts once), reporting each one back.
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

/** What an instance is told to fail during one invocation (posted to its worker thread). */
export interface DynamoDbFault {
  readonly table: DynamoDbFaultTable;
  readonly kind: DynamoDbFaultKind;
  readonly operations?: readonly DynamoDbOperation[];
  /** Calls to fail at most in this invocation. */
  readonly times: number;
}

export interface ArmedDynamoDbFault {
  readonly id: number;
  readonly workflow: string;
  readonly table: DynamoDbFaultTable;
  readonly kind: DynamoDbFaultKind;
  readonly operations?: readonly DynamoDbOperation[];
  readonly bodyContains?: string;
  /** Calls still to fail. */
  remaining: number;
  /** Calls failed so far. */
  fired: number;
}

/** A fault handed to one invocation: `fired` for each call it failed, `release` when the invocation ends. */
export interface ReservedDynamoDbFault {
  readonly fault: DynamoDbFault;
  fired(): void;
  release(): void;
}

export class DynamoDbFaultSwitch {
  private readonly faults: ArmedDynamoDbFault[] = [];
  /** Faults held by a running invocation: one invocation at a time spends a fault's calls, in order. */
  private readonly reserved = new Set<number>();
  private nextId = 1;

  arm(request: unknown): ArmedDynamoDbFault {
    const r = parseDynamoDbFaultRequest(request);
    const armed: ArmedDynamoDbFault = {
      id: this.nextId++,
      workflow: r.workflow,
      table: r.table,
      kind: r.kind,
      ...(r.operations !== undefined && { operations: [...r.operations] }),
      ...(r.bodyContains !== undefined && { bodyContains: r.bodyContains }),
      remaining: r.times ?? 1,
      fired: 0,
    };
    this.faults.push(armed);
    return armed;
  }

  list(): readonly ArmedDynamoDbFault[] {
    return this.faults;
  }

  disarmAll(): void {
    this.faults.splice(0);
  }

  /** The fault, if one is armed and free, for an invocation of `workflow` over these message bodies. */
  reserve(workflow: string, bodies: readonly string[]): ReservedDynamoDbFault | undefined {
    const armed = this.faults.find(
      (f) =>
        f.workflow === workflow &&
        f.remaining > 0 &&
        !this.reserved.has(f.id) &&
        (f.bodyContains === undefined || bodies.some((b) => b.includes(f.bodyContains!))),
    );
    if (!armed) return undefined;
    this.reserved.add(armed.id);
    return {
      fault: {
        table: armed.table,
        kind: armed.kind,
        ...(armed.operations && { operations: armed.operations }),
        times: armed.remaining,
      },
      fired: () => {
        armed.remaining = Math.max(0, armed.remaining - 1);
        armed.fired += 1;
      },
      release: () => this.reserved.delete(armed.id),
    };
  }
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
