/**
 * Token buckets (rate per second, burst). `TokenBucket` holds the limit for one process (and, sized with
 * `perInstanceShare`, a fleet's limit split evenly); `DynamoDbTokenBucket` holds it across every concurrent
 * Lambda instance by keeping the bucket in the State table (docs/decisions/0001-shared-rate-limit.md).
 * Both pause every caller when a vendor answers 429. `AdaptiveThrottle` is spec 002's extra brake: when
 * 429s exceed 10% of recent calls, each call first waits an exponential backoff plus 100-500 ms of jitter.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../ports/clock';

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(): Promise<void>;
  /** A 429 was seen: nobody sends for `retryAfterMs`, and the bucket refills from empty afterwards. */
  onThrottled(retryAfterMs: number): Promise<void>;
}

/** One instance's part of a fleet-wide limit when `instances` run at once (the per-instance-share option). */
export function perInstanceShare(limit: RateLimit, instances: number): RateLimit {
  const n = Math.max(1, Math.floor(instances));
  return { ratePerSecond: limit.ratePerSecond / n, burst: Math.max(1, Math.floor(limit.burst / n)) };
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
        this.tokens + (Math.max(0, now - this.updatedAt) * this.limit.ratePerSecond) / 1000,
      );
      this.updatedAt = Math.max(this.updatedAt, now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.limit.ratePerSecond));
    }
  }

  async onThrottled(retryAfterMs: number): Promise<void> {
    const until = this.clock.now() + Math.max(0, retryAfterMs);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.tokens = 0;
    this.updatedAt = until; // refill starts when the pause ends, not during it
  }
}

export interface DynamoDbTokenBucketOptions {
  /** The item is `pk = RATELIMIT#<name>`, `sk = BUCKET`. */
  readonly name: string;
  readonly limit: RateLimit;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  /** Tokens reserved per write; the spare ones serve this instance's next calls. Default 1. */
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
  private localPause = 0;
  /** Last `tat` seen; guesses whether the bucket is idle (`tat <= now`) or busy. */
  private lastTat?: number;
  private readonly key: { pk: string; sk: string };
  private readonly interval: number;
  private readonly tolerance: number;
  readonly stats: BucketStats = { requests: 0, refused: 0, granted: 0 };

  constructor(private readonly o: DynamoDbTokenBucketOptions) {
    this.key = { pk: `RATELIMIT#${o.name}`, sk: 'BUCKET' };
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
        // One reservation in flight per instance; the other callers share its slots.
        this.reserving ??= this.refill(now).finally(() => (this.reserving = undefined));
        await this.reserving;
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
    const n = Math.max(1, Math.min(this.o.leaseSize ?? 1, Math.floor(this.o.limit.burst)));
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

export interface AdaptiveThrottleOptions {
  readonly clock: Clock;
  /** Share of 429s above which the brake engages. Default 0.1 (spec 002). */
  readonly threshold?: number;
  /** Sliding window. Default 10 s. */
  readonly windowMs?: number;
  /** No verdict on fewer calls than this in the window. Default 20. */
  readonly minCalls?: number;
  /** First backoff step; doubles with every further 429 while engaged. Default 100 ms. */
  readonly baseMs?: number;
  /** Cap of the exponential part. Default 2 s. */
  readonly maxMs?: number;
  /** Jitter added to every engaged delay. Default [100, 500] ms (spec 002). */
  readonly jitterMs?: readonly [number, number];
  /** Multiplies the exponential part (the local runtime's WFM_RETRY_SCALE). Default 1. */
  readonly scale?: number;
  readonly random?: () => number;
}

/** Spec 002 Edge Case 3: tracks outcomes and, while 429s exceed the threshold, spaces calls out. */
export class AdaptiveThrottle {
  private outcomes: { at: number; throttled: boolean }[] = [];
  private level = 0;

  constructor(private readonly o: AdaptiveThrottleOptions) {}

  record(throttled: boolean): void {
    const now = this.o.clock.now();
    this.outcomes.push({ at: now, throttled });
    const windowStart = now - (this.o.windowMs ?? 10_000);
    while (this.outcomes.length && this.outcomes[0]!.at < windowStart) this.outcomes.shift();
    if (!this.engaged) this.level = 0;
    else if (throttled) this.level = Math.min(this.level + 1, 30);
  }

  /** The share of 429s in the window (0 when there are too few calls to judge). */
  get throttledShare(): number {
    if (this.outcomes.length < (this.o.minCalls ?? 20)) return 0;
    return this.outcomes.filter((x) => x.throttled).length / this.outcomes.length;
  }

  get engaged(): boolean {
    return this.throttledShare > (this.o.threshold ?? 0.1);
  }

  /** How long the next call should wait before it is sent; 0 while disengaged. */
  delayMs(): number {
    if (!this.engaged) return 0;
    const [low, high] = this.o.jitterMs ?? [100, 500];
    const exponential = Math.min(
      this.o.maxMs ?? 2000,
      (this.o.baseMs ?? 100) * 2 ** Math.max(0, this.level - 1),
    );
    const jitter = low + (this.o.random ?? Math.random)() * (high - low);
    return Math.round(exponential * (this.o.scale ?? 1) + jitter);
  }
}
