import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Lease, LockManager } from '../../ports/platform';
import type { Clock } from '../../ports/clock';

/**
 * Lease locks in the State table (`pk = LOCK#<key>`, `sk = LOCK`). Acquiring succeeds when no item exists or
 * the existing lease has expired, so a dead worker's lock frees itself after its TTL (DynamoDB's own TTL
 * deletion is too slow to rely on; `leaseUntil` is checked in the condition). Release deletes only our lease.
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
    const now = this.clock.now();
    const leaseUntil = now + ttlSeconds * 1000;
    const itemKey = { pk: `LOCK#${key}`, sk: 'LOCK' };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...itemKey, owner, leaseUntil, expiresAt: Math.ceil(leaseUntil / 1000) + 3600 },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
    return {
      key,
      owner,
      release: async () => {
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
