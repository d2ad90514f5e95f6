/**
 * reward-triggers state in the State table, one partition per agent (`pk = REWARDS#<agentId>`):
 * - `sk = LEDGER#<position, 10 digits>`: one ledger entry, written once (`attribute_not_exists`), never updated;
 * - `sk = ROW#<date>`: the booking kept for the agent's export row of that date, with its revision;
 * - `sk = LOCK`: the point lock (LOCKED_FOR_REDEMPTION) with its transaction id, request and progress.
 * A row booking and its entries, or a redemption and the lock's release, go in one TransactWriteItems, so a
 * crash between them cannot book a row twice or leave a settled reward locked. Nothing here expires: balances
 * are derived from every entry, and a forgotten booking would let a re-read row book again.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoff } from '../../http/retry-policy';
import { conditionalWrite } from './conditional-write';
import type { RedemptionLock } from '../../domain/reward-triggers/evaluate';
import type { LedgerEntry } from '../../domain/reward-triggers/ledger';
import type { RowBooking } from '../../domain/reward-triggers/points';
import type {
  HeldLock,
  IssueProgress,
  LedgerWrite,
  RewardLedgerStore,
  RowBookingWrite,
  StoredRowBooking,
} from '../../domain/reward-triggers/ports';
import { MAX_ITEMS_PER_BOOKING_WRITE } from '../../domain/reward-triggers/ports';
import { STATE_KEY } from '../../tables';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

export const rewardAgentKey = (agentId: string) => `${STATE_KEY.rewards}${agentId}`;
const LEDGER_PREFIX = 'LEDGER#';
export const ledgerSortKey = (position: number) => `${LEDGER_PREFIX}${String(position).padStart(10, '0')}`;
const rowSortKey = (date: string) => `ROW#${date}`;
const LOCK_SK = 'LOCK';

/** BatchGetItem's own limit. */
const BATCH_GET_MAX_KEYS = 100;
/** Rounds of UnprocessedKeys (throttling, the 16 MB answer limit) before the read gives up. */
const BATCH_GET_ROUNDS = 8;
const BATCH_GET_BACKOFF = { baseDelayMs: 50, maxDelayMs: 2_000, random: Math.random };

/** DynamoDB stores no `undefined`; the ports' optional fields are left out instead. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class DynamoDbRewardLedgerStore implements RewardLedgerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async entries(agentId: string): Promise<readonly LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
        ExpressionAttributeValues: { ':pk': rewardAgentKey(agentId), ':ledger': LEDGER_PREFIX },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) entries.push(item.entry as LedgerEntry);
    return entries;
  }

  async headPosition(agentId: string): Promise<number> {
    // Positions are zero-padded in the sort key, so the last key in order is the highest position.
    const { Items } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
        ExpressionAttributeValues: { ':pk': rewardAgentKey(agentId), ':ledger': LEDGER_PREFIX },
        ProjectionExpression: 'sk',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const sk = Items?.[0]?.sk as string | undefined;
    return sk ? Number(sk.slice(LEDGER_PREFIX.length)) : 0;
  }

  async rowBooking(agentId: string, date: string): Promise<StoredRowBooking | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: rewardAgentKey(agentId), sk: rowSortKey(date) },
        ConsistentRead: true,
      }),
    );
    return Item ? { booking: Item.booking as RowBooking, revision: Item.revision as number } : undefined;
  }

  async rowBookings(
    rows: readonly { readonly agentId: string; readonly date: string }[],
  ): Promise<readonly (StoredRowBooking | undefined)[]> {
    if (rows.length > BATCH_GET_MAX_KEYS)
      throw new RangeError(`rowBookings takes at most ${BATCH_GET_MAX_KEYS} rows, got ${rows.length}`);
    const found = new Map<string, StoredRowBooking>();
    let keys: Record<string, unknown>[] = rows.map(({ agentId, date }) => ({
      pk: rewardAgentKey(agentId),
      sk: rowSortKey(date),
    }));
    for (let round = 1; keys.length; round++) {
      if (round > BATCH_GET_ROUNDS)
        throw new Error(
          `row bookings: ${keys.length} keys still unprocessed after ${BATCH_GET_ROUNDS} rounds`,
        );
      if (round > 1) await sleep(backoff(round - 1, BATCH_GET_BACKOFF));
      const { Responses, UnprocessedKeys } = await this.doc.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
        }),
      );
      for (const item of Responses?.[this.tableName] ?? []) {
        found.set(`${item.pk as string}|${item.sk as string}`, {
          booking: item.booking as RowBooking,
          revision: item.revision as number,
        });
      }
      keys = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return rows.map(({ agentId, date }) => found.get(`${rewardAgentKey(agentId)}|${rowSortKey(date)}`));
  }

  async append(
    entries: readonly LedgerEntry[],
    options: { readonly releasing?: { readonly agentId: string; readonly transactionId: string } } = {},
  ): Promise<LedgerWrite> {
    const items = entries.map((e) => this.putEntry(e));
    if (options.releasing) {
      items.push({
        Delete: {
          TableName: this.tableName,
          Key: { pk: rewardAgentKey(options.releasing.agentId), sk: LOCK_SK },
          ConditionExpression: 'transactionId = :tx',
          ExpressionAttributeValues: { ':tx': options.releasing.transactionId },
        },
      });
    }
    return this.transact(items);
  }

  async book(
    booking: RowBooking,
    previous: StoredRowBooking | undefined,
    entries: readonly LedgerEntry[],
  ): Promise<LedgerWrite> {
    return this.bookAll([{ booking, previous, entries }]);
  }

  async bookAll(rows: readonly RowBookingWrite[]): Promise<LedgerWrite> {
    const items = rows.flatMap(({ booking, previous, entries }) => [
      this.putBooking(booking, previous),
      ...entries.map((e) => this.putEntry(e)),
    ]);
    if (items.length > MAX_ITEMS_PER_BOOKING_WRITE)
      throw new RangeError(
        `bookAll writes at most ${MAX_ITEMS_PER_BOOKING_WRITE} items in one transaction, got ${items.length}`,
      );
    return this.transact(items);
  }

  private putBooking(booking: RowBooking, previous: StoredRowBooking | undefined): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          pk: rewardAgentKey(booking.agentId),
          sk: rowSortKey(booking.date),
          booking: plain(booking),
          revision: (previous?.revision ?? 0) + 1,
        },
        ConditionExpression: previous ? 'revision = :previous' : 'attribute_not_exists(pk)',
        ...(previous ? { ExpressionAttributeValues: { ':previous': previous.revision } } : {}),
      },
    };
  }

  async heldLock(agentId: string): Promise<HeldLock | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: rewardAgentKey(agentId), sk: LOCK_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? { lock: Item.lock as RedemptionLock, progress: Item.progress as IssueProgress } : undefined;
  }

  async takeLock(lock: RedemptionLock): Promise<boolean> {
    const written = await this.transact([
      {
        Put: {
          TableName: this.tableName,
          Item: {
            pk: rewardAgentKey(lock.agentId),
            sk: LOCK_SK,
            transactionId: lock.transactionId,
            lock: plain(lock),
            progress: { attempts: 0 },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        // The ledger still ends at the position the lock was earned at: nothing settled or booked since.
        ConditionCheck: {
          TableName: this.tableName,
          Key: { pk: rewardAgentKey(lock.agentId), sk: ledgerSortKey(lock.earnedAtPosition + 1) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    return written === 'written';
  }

  async saveProgress(agentId: string, transactionId: string, progress: IssueProgress): Promise<LedgerWrite> {
    const written = await conditionalWrite(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: rewardAgentKey(agentId), sk: LOCK_SK },
          UpdateExpression: 'SET progress = :progress',
          ConditionExpression: 'transactionId = :tx',
          ExpressionAttributeValues: { ':progress': plain(progress), ':tx': transactionId },
        }),
      ),
    );
    return written ? 'written' : 'conflict';
  }

  async releaseLock(agentId: string, transactionId: string): Promise<void> {
    // Another transaction's lock, or none: nothing of this one's to release.
    await conditionalWrite(
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: rewardAgentKey(agentId), sk: LOCK_SK },
          ConditionExpression: 'transactionId = :tx',
          ExpressionAttributeValues: { ':tx': transactionId },
        }),
      ),
    );
  }

  private putEntry(entry: LedgerEntry): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: rewardAgentKey(entry.agentId), sk: ledgerSortKey(entry.position), entry: plain(entry) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private async transact(items: TransactItem[]): Promise<LedgerWrite> {
    if (items.length === 0) return 'written';
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return 'written';
    } catch (err) {
      // A condition failed, or another transaction held one of the items: nothing was written either way.
      if (err instanceof TransactionCanceledException) {
        const codes = (err.CancellationReasons ?? []).map((r) => r.Code);
        if (codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict'))
          return 'conflict';
      }
      throw err;
    }
  }
}
