/**
 * The Powertools idempotent record handler on DynamoDB Local, with the Idempotency table as shared/tables.ts
 * declares it: a record processed twice runs once; a record whose invocation died mid-way runs again once
 * its in-progress window has passed; the same key with another payload is refused with its reason.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { startDynamoDbLocal, type RunningDynamoDb } from '../../local/dynamodb-local';
import { createTable } from '../../local/provision';
import { PermanentFailure, RetryableFailure } from '../../shared/errors';
import { idempotentRecordHandler } from '../../shared/runtime/idempotent-record-handler';
import { TABLES } from '../../shared/tables';

jest.setTimeout(60_000);

interface Evaluation {
  eventId?: string;
  agentId: string;
  period: string;
  receivedAt: string;
}

let dynamo: RunningDynamoDb;
let client: DynamoDBClient;
const tableName = `Idempotency-${Date.now()}`;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(client, { ...TABLES.find((t) => t.id === 'Idempotency')!, name: tableName });
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

const contextWith = (remainingMs: number) =>
  ({ getRemainingTimeInMillis: () => remainingMs, functionName: 'test' }) as unknown as Context;

function handlerCounting(name: string, run: (e: Evaluation) => Promise<void> = async () => {}) {
  const effects: Evaluation[] = [];
  const handler = idempotentRecordHandler(
    async (e: Evaluation) => {
      await run(e);
      effects.push(e);
      return { evaluated: e.agentId, points: effects.length * 10 };
    },
    { name, eventKeyJmesPath: 'eventId', payloadValidationJmesPath: '[agentId, period]' },
    { tableName, client },
  );
  return { handler, effects };
}

const evaluation = (eventId: string, extra: Partial<Evaluation> = {}): Evaluation => ({
  eventId,
  agentId: 'agent-1',
  period: '2026-03-01',
  receivedAt: new Date().toISOString(),
  ...extra,
});

describe('idempotent record handler (Powertools on DynamoDB Local)', () => {
  it('processes a record once: the second delivery returns the stored result, with no second side effect', async () => {
    const { handler, effects } = handlerCounting('test.twice');
    const first = await handler(evaluation('evt-1'), contextWith(30_000));
    // A redelivery carries another receivedAt: not part of the key or of the validated payload.
    const second = await handler(evaluation('evt-1'), contextWith(30_000));
    expect(first).toEqual({ evaluated: 'agent-1', points: 10 });
    expect(second).toEqual(first);
    expect(effects).toHaveLength(1);
    const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
    const stored = Items!.find((i) => i.id!.S!.startsWith('test.twice#'))!;
    expect(stored.status!.S).toBe('COMPLETED');
    expect(Number(stored.expiration!.N)).toBeGreaterThan(Date.now() / 1000 + 3600);
  });

  it('runs a record again once the in-progress window of the invocation that died has passed', async () => {
    const died = handlerCounting('test.crash', () => new Promise<void>(() => {})); // never returns
    void died.handler(evaluation('evt-2'), contextWith(600));
    await new Promise((r) => setTimeout(r, 150));

    const { handler, effects } = handlerCounting('test.crash');
    const meanwhile = await handler(evaluation('evt-2'), contextWith(30_000)).catch((e: unknown) => e);
    expect(meanwhile).toBeInstanceOf(RetryableFailure);
    expect(meanwhile).toMatchObject({ reason: 'IDEMPOTENCY_IN_PROGRESS' });
    expect((meanwhile as Error).message).toContain('test.crash key "evt-2"');

    await new Promise((r) => setTimeout(r, 700));
    expect(await handler(evaluation('evt-2'), contextWith(30_000))).toEqual({
      evaluated: 'agent-1',
      points: 10,
    });
    expect(effects).toHaveLength(1);
    expect(died.effects).toHaveLength(0);
  });

  it('refuses the same key with a different payload, naming the key', async () => {
    const { handler, effects } = handlerCounting('test.mismatch');
    await handler(evaluation('evt-3'), contextWith(30_000));
    const refused = await handler(evaluation('evt-3', { agentId: 'agent-2' }), contextWith(30_000)).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(PermanentFailure);
    expect(refused).toMatchObject({ reason: 'IDEMPOTENCY_PAYLOAD_MISMATCH' });
    expect((refused as Error).message).toMatch(
      /test\.mismatch key "evt-3" was first processed with a different/,
    );
    expect(effects).toHaveLength(1);
  });

  it("runs a record again after the handler's own failure, which passes through unchanged", async () => {
    let fail = true;
    const { handler, effects } = handlerCounting('test.retry', async () => {
      if (fail) throw new RetryableFailure('VENDOR_UNAVAILABLE', 'vendor 503');
    });
    await expect(handler(evaluation('evt-4'), contextWith(30_000))).rejects.toMatchObject({
      reason: 'VENDOR_UNAVAILABLE',
    });
    fail = false;
    await handler(evaluation('evt-4'), contextWith(30_000));
    expect(effects).toHaveLength(1);
  });

  it('refuses an event without a key instead of running it unguarded', async () => {
    const { handler, effects } = handlerCounting('test.nokey');
    const refused = await handler(evaluation('', { eventId: undefined }), contextWith(30_000)).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ reason: 'IDEMPOTENCY_KEY_MISSING' });
    expect(refused).toBeInstanceOf(PermanentFailure);
    expect(effects).toHaveLength(0);
  });

  it('is retryable when the table cannot be reached', async () => {
    const handler = idempotentRecordHandler(
      async () => 'done',
      { name: 'test.down', eventKeyJmesPath: 'eventId', payloadValidationJmesPath: 'agentId' },
      { tableName: 'NoSuchTable', client },
    );
    await expect(handler(evaluation('evt-5'), contextWith(30_000))).rejects.toMatchObject({
      reason: 'IDEMPOTENCY_STORE_UNAVAILABLE',
    });
  });
});
