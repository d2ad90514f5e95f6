import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTokenBucket } from '../../../shared/adapters/aws/dynamodb-token-bucket';
import { AdaptiveThrottle, perInstanceShare, TokenBucket } from '../../../shared/http/rate-limiter';
import { VirtualClock } from '../../helpers/virtual-clock';
import { FakeClock } from '../../helpers/fake-clock';

describe('TokenBucket', () => {
  it('allows the burst at once, then the rate', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 150 }, clock);
    const start = clock.now();
    for (let i = 0; i < 150; i++) await bucket.acquire();
    expect(clock.now() - start).toBe(0);
    for (let i = 0; i < 100; i++) await bucket.acquire();
    expect(clock.now() - start).toBeGreaterThanOrEqual(990);
    expect(clock.now() - start).toBeLessThanOrEqual(1010);
  });

  it('pauses every caller after a 429', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 5 }, clock);
    const start = clock.now();
    await bucket.onThrottled(2000);
    await bucket.acquire();
    expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
  });

  it('holds rate and burst for 10 concurrent callers sharing one bucket', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 }, clock);
    const grants: number[] = [];
    const start = clock.now();
    const callers = Array.from({ length: 10 }, async () => {
      for (let i = 0; i < 5; i++) {
        await bucket.acquire();
        grants.push(clock.now() - start);
      }
    });
    await clock.runUntilSettled(Promise.all(callers));
    expect(grants).toHaveLength(50);
    expect(grants.filter((t) => t === 0)).toHaveLength(5); // the burst
    for (let t = 0; t <= 5000; t += 100) {
      // never more than burst + rate * elapsed, over any window starting at 0
      expect(grants.filter((g) => g <= t).length).toBeLessThanOrEqual(5 + Math.floor(t / 100));
    }
    expect(Math.max(...grants)).toBe(4500); // 45 more tokens at 10/s after the burst
  });

  it('refills from empty only once the 429 pause has passed', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 10 }, clock);
    const start = clock.now();
    await bucket.onThrottled(2000);
    await bucket.onThrottled(500); // a shorter pause does not shorten the longer one
    const grants: number[] = [];
    const callers = Array.from({ length: 3 }, () =>
      bucket.acquire().then(() => grants.push(clock.now() - start)),
    );
    await clock.runUntilSettled(Promise.all(callers));
    expect(grants).toEqual([2100, 2200, 2300]);
  });
});

describe('perInstanceShare', () => {
  it('splits rate and burst evenly, never below one token of burst', () => {
    expect(perInstanceShare({ ratePerSecond: 100, burst: 150 }, 4)).toEqual({ ratePerSecond: 25, burst: 37 });
    expect(perInstanceShare({ ratePerSecond: 5, burst: 5 }, 10)).toEqual({ ratePerSecond: 0.5, burst: 1 });
    expect(perInstanceShare({ ratePerSecond: 5, burst: 5 }, 0)).toEqual({ ratePerSecond: 5, burst: 5 });
  });
});

/**
 * A DynamoDB stand-in for the bucket item that evaluates the three condition expressions the bucket uses,
 * so the unit test checks the algorithm and the exact requests; the real conditional writes are exercised
 * against DynamoDB Local in rate-limiter.dynamodb.test.ts.
 */
function fakeTable() {
  const ddb = mockClient(DynamoDBDocumentClient);
  const state: { tat?: number } = {};
  ddb.on(UpdateCommand).callsFake((input: UpdateCommand['input']) => {
    const v = input.ExpressionAttributeValues!;
    const refuse = () => {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: state.tat === undefined ? undefined : { tat: { N: String(state.tat) } },
      });
    };
    switch (input.ConditionExpression) {
      case 'attribute_not_exists(tat) OR tat <= :now':
        if (state.tat !== undefined && state.tat > v[':now']) refuse();
        state.tat = v[':tat'];
        return {};
      case 'tat > :now AND tat <= :latest':
        if (state.tat === undefined || !(state.tat > v[':now'] && state.tat <= v[':latest'])) refuse();
        state.tat! += v[':inc'];
        return { Attributes: { tat: state.tat } };
      case 'attribute_not_exists(tat) OR tat < :tat':
        if (state.tat !== undefined && !(state.tat < v[':tat'])) refuse();
        state.tat = v[':tat'];
        return {};
      default:
        throw new Error(`unexpected condition ${input.ConditionExpression}`);
    }
  });
  return { ddb, state };
}

describe('DynamoDbTokenBucket (GCRA on one item)', () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const bucket = (clock: FakeClock, leaseSize = 1, burst = 10) =>
    new DynamoDbTokenBucket({
      name: 'genesys',
      limit: { ratePerSecond: 10, burst },
      doc,
      tableName: 'state',
      clock,
      leaseSize,
    });

  it('takes a lease from a new bucket with one conditional write and serves the spares locally', async () => {
    const clock = new FakeClock();
    const { ddb, state } = fakeTable();
    const b = bucket(clock, 5);
    for (let i = 0; i < 5; i++) await b.acquire();
    const updates = ddb.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({
      Key: { pk: 'RATELIMIT#genesys', sk: 'BUCKET' },
      ConditionExpression: 'attribute_not_exists(tat) OR tat <= :now',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(state.tat).toBe(clock.now() + 500); // 5 tokens at 100 ms each
    expect(b.stats).toEqual({ requests: 1, refused: 0, granted: 5 });
  });

  it("reserves one slot for each of an instance's waiting callers in one write, not a write per caller", async () => {
    const clock = new FakeClock();
    const { ddb, state } = fakeTable();
    const b = bucket(clock);
    // The first caller's write is in flight when the other four arrive: they share the next write.
    await clock.runUntilSettled(Promise.all(Array.from({ length: 5 }, () => b.acquire())));
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(2);
    expect(b.stats).toEqual({ requests: 2, refused: 0, granted: 5 });
    expect(state.tat).toBe(clock.now() + 500);
    expect(clock.sleeps).toEqual([]);
  });

  it('two instances share one limit: burst at once, then 10/s between them', async () => {
    const clock = new FakeClock();
    fakeTable();
    const a = bucket(clock, 2);
    const b = bucket(clock, 2);
    const grants: number[] = [];
    const start = clock.now();
    const run = (x: DynamoDbTokenBucket) =>
      (async () => {
        for (let i = 0; i < 15; i++) {
          await x.acquire();
          grants.push(clock.now() - start);
        }
      })();
    await clock.runUntilSettled(Promise.all([run(a), run(b)]));
    expect(grants).toHaveLength(30);
    for (let t = 0; t <= 3000; t += 50)
      expect(grants.filter((g) => g <= t).length).toBeLessThanOrEqual(10 + Math.floor(t / 100));
    expect(grants.filter((g) => g === 0)).toHaveLength(10);
    expect(Math.max(...grants)).toBeLessThanOrEqual(2100); // 20 more at 10/s, leases of two
  });

  it('reserves the next free slot with one write and sleeps until it, instead of polling', async () => {
    const clock = new FakeClock();
    const { ddb, state } = fakeTable();
    state.tat = clock.now() + 1000 + 300; // empty until 300 ms from now
    const b = bucket(clock);
    const start = clock.now();
    await clock.runUntilSettled(b.acquire());
    expect(clock.now() - start).toBe(400); // empty for 300 ms, then one interval for a token
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.ConditionExpression)).toEqual([
      'attribute_not_exists(tat) OR tat <= :now', // guessed idle; refused, the item came back
      'tat > :now AND tat <= :latest', // the reservation
    ]);
    expect(state.tat).toBe(start + 1400);
    expect(clock.sleeps).toEqual([400]);
  });

  it('spaces the slots of one lease at the rate when the bucket is nearly empty', async () => {
    const clock = new FakeClock();
    const { state } = fakeTable();
    state.tat = clock.now() + 800; // 2 of 10 tokens left
    const b = bucket(clock, 5);
    const start = clock.now();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await clock.runUntilSettled(b.acquire());
      times.push(clock.now() - start);
    }
    expect(times).toEqual([0, 0, 100, 200, 300]);
    expect(b.stats).toEqual({ requests: 2, refused: 1, granted: 5 });
  });

  it('does not reserve beyond the horizon: waits until the slot is within reach, then reserves', async () => {
    const clock = new FakeClock();
    const { ddb, state } = fakeTable();
    state.tat = clock.now() + 10_000; // a long 429 pause written by another instance
    const b = new DynamoDbTokenBucket({
      name: 'genesys',
      limit: { ratePerSecond: 10, burst: 10 },
      doc,
      tableName: 'state',
      clock,
      maxReserveMs: 1000,
    });
    const start = clock.now();
    await clock.runUntilSettled(b.acquire());
    expect(clock.now() - start).toBe(9100);
    expect(clock.sleeps[0]).toBe(8100); // until tat + interval - burst - horizon
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(3); // idle refused, busy refused, (wait) busy
  });

  it('a 429 on one instance empties the shared bucket until Retry-After has passed, for every instance', async () => {
    const clock = new FakeClock();
    const { state } = fakeTable();
    const a = bucket(clock, 3);
    const b = bucket(clock, 3);
    await a.acquire(); // a holds two spare tokens
    await a.onThrottled(2000);
    expect(state.tat).toBe(clock.now() + 2000 + 1000);
    const start = clock.now();
    const times: number[] = [];
    await clock.runUntilSettled(
      Promise.all([a.acquire(), b.acquire()].map((p) => p.then(() => times.push(clock.now() - start)))),
    );
    expect(Math.min(...times)).toBeGreaterThanOrEqual(2100); // the spares were dropped too
  });

  it('drops spare leased tokens older than the lease TTL', async () => {
    const clock = new FakeClock();
    const { ddb } = fakeTable();
    const b = bucket(clock, 3);
    await b.acquire();
    await clock.advance(1500);
    await b.acquire();
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('treats a refused pause as already paused, and rethrows other DynamoDB errors', async () => {
    const clock = new FakeClock();
    const { state } = fakeTable();
    state.tat = clock.now() + 60_000;
    await expect(bucket(clock).onThrottled(1000)).resolves.toBeUndefined();
    expect(state.tat).toBe(clock.now() + 60_000);
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(bucket(clock).acquire()).rejects.toThrow('ProvisionedThroughputExceeded');
  });
});

describe('AdaptiveThrottle (spec 002 Edge Case 3)', () => {
  const throttle = (clock: FakeClock, random = () => 0) =>
    new AdaptiveThrottle({ clock, minCalls: 20, random });

  it('stays out of the way while 429s are at most 10% of recent calls', () => {
    const clock = new FakeClock();
    const t = throttle(clock);
    for (let i = 0; i < 20; i++) t.record(i < 2);
    expect(t.throttledShare).toBe(0.1);
    expect(t.delayMs()).toBe(0);
  });

  it('above 10% backs off exponentially with 100-500 ms of jitter, and releases when the share falls', () => {
    const clock = new FakeClock();
    const t = throttle(clock);
    for (let i = 0; i < 18; i++) t.record(false);
    t.record(true);
    t.record(true);
    t.record(true); // 3/21 > 10%: engaged at level 1
    expect(t.delayMs()).toBe(100 + 100);
    t.record(true);
    expect(t.delayMs()).toBe(200 + 100);
    t.record(true);
    expect(t.delayMs()).toBe(400 + 100);
    for (let i = 0; i < 6; i++) t.record(true);
    expect(t.delayMs()).toBe(2000 + 100); // capped
    expect(throttle(clock, () => 1).delayMs()).toBe(0);
    for (let i = 0; i < 200; i++) t.record(false);
    expect(t.delayMs()).toBe(0);
  });

  it('keeps the jitter within [100, 500] ms', () => {
    const clock = new FakeClock();
    for (const r of [0, 0.5, 0.999]) {
      const t = new AdaptiveThrottle({ clock, random: () => r, maxMs: 0 }); // jitter only
      for (let i = 0; i < 20; i++) t.record(i % 2 === 0);
      expect(t.delayMs()).toBe(Math.round(100 + r * 400));
    }
  });

  it('forgets calls older than the window', async () => {
    const clock = new FakeClock();
    const t = throttle(clock);
    for (let i = 0; i < 20; i++) t.record(true);
    expect(t.engaged).toBe(true);
    await clock.advance(10_001);
    t.record(false);
    expect(t.engaged).toBe(false);
  });
});
