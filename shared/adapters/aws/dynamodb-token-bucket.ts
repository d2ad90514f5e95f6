/**
 * The vendor rate limit shared by every concurrent Lambda instance: a GCRA bucket kept in the State table
 * (docs/decisions/0001-shared-rate-limit.md). The in-process buckets and the adaptive brake stay in
 * shared/http/rate-limiter.ts, which holds no AWS code.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimit, RateLimiter } from '../../http/rate-limiter';
import type { Clock } from '../../ports/clock';
import { STATE_KEY } from '../../tables';

export interface DynamoDbTokenBucketOptions {
  /** The item is `pk = RATELIMIT#<name>`, `sk = BUCKET`. */
  readonly name: string;
  readonly limit: RateLimit;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  /**
   * Tokens reserved per write at least; the spare ones serve this instance's next calls. A write reserves one
   * for every caller of this instance waiting at that moment, if more (up to the burst). Default 1.
   */
  readonly leaseSize?: number;
  /** Reserve slots at most this far beyond what the burst allows now; beyond, wait and ask again. Default 1 s. */
  readonly maxReserveMs?: number;
  /** Spare slots that went unused this long after their time are dropped (no late bursts). Default 1 s. */
  readonly leaseTtlMs?: number;
}

/** Counters for the benchmark and diagnostics. */
export interface BucketStats {
  /** UpdateItem requests sent. */
  requests: number;
  /** Of those, answered with ConditionalCheckFailed (the idle/busy guess was wrong, or no slot near enough). */
  refused: number;
  /** Tokens handed to callers. */
  granted: number;
}

/**
 * The shared bucket is one State-table item holding a single number, `tat`: the generic cell rate
 * algorithm's theoretical arrival time. A request conforms at time `t` if `tat - t <= burst * interval`,
 * and each one moves `tat = max(tat, t) + interval`. Instead of asking "is a token free now?" (which makes
 * every instance poll and race), an instance reserves its next `leaseSize` slots with one conditional
 * UpdateItem, `tat = tat + n * interval`, and sleeps until each slot's time. DynamoDB applies the
 * increments atomically, so concurrent instances get distinct slots without reading first and without
 * lost optimistic races: the limit holds by construction. `max(tat, now)` cannot be written in an update
 * expression, so an idle bucket (`tat <= now`) is taken with a second form of the write; the instance
 * guesses which from the last `tat` it saw, and a refused write returns the item
 * (ReturnValuesOnConditionCheckFailure) to guess right next time.
 *
 * A 429 pushes `tat` so that the bucket is empty until the vendor's Retry-After has passed; slots other
 * instances reserved before it (at most `maxReserveMs` ahead) still go out, and meet their own 429s.
 * An instance that dies holding reserved slots only lowers throughput. Instance clocks feed `now`; Lambda
 * clocks are NTP-synced, and a few ms of skew shifts one instance's slots by as little.
 */
export class DynamoDbTokenBucket implements RateLimiter {
  /** Reserved slot times not yet used, earliest first. */
  private spares: number[] = [];
  private reserving?: Promise<void>;
  /** Callers of this instance waiting for a reservation: the next one reserves a slot for each. */
  private waiting = 0;
  private localPause = 0;
  /** Last `tat` seen; guesses whether the bucket is idle (`tat <= now`) or busy. */
  private lastTat?: number;
  private readonly key: { pk: string; sk: string };
  private readonly interval: number;
  private readonly tolerance: number;
  readonly stats: BucketStats = { requests: 0, refused: 0, granted: 0 };

  constructor(private readonly o: DynamoDbTokenBucketOptions) {
    this.key = { pk: `${STATE_KEY.rateLimit}${o.name}`, sk: 'BUCKET' };
    this.interval = 1000 / o.limit.ratePerSecond;
    this.tolerance = o.limit.burst * this.interval;
  }

  async acquire(): Promise<void> {
    for (;;) {
      const now = this.o.clock.now();
      if (now < this.localPause) {
        await this.o.clock.sleep(this.localPause - now);
        continue;
      }
      const stale = now - (this.o.leaseTtlMs ?? 1000);
      while (this.spares.length && this.spares[0]! < stale) this.spares.shift();
      const slot = this.spares.shift();
      if (slot === undefined) {
        // One reservation in flight per instance; the other callers share its slots, and the callers that
        // arrived meanwhile are counted into the next one (one write for them all, not one each in turn).
        this.waiting++;
        try {
          this.reserving ??= this.refill(now).finally(() => (this.reserving = undefined));
          await this.reserving;
        } finally {
          this.waiting--;
        }
        continue;
      }
      // Re-checked after each sleep: a timer may fire a fraction of a millisecond before the slot.
      for (let wait = slot - this.o.clock.now(); wait > 0; wait = slot - this.o.clock.now())
        await this.o.clock.sleep(Math.ceil(wait));
      if (this.o.clock.now() < this.localPause) continue; // a 429 arrived meanwhile: this slot is void
      this.stats.granted++;
      return;
    }
  }

  private async refill(now: number): Promise<void> {
    const reserved = await this.reserve(now);
    if (typeof reserved === 'number') await this.o.clock.sleep(reserved);
    else this.spares = [...this.spares, ...reserved.slots].sort((x, y) => x - y);
  }

  async onThrottled(retryAfterMs: number): Promise<void> {
    const now = this.o.clock.now();
    const until = now + Math.max(0, retryAfterMs);
    this.localPause = Math.max(this.localPause, until);
    this.spares = [];
    // Empty at `until` and refilling from then on, like TokenBucket: the first token one interval later.
    const pausedTat = until + this.tolerance;
    try {
      this.stats.requests++;
      await this.o.doc.send(
        new UpdateCommand({
          TableName: this.o.tableName,
          Key: this.key,
          UpdateExpression: 'SET tat = :tat, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(tat) OR tat < :tat',
          ExpressionAttributeValues: { ':tat': pausedTat, ':expires': this.expiresAt(pausedTat) },
        }),
      );
      this.lastTat = pausedTat;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      this.stats.refused++; // someone already paused it at least as long
    }
  }

  /** Reserves up to `leaseSize` slots: their times, or how long to wait before asking again. */
  private async reserve(now: number): Promise<{ slots: number[] } | number> {
    const wanted = Math.max(this.o.leaseSize ?? 1, this.waiting);
    const n = Math.max(1, Math.min(wanted, Math.floor(this.o.limit.burst)));
    const inc = n * this.interval;
    const horizon = this.o.maxReserveMs ?? 1000;
    let idle = this.lastTat === undefined || this.lastTat <= now;
    for (let tries = 0; tries < 3; tries++) {
      const result = idle ? await this.takeIdle(now, inc) : await this.takeBusy(now, inc, horizon);
      this.lastTat = result.tat;
      if (result.granted) {
        const before = result.tat! - inc; // tat before this write (max(tat, now) for the idle form)
        // Slot i conforms when tat_i - t <= tolerance, tat_i = before + (i + 1) * interval.
        const slots = Array.from({ length: n }, (_, i) =>
          Math.max(now, before + (i + 1) * this.interval - this.tolerance),
        );
        return { slots };
      }
      this.stats.refused++;
      const tat = result.tat;
      if (tat === undefined || tat <= now) {
        idle = true;
        continue;
      }
      if (idle) {
        idle = false;
        continue;
      }
      // Busy beyond the horizon (a long 429 pause, or a deep backlog): come back when it is in reach.
      return Math.max(1, Math.ceil(tat + inc - this.tolerance - horizon - now));
    }
    return 1;
  }

  /** The bucket is full (or new): the reservation starts from now. */
  private takeIdle(now: number, inc: number) {
    const tat = now + inc;
    return this.update(
      {
        UpdateExpression: 'SET tat = :tat, expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(tat) OR tat <= :now',
        ExpressionAttributeValues: { ':tat': tat, ':now': now, ':expires': this.expiresAt(tat) },
      },
      tat,
    );
  }

  /** The bucket is in use: append to `tat` unless that reaches past the horizon. */
  private takeBusy(now: number, inc: number, horizon: number) {
    return this.update({
      UpdateExpression: 'SET tat = tat + :inc, expiresAt = :expires',
      ConditionExpression: 'tat > :now AND tat <= :latest',
      ExpressionAttributeValues: {
        ':inc': inc,
        ':now': now,
        ':latest': now + this.tolerance + horizon - inc,
        ':expires': this.expiresAt(now + this.tolerance + horizon),
      },
      ReturnValues: 'UPDATED_NEW',
    });
  }

  private async update(
    input: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues' | 'ReturnValues'
    >,
    knownTat?: number,
  ): Promise<{ granted: boolean; tat?: number }> {
    this.stats.requests++;
    try {
      const out = await this.o.doc.send(
        new UpdateCommand({
          TableName: this.o.tableName,
          Key: this.key,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...input,
        }),
      );
      const returned = out.Attributes?.tat as number | undefined;
      return { granted: true, tat: returned ?? knownTat };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return { granted: false, tat: storedTat(err.Item) };
    }
  }

  /** The State table's TTL removes a bucket idle for a day; a new one starts full, which is right then. */
  private expiresAt(tat: number): number {
    return Math.ceil(tat / 1000) + 86_400;
  }
}

/** `tat` of the item a refused write returned (raw attribute values: the document client leaves errors alone). */
function storedTat(item: unknown): number | undefined {
  const tat = (item as { tat?: { N?: string } } | undefined)?.tat;
  if (tat?.N !== undefined) return Number(tat.N);
  return typeof tat === 'number' ? tat : undefined;
}
