/**
 * A test-only seam: the local runtime's DynamoDB fault switch (docs/local-runtime.md, "DynamoDB faults") adds
 * its middleware to a workflow function's DynamoDB client here, once, when the client is made.
 *
 * Nothing in the deployed code installs a hook: only local/function-worker.cjs sets the process-wide
 * `DYNAMODB_CLIENT_HOOK` symbol (test/unit/local/dynamodb-faults.test.ts holds that), and the
 * middleware itself lives in local/. Without a hook this is a property lookup at cold start, and no call pays.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type DynamoDbClientHook = (client: DynamoDBClient) => void;

/** `Symbol.for`, so the worker script (plain CommonJS, outside the bundle) reaches the same slot. */
export const DYNAMODB_CLIENT_HOOK = Symbol.for('wfm-bridge.local.dynamodb-client-hook');

export function offeredToLocalHook<C extends DynamoDBClient>(client: C): C {
  (globalThis as { [DYNAMODB_CLIENT_HOOK]?: DynamoDbClientHook })[DYNAMODB_CLIENT_HOOK]?.(client);
  return client;
}
