/**
 * shift-overrides state in the State table:
 * - `pk = TIMEOFF#<requestId>`, `sk = REQUEST`: the latest admitted event (time and type). A cancellation
 *   admitted first is the tombstone that makes a late approval stale.
 * - `pk = TIMEOFF#<requestId>`, `sk = SHIFT#<shiftId>`: the override lifecycle for one shift.
 * Every write is conditional, so two workers can never both move a record from the same state.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './conditional-write';
import type { Lease } from '../../ports/platform';
import { writeUnderLease } from './dynamodb-lock';
import {
  OverrideStateConflict,
  type OverrideRecord,
  type OverrideState,
  type OverrideStateStore,
} from '../../domain/shift-overrides/ports';
import { STATE_KEY } from '../../tables';

/** Kept for the scheduling horizon and then some: a year. */
const RETENTION_SECONDS = 366 * 86_400;

export class DynamoDbOverrideStateStore implements OverrideStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async admitEvent(
    requestId: string,
    eventType: string,
    eventTime: string,
    userId: string,
    lease?: Lease,
  ): Promise<boolean> {
    const t = Date.parse(eventTime);
    const update = {
      TableName: this.tableName,
      Key: { pk: `${STATE_KEY.timeOff}${requestId}`, sk: 'REQUEST' },
      UpdateExpression: 'SET lastEventTime = :t, lastEventType = :type, userId = :user, expiresAt = :exp',
      ConditionExpression:
        'attribute_not_exists(pk) OR lastEventTime < :t OR (lastEventTime = :t AND lastEventType = :type)',
      ExpressionAttributeValues: {
        ':t': t,
        ':type': eventType,
        ':user': userId,
        // Kept a year from when it was applied (a replayed old event must still find its tombstone).
        ':exp': Math.floor(Math.max(t, Date.now()) / 1000) + RETENTION_SECONDS,
      },
    };
    if (lease) return writeUnderLease(this.doc, this.tableName, lease, { Update: update });
    return conditionalWrite(this.doc.send(new UpdateCommand(update)));
  }

  async records(requestId: string): Promise<OverrideRecord[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shift)',
        ExpressionAttributeValues: { ':pk': `${STATE_KEY.timeOff}${requestId}`, ':shift': 'SHIFT#' },
        ConsistentRead: true,
      }),
    );
    // The record as saved, without the table's keys and expiry.
    return (res.Items ?? []).map(
      ({ pk: _pk, sk: _sk, expiresAt: _expiresAt, ...record }) => record as OverrideRecord,
    );
  }

  async save(record: OverrideRecord, expected: OverrideState | 'NONE', lease?: Lease): Promise<void> {
    const put = {
      TableName: this.tableName,
      Item: {
        pk: `${STATE_KEY.timeOff}${record.requestId}`,
        sk: `SHIFT#${record.shiftId}`,
        ...record,
        expiresAt: Math.floor(Date.parse(record.updatedAt) / 1000) + RETENTION_SECONDS,
      },
      ConditionExpression: expected === 'NONE' ? 'attribute_not_exists(pk)' : '#state = :expected',
      ...(expected === 'NONE'
        ? {}
        : {
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':expected': expected },
          }),
    };
    let written: boolean;
    if (lease) written = await writeUnderLease(this.doc, this.tableName, lease, { Put: put });
    else {
      try {
        await this.doc.send(new PutCommand(put));
        written = true;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        written = false;
      }
    }
    if (!written) throw new OverrideStateConflict(record.requestId, record.shiftId, expected);
  }
}
