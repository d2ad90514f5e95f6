/**
 * Inside a function instance (local/function-worker.cjs loads this, bundled): the DynamoDB fault switch's
 * middleware (local/dynamodb-fault-switch.ts). It sits in the SDK's deserialize step, below the retry
 * middleware, so each attempt meets the fault on its own and the SDK's retry strategy judges it as it would a
 * real one:
 *
 * - `throttle`: DynamoDB's answer to a throttled request (HTTP 400, `ProvisionedThroughputExceededException`),
 *   deserialized by the SDK itself; nothing reaches the table.
 * - `timeout`: the error the SDK's HTTP handler raises when the socket times out (`TimeoutError`), before the
 *   request is sent; nothing reaches the table.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DeserializeHandlerOutput, DeserializeMiddleware } from '@smithy/types';
import { tablesOf } from '../shared/adapters/aws/dynamodb-unavailable';
import { takeOneCall, type DynamoDbFault, type DynamoDbFaultTable } from './dynamodb-fault-switch';

export interface DynamoDbFaultInjector {
  /** Adds the fault middleware to a client (the hook shared/runtime/dynamodb-client-hook.ts offers). */
  attach(client: DynamoDBClient): void;
  /** The faults of the invocation about to run (none once it ends). */
  arm(faults: readonly DynamoDbFault[] | undefined): void;
}

/** The middleware's name in a client's stack. */
export const DYNAMODB_FAULT_MIDDLEWARE = 'localDynamoDbFaultSwitch';

export const THROTTLE_MESSAGE =
  'The level of configured provisioned throughput for the table was exceeded. ' +
  'Consider increasing your provisioning level with the UpdateTable API.';

export function createDynamoDbFaultInjector(
  tableNames: Readonly<Record<DynamoDbFaultTable, string | undefined>>,
): DynamoDbFaultInjector {
  let armed: readonly DynamoDbFault[] = [];

  const middleware: DeserializeMiddleware<object, object> = (next, context) => async (args) => {
    if (armed.length === 0) return next(args);
    const operation = (context.commandName ?? '').replace(/Command$/, '');
    const tables = tablesOf(args.input);
    const fault = armed.find(
      (f) =>
        tableNames[f.table] !== undefined &&
        tables.includes(tableNames[f.table]!) &&
        (f.operations === undefined || (f.operations as readonly string[]).includes(operation)) &&
        takeOneCall(f.calls),
    );
    if (!fault) return next(args);
    if (fault.kind === 'timeout') throw socketTimeout();
    return throttledAnswer() as DeserializeHandlerOutput<object>;
  };

  return {
    attach(client) {
      // Low in the deserialize step: inside the deserializer (which reads the answer given here) and below
      // the retry middleware (finalizeRequest), as the HTTP handler is.
      client.middlewareStack.add(middleware as never, {
        name: DYNAMODB_FAULT_MIDDLEWARE,
        step: 'deserialize',
        priority: 'low',
        override: true,
      });
    },
    arm(faults) {
      armed = faults ?? [];
    },
  };
}

/** DynamoDB's answer to a throttled request, as its JSON 1.0 protocol sends it. */
function throttledAnswer() {
  return {
    response: {
      statusCode: 400,
      reason: 'Bad Request',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
      },
      body: Buffer.from(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: THROTTLE_MESSAGE,
        }),
      ),
    },
  };
}

/** What @smithy/node-http-handler raises when a request's socket times out. */
function socketTimeout(): Error {
  return Object.assign(
    new Error(
      '@smithy/node-http-handler - the request socket timed out (injected by the local DynamoDB fault switch).',
    ),
    { name: 'TimeoutError' },
  );
}
