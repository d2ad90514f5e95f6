/**
 * A record handler made idempotent with Powertools (`makeIdempotent` + `DynamoDBPersistenceLayer` on the
 * Idempotency table): the key is taken from the canonical event by `eventKeyJmesPath` (a vendor business id,
 * never the SQS message id), `payloadValidationJmesPath` refuses the same key with another payload, and the
 * Lambda context is registered so an in-progress record expires with the invocation that wrote it.
 *
 * A second call with a completed key returns the stored result without running the handler. Powertools'
 * errors become the runner's failures (decision 0004): payload mismatch and a missing key are permanent,
 * an in-progress key or an unreachable store are retryable. The handler's own errors pass through unchanged
 * (Powertools deletes the in-progress record first, so the retry runs it again).
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyKeyError,
  IdempotencyUnknownError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { PermanentFailure, RetryableFailure } from '../errors';

export const IdempotencyFailure = {
  payloadMismatch: 'IDEMPOTENCY_PAYLOAD_MISMATCH',
  inProgress: 'IDEMPOTENCY_IN_PROGRESS',
  keyMissing: 'IDEMPOTENCY_KEY_MISSING',
  storeUnavailable: 'IDEMPOTENCY_STORE_UNAVAILABLE',
} as const;

export interface IdempotencyOptions {
  /** Prefix of every stored key (e.g. `shift-bids.intake`), so keys survive renamed functions and versions. */
  readonly name: string;
  /** JMESPath to the business key in the canonical event, e.g. `eventId`. */
  readonly eventKeyJmesPath: string;
  /** JMESPath to what must not change under one key, e.g. `[eventType, summary]`. */
  readonly payloadValidationJmesPath: string;
  /** How long a completed result is kept and replayed (default one day). */
  readonly expiresAfterSeconds?: number;
}

export interface IdempotencyStore {
  readonly tableName: string;
  readonly client: DynamoDBClient;
}

export type RecordHandler<E, R> = (event: E, context?: Context) => Promise<R>;

export function idempotentRecordHandler<E extends object, R>(
  handle: (event: E) => Promise<R>,
  options: IdempotencyOptions,
  store: IdempotencyStore,
): RecordHandler<E, R> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.eventKeyJmesPath,
    payloadValidationJmesPath: options.payloadValidationJmesPath,
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds ?? 86_400,
  });
  // One persistence layer per config (it keeps the config it was first given).
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: store.tableName,
    awsSdkV3Client: store.client,
  });
  const idempotent = makeIdempotent(handle, { persistenceStore, config, keyPrefix: options.name });

  return async (event, context) => {
    if (context) config.registerLambdaContext(context);
    try {
      return await idempotent(event);
    } catch (err) {
      throw toWorkflowFailure(err, options, event);
    }
  };
}

function toWorkflowFailure(err: unknown, options: IdempotencyOptions, event: object): unknown {
  if (!(err instanceof IdempotencyUnknownError)) return err;
  const key = `${options.name} key ${keyLabel(options.eventKeyJmesPath, event)}`;
  if (err instanceof IdempotencyValidationError)
    return new PermanentFailure(
      IdempotencyFailure.payloadMismatch,
      `${key} was first processed with a different payload (${options.payloadValidationJmesPath}); this one is refused`,
    );
  if (err instanceof IdempotencyAlreadyInProgressError)
    return new RetryableFailure(
      IdempotencyFailure.inProgress,
      `${key} is being processed by another invocation; retry once it completes or its invocation times out`,
    );
  if (err instanceof IdempotencyKeyError || err.cause instanceof IdempotencyKeyError)
    return new PermanentFailure(
      IdempotencyFailure.keyMissing,
      `The event has no idempotency key at ${options.eventKeyJmesPath} (${options.name})`,
    );
  const cause = err.cause instanceof Error ? `: ${err.cause.name}: ${err.cause.message}` : '';
  return new RetryableFailure(IdempotencyFailure.storeUnavailable, `${key}: ${err.message}${cause}`);
}

/** The key's value for messages when the path is a plain dotted one (the usual case); else the path itself. */
function keyLabel(path: string, event: object): string {
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(path)) return path;
  const value = path
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event);
  return JSON.stringify(value ?? null);
}
