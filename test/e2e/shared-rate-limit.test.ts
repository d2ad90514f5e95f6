/**
 * DynamoDbTokenBucket against a real DynamoDB (the local runtime's DynamoDB Local): the conditional
 * writes, ReturnValuesOnConditionCheckFailure and the atomic `tat = tat + :inc` as DynamoDB evaluates them.
 * Assertions are bounds the limit guarantees whatever the machine's speed (never more grants than
 * burst + rate x elapsed; never before a pause ends).
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTokenBucket } from '../../shared/adapters/aws/dynamodb-token-bucket';
import { systemClock } from '../../shared/ports/clock';
import { createTable, STATE_TABLE } from '../../local/provision';
import { local } from '../helpers/local';

describe('DynamoDbTokenBucket on DynamoDB Local', () => {
  const client = new DynamoDBClient({
    endpoint: local().endpoints.dynamodb,
    region: local().region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const tableName = `ratelimit-test-${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    await createTable(client, { ...STATE_TABLE, name: tableName });
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  });

  const bucket = (name: string, leaseSize: number, limit = { ratePerSecond: 40, burst: 10 }) =>
    new DynamoDbTokenBucket({ name, limit, doc, tableName, clock: systemClock, leaseSize });

  it('four instances hammering one bucket never exceed burst + rate x elapsed together', async () => {
    const limit = { ratePerSecond: 40, burst: 10 };
    const instances = Array.from({ length: 4 }, () => bucket('shared', 2, limit));
    const grants: number[] = [];
    const start = Date.now();
    await Promise.all(
      instances.map(async (b) => {
        while (Date.now() - start < 1500) {
          await b.acquire();
          grants.push(Date.now() - start);
        }
      }),
    );
    expect(grants.length).toBeGreaterThan(limit.burst);
    const last = Math.max(...grants);
    for (let t = 0; t <= last; t += 10) {
      const allowed = limit.burst + Math.floor(((t + 1) * limit.ratePerSecond) / 1000) + 1; // +1 ms clock grain
      expect(grants.filter((g) => g <= t).length).toBeLessThanOrEqual(allowed);
    }
    const requests = instances.reduce((n, b) => n + b.stats.requests, 0);
    expect(requests).toBeLessThan(grants.length * 2); // no read-before-write; leases of two
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'RATELIMIT#shared', sk: 'BUCKET' } }),
    );
    expect(Item).toEqual({
      pk: 'RATELIMIT#shared',
      sk: 'BUCKET',
      tat: expect.any(Number),
      expiresAt: expect.any(Number),
    });
  });

  it("a 429 seen by one instance holds back another instance's next call until Retry-After passed", async () => {
    const a = bucket('paused', 1);
    const b = bucket('paused', 1);
    await b.acquire(); // b knows the bucket
    const pausedAt = Date.now();
    await a.onThrottled(800);
    await b.acquire();
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(800);
  });

  it('a shorter pause does not shorten a longer one', async () => {
    const a = bucket('longest', 1);
    const pausedAt = Date.now();
    await a.onThrottled(700);
    await bucket('longest', 1).onThrottled(100);
    await bucket('longest', 1).acquire();
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(700);
  });
});
