/**
 * Token buckets (rate per second, burst). `TokenBucket` holds the limit for one process;
 * `DynamoDbTokenBucket` holds it across every concurrent Lambda instance by keeping the bucket in the State
 * table (docs/decisions/0001-shared-rate-limit.md). Both pause every caller when a vendor answers 429.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../ports/clock';

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(): Promise<void>;
  /** A 429 was seen: nobody sends for `retryAfterMs`. */
  onThrottled(retryAfterMs: number): Promise<void>;
}

export class TokenBucket implements RateLimiter {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = clock.now();
  }

  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(
        this.limit.burst,
        this.tokens + ((now - this.updatedAt) * this.limit.ratePerSecond) / 1000,
      );
      this.updatedAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.limit.ratePerSecond));
    }
  }

  async onThrottled(retryAfterMs: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + retryAfterMs);
    this.tokens = 0;
  }
}

interface BucketItem {
  tokens: number;
  updatedAt: number;
  pausedUntil?: number;
}

/**
 * The bucket lives in one State-table item (`pk = RATELIMIT#<name>`, `sk = BUCKET`) updated with optimistic
 * conditional writes. An instance leases up to `leaseSize` tokens per write to cut round trips; leased tokens
 * were already taken from the shared bucket, so the limit holds (at worst an instance that dies wastes its
 * lease). Instances' clocks only feed `now`; elapsed time is clamped at zero against skew.
 */
export class DynamoDbTokenBucket implements RateLimiter {
  private leased = 0;
  private localPause = 0;
  private readonly key: { pk: string; sk: string };

  constructor(
    private readonly o: {
      name: string;
      limit: RateLimit;
      doc: DynamoDBDocumentClient;
      tableName: string;
      clock: Clock;
      leaseSize?: number;
    },
  ) {
    this.key = { pk: `RATELIMIT#${o.name}`, sk: 'BUCKET' };
  }

  async acquire(): Promise<void> {
    for (;;) {
      if (this.clock.now() < this.localPause) await this.clock.sleep(this.localPause - this.clock.now());
      if (this.leased > 0) {
        this.leased--;
        return;
      }
      const waitMs = await this.tryLease();
      if (waitMs === 0) return;
      await this.clock.sleep(waitMs);
    }
  }

  private get clock() {
    return this.o.clock;
  }

  /** 0 when a lease was taken (one token used now), else how long to wait before trying again. */
  private async tryLease(): Promise<number> {
    const { limit, doc, tableName } = this.o;
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: this.key, ConsistentRead: true }),
    );
    const item = Item as BucketItem | undefined;
    const now = this.clock.now();
    if (item?.pausedUntil && now < item.pausedUntil) return item.pausedUntil - now;
    const elapsed = Math.max(0, now - (item?.updatedAt ?? now));
    const available = Math.min(
      limit.burst,
      (item?.tokens ?? limit.burst) + (elapsed * limit.ratePerSecond) / 1000,
    );
    if (available < 1) return Math.ceil(((1 - available) * 1000) / limit.ratePerSecond);
    const take = Math.min(this.o.leaseSize ?? 1, Math.floor(available));
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: this.key,
          UpdateExpression: 'SET tokens = :tokens, updatedAt = :now',
          ConditionExpression: item ? 'updatedAt = :seen' : 'attribute_not_exists(pk)',
          ExpressionAttributeValues: {
            ':tokens': available - take,
            ':now': now,
            ...(item ? { ':seen': item.updatedAt } : {}),
          },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return 1 + Math.floor(Math.random() * 5); // lost a race
      throw err;
    }
    this.leased = take - 1;
    return 0;
  }

  async onThrottled(retryAfterMs: number): Promise<void> {
    const until = this.clock.now() + retryAfterMs;
    this.localPause = Math.max(this.localPause, until);
    this.leased = 0;
    await this.o.doc
      .send(
        new UpdateCommand({
          TableName: this.o.tableName,
          Key: this.key,
          UpdateExpression: 'SET pausedUntil = :until, tokens = :zero, updatedAt = :now',
          ConditionExpression: 'attribute_not_exists(pausedUntil) OR pausedUntil < :until',
          ExpressionAttributeValues: { ':until': until, ':zero': 0, ':now': this.clock.now() },
        }),
      )
      .catch((err: unknown) => {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      });
  }
}
