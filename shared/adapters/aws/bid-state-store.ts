/**
 * shift-bids state in the State table: `pk = BID#<requestId>`, `sk = STATE`, one item per CXone request, and
 * `pk = BIDAWARD#<shiftId>#<date>`, `sk = AWARD` naming the request CXone approved for a shift on a date.
 * Event-time order is a condition on `lastEventMs` (numeric, so offsets never mislead a string compare);
 * every transition is a condition on the state the writer read.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  assertTransition,
  BidStateConflict,
  newBidRecord,
  type AdmitOutcome,
  type BidChanges,
  type BidRecord,
  type BidStateStore,
} from '../../domain/shift-bids/bid-state';
import type { CanonicalBid } from '../../domain/shift-bids/canonical-bid';
import type { BidState } from '../../domain/shift-bids/lifecycle';
import { conditionalWrite } from './conditional-write';
import { STATE_KEY } from '../../tables';

/** Kept well past any bidding window and its audit questions: a year. */
const RETENTION_SECONDS = 366 * 86_400;

const keyOf = (requestId: string) => ({ pk: `${STATE_KEY.bid}${requestId}`, sk: 'STATE' });
const awardKeyOf = (shiftId: string, date: string) => ({
  pk: `${STATE_KEY.bidAward}${shiftId}#${date}`,
  sk: 'AWARD',
});
const expiresAt = (at: string) => Math.floor(Date.parse(at) / 1000) + RETENTION_SECONDS;

function eventMs(timestamp: string): number {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new RangeError(`cannot order events by "${timestamp}"`);
  return ms;
}

function toRecord(item: Record<string, unknown>): BidRecord {
  const { pk: _pk, sk: _sk, lastEventMs: _ms, expiresAt: _exp, ...record } = item;
  return record as unknown as BidRecord;
}

export class DynamoDbBidStateStore implements BidStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(requestId: string): Promise<BidRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(requestId), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async admit(bid: CanonicalBid, at: string): Promise<AdmitOutcome> {
    const ms = eventMs(bid.cxoneEventTimestamp);
    const record = newBidRecord(bid, at);
    const isNew = await conditionalWrite(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(bid.cxoneRequestId), ...record, lastEventMs: ms, expiresAt: expiresAt(at) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (isNew) return { kind: 'new', record };
    const sets = ['lastEventAt = :at', 'lastEventMs = :ms', 'updatedAt = :now'];
    const values: Record<string, unknown> = { ':at': bid.cxoneEventTimestamp, ':ms': ms, ':now': at };
    if (bid.cxoneStatus !== null) {
      sets.push('cxoneStatus = :status');
      values[':status'] = bid.cxoneStatus;
    }
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(bid.cxoneRequestId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND lastEventMs <= :ms',
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'admitted', record: toRecord(Attributes!) };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const current = await this.get(bid.cxoneRequestId);
      if (!current) throw err;
      return { kind: 'stale', record: current };
    }
  }

  async transition(
    requestId: string,
    from: BidState,
    to: BidState,
    changes: BidChanges,
    at: string,
  ): Promise<BidRecord> {
    assertTransition(requestId, from, to);
    const fields: Record<string, unknown> = { ...changes, status: to, updatedAt: at };
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    const names = Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k]));
    const values = Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v]));
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(requestId),
          UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}, expiresAt = :exp`,
          ConditionExpression: '#current = :from',
          ExpressionAttributeNames: { ...names, '#current': 'status' },
          ExpressionAttributeValues: { ...values, ':from': from, ':exp': expiresAt(at) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(Attributes!);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new BidStateConflict(requestId, from);
      throw err;
    }
  }

  async recordAward(shiftId: string, date: string, requestId: string, at: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...awardKeyOf(shiftId, date), requestId, awardedAt: at, expiresAt: expiresAt(at) },
      }),
    );
  }

  async awardOf(shiftId: string, date: string): Promise<string | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: awardKeyOf(shiftId, date), ConsistentRead: true }),
    );
    return typeof Item?.requestId === 'string' ? Item.requestId : undefined;
  }
}
