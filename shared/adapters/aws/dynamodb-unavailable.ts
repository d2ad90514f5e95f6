/**
 * A DynamoDB call the SDK gave up on after its own retries, because the table throttled it, it timed out or
 * DynamoDB failed (5xx), becomes a `RetryableFailure` that names the operation and the table: SQS redelivers
 * the record, and on its last receive the runner dead-letters it as DYNAMODB_UNAVAILABLE with that detail,
 * instead of RETRIES_EXHAUSTED with the SDK's bare message ("the request socket timed out", no table named).
 *
 * Only those errors: every answer a store reads as one (a failed condition, a cancelled transaction) passes
 * through unchanged.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { RetryableFailure } from '../../errors';

export const DYNAMODB_UNAVAILABLE = 'DYNAMODB_UNAVAILABLE';

/** The SDK's own throttling and timeout error names (@smithy/service-error-classification) DynamoDB raises. */
const THROTTLES = ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'];
const TIMEOUTS = ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'];
const SOCKET_ERRORS = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'];

type SdkError = Error & {
  code?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; attempts?: number };
};

export function isDynamoDbUnavailable(err: unknown): err is SdkError {
  if (!(err instanceof Error)) return false;
  const e = err as SdkError;
  return (
    THROTTLES.includes(e.name) ||
    e.$retryable?.throttling === true ||
    TIMEOUTS.includes(e.name) ||
    SOCKET_ERRORS.includes(e.code ?? '') ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** The tables a DynamoDB call touches, from its (marshalled) input. */
export function tablesOf(input: unknown): string[] {
  const i = (input ?? {}) as {
    TableName?: unknown;
    TransactItems?: Record<string, { TableName?: unknown } | undefined>[];
    RequestItems?: Record<string, unknown>;
  };
  if (typeof i.TableName === 'string') return [i.TableName];
  if (Array.isArray(i.TransactItems))
    return [
      ...new Set(
        i.TransactItems.flatMap((item) =>
          Object.values(item).flatMap((op) => (typeof op?.TableName === 'string' ? [op.TableName] : [])),
        ),
      ),
    ];
  if (i.RequestItems && typeof i.RequestItems === 'object') return Object.keys(i.RequestItems);
  return [];
}

const namingUnavailable: InitializeMiddleware<object, object> = (next, context) => async (args) => {
  try {
    return await next(args);
  } catch (err) {
    if (!isDynamoDbUnavailable(err)) throw err;
    const operation = (context.commandName ?? 'call').replace(/Command$/, '');
    const attempts = err.$metadata?.attempts;
    throw new RetryableFailure(
      DYNAMODB_UNAVAILABLE,
      `DynamoDB ${operation} on ${tablesOf(args.input).join(', ') || 'its table'} failed` +
        `${attempts ? ` after ${attempts} attempts` : ''}: ${err.name}: ${err.message}`,
    );
  }
};

/** Adds the naming to a client (every command sent through it, the document client's included). */
export function namingUnavailableTables<C extends DynamoDBClient>(client: C): C {
  client.middlewareStack.add(namingUnavailable as never, {
    name: 'namingUnavailableDynamoDbTables',
    step: 'initialize',
    priority: 'high',
    override: true,
  });
  return client;
}
