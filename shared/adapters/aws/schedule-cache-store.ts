/**
 * The shared schedule cache in the State table: one item per site and local date (`pk = SCHEDULE#<siteId>`,
 * `sk = DATE#<date>`) holding the day's published shifts, when they were read (`readAt`), the last
 * invalidation (`invalidatedAt`), and the table's TTL (`expiresAt`, seconds). A store of a read is conditional
 * on no invalidation at or after it, and an invalidation never moves the mark back, so every instance sees
 * the same answer. A day too large for one item (`fitsScheduleCache`) is stored without its shifts.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CxoneShift } from '../../domain/shift-bids/ports';
import type { CachedScheduleDay, ScheduleCacheStore } from '../../domain/shift-bids/schedule-cache';
import { conditionalWrite } from './conditional-write';
import { STATE_KEY } from '../../tables';

const key = (siteId: string, date: string) => ({
  pk: `${STATE_KEY.scheduleCache}${siteId}`,
  sk: `DATE#${date}`,
});
const ttl = (ms: number) => Math.ceil(ms / 1000);

/**
 * DynamoDB refuses an item over 400 KB, and a cache must not fail the bid it serves. A large site's day (about
 * 1,500 shifts and more) is therefore stored without its shifts: the write's condition still says whether an
 * invalidation overtook the read, and the day is never fresh, so its reads go to CXone, as with no cache. Shifts
 * are measured as JSON, which counts more bytes than DynamoDB does for these string-valued maps.
 */
export const SCHEDULE_DAY_MAX_BYTES = 300_000;
export const fitsScheduleCache = (shifts: readonly CxoneShift[]): boolean =>
  Buffer.byteLength(JSON.stringify(shifts)) <= SCHEDULE_DAY_MAX_BYTES;

export class DynamoDbScheduleCacheStore implements ScheduleCacheStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(siteId: string, date: string): Promise<CachedScheduleDay | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key(siteId, date), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      shifts: (Item.shifts as CxoneShift[] | undefined) ?? null,
      readAt: (Item.readAt as number | undefined) ?? null,
      invalidatedAt: (Item.invalidatedAt as number | undefined) ?? null,
    };
  }

  write(
    siteId: string,
    date: string,
    shifts: readonly CxoneShift[],
    readAt: number,
    expiresAt: number,
  ): Promise<boolean> {
    const cacheable = fitsScheduleCache(shifts);
    return conditionalWrite(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(siteId, date),
          UpdateExpression: cacheable
            ? 'SET shifts = :shifts, readAt = :readAt, expiresAt = :expiresAt'
            : 'SET readAt = :readAt, expiresAt = :expiresAt REMOVE shifts',
          ConditionExpression: 'attribute_not_exists(invalidatedAt) OR invalidatedAt < :readAt',
          ExpressionAttributeValues: {
            ':readAt': readAt,
            ':expiresAt': ttl(expiresAt),
            ...(cacheable && { ':shifts': shifts }),
          },
        }),
      ),
    );
  }

  async invalidate(siteId: string, date: string, at: number, expiresAt: number): Promise<void> {
    await conditionalWrite(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(siteId, date),
          UpdateExpression: 'SET invalidatedAt = :at, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(invalidatedAt) OR invalidatedAt < :at',
          ExpressionAttributeValues: { ':at': at, ':expiresAt': ttl(expiresAt) },
        }),
      ),
    );
  }
}
