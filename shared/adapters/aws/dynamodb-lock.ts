import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { RetryableFailure } from '../../errors';
import type { Lease, LockManager } from '../../ports/platform';
import type { Clock } from '../../ports/clock';
import { startHeartbeat } from './lease-heartbeat';
import { STATE_KEY } from '../../tables';

const lockItemKey = (key: string) => ({ pk: `${STATE_KEY.lock}${key}`, sk: 'LOCK' });

/**
 * Lease locks in the State table (`pk = LOCK#<key>`, `sk = LOCK`). Acquiring succeeds when no item exists or
 * the existing lease has expired, so a dead worker's lock frees itself after its TTL (DynamoDB's own TTL
 * deletion is too slow to rely on; `leaseUntil` is checked in the condition). While held, a heartbeat extends
 * `leaseUntil` (conditional on the owner) so work longer than the TTL keeps the key; release stops it and
 * deletes only our lease.
 *
 * Renewal rather than a lease sized to the invocation: a dead worker's key frees after one short TTL instead of
 * the rest of a 60 s invocation, and it does not rely on the platform killing the worker at its timeout (the
 * local runtime's workers are not killed). A worker that stalls past its TTL (a frozen or starved process) is
 * fenced: `writeUnderLease` makes each state write conditional on the lock item still naming its owner.
 */
export class DynamoDbLockManager implements LockManager {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly ownerPrefix = randomUUID(),
  ) {}

  async tryAcquire(key: string, ttlSeconds: number): Promise<Lease | undefined> {
    const owner = `${this.ownerPrefix}:${randomUUID()}`;
    const itemKey = lockItemKey(key);
    const leaseItem = (now: number) => {
      const leaseUntil = now + ttlSeconds * 1000;
      return { leaseUntil, expiresAt: Math.ceil(leaseUntil / 1000) + 3600 };
    };
    const now = this.clock.now();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...itemKey, owner, ...leaseItem(now) },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
    const heartbeat = startHeartbeat(this.clock, ttlSeconds, async () => {
      const { leaseUntil, expiresAt } = leaseItem(this.clock.now());
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: itemKey,
            UpdateExpression: 'SET leaseUntil = :until, expiresAt = :exp',
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':until': leaseUntil, ':exp': expiresAt, ':owner': owner },
          }),
        );
        return 'renewed';
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return 'lost';
        throw err;
      }
    });
    return {
      key,
      owner,
      release: async () => {
        heartbeat.stop();
        try {
          await this.doc.send(
            new DeleteCommand({
              TableName: this.tableName,
              Key: itemKey,
              ConditionExpression: '#owner = :owner',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':owner': owner },
            }),
          );
        } catch (err) {
          // Our lease expired and someone else holds the key now: nothing of ours to release.
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      },
    };
  }
}

/** Thrown by a fenced write whose lease another worker has taken: the work is someone else's now. */
export const leaseLost = (lease: Lease) =>
  new RetryableFailure('LOCK_HELD', `The lease on ${lease.key} expired and another worker holds it now`);

type StateWrite = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Writes one state item only while `lease` holds its key: a transaction of the write with a ConditionCheck that
 * the lock item still names the lease's owner (its fencing token). Resolves `false` when the write's own
 * condition failed (as a plain conditional write would); throws `leaseLost` when the lease is gone.
 */
export async function writeUnderLease(
  doc: DynamoDBDocumentClient,
  tableName: string,
  lease: Lease,
  write: StateWrite,
): Promise<boolean> {
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tableName,
              Key: lockItemKey(lease.key),
              ConditionExpression: '#owner = :owner',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':owner': lease.owner },
            },
          },
          write,
        ],
      }),
    );
    return true;
  } catch (err) {
    if (!(err instanceof TransactionCanceledException)) throw err;
    const [lock, own] = err.CancellationReasons ?? [];
    if (lock?.Code === 'ConditionalCheckFailed') throw leaseLost(lease);
    if (own?.Code === 'ConditionalCheckFailed') return false;
    throw err; // a transaction conflict or throttle: retryable as any other error
  }
}
