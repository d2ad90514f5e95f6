import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTokenBucket, TokenBucket } from '../../../shared/http/rate-limiter';
import { VirtualClock } from '../../helpers/virtual-clock';

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
});

describe('DynamoDbTokenBucket', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  beforeEach(() => ddb.reset());

  function bucket(clock: VirtualClock, leaseSize = 1) {
    return new DynamoDbTokenBucket({
      name: 'genesys',
      limit: { ratePerSecond: 10, burst: 10 },
      doc: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
      tableName: 'state',
      clock,
      leaseSize,
    });
  }

  it('creates the bucket full on first use and takes a lease with a conditional write', async () => {
    const clock = new VirtualClock();
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const b = bucket(clock, 5);
    for (let i = 0; i < 5; i++) await b.acquire();
    const updates = ddb.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      ExpressionAttributeValues: { ':tokens': 5 },
    });
  });

  it('refills from the stored state and retries when another instance wrote first', async () => {
    const clock = new VirtualClock();
    const updatedAt = clock.now() - 300; // 0.3 s ago with 0.5 tokens left -> 3.5 available
    ddb.on(GetCommand).resolves({ Item: { tokens: 0.5, updatedAt } });
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'race', $metadata: {} }))
      .resolves({});
    await bucket(clock, 2).acquire();
    const updates = ddb.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(2);
    expect(updates[1]!.args[0].input.ConditionExpression).toBe('updatedAt = :seen');
    expect(updates[1]!.args[0].input.ExpressionAttributeValues![':seen']).toBe(updatedAt);
  });

  it('waits for the deficit when the shared bucket is empty, and honours a shared pause', async () => {
    const clock = new VirtualClock();
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { tokens: 0, updatedAt: clock.now(), pausedUntil: clock.now() + 1500 } })
      .resolves({ Item: { tokens: 0, updatedAt: clock.now() + 1500 } }); // emptied by others as the pause ended
    ddb.on(UpdateCommand).resolves({});
    const start = clock.now();
    await bucket(clock).acquire();
    expect(clock.sleeps[0]).toBe(1500);
    expect(clock.now() - start).toBeGreaterThanOrEqual(1500 + 100);
  });
});
