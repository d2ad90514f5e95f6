/**
 * The DynamoDB fault switch (local/dynamodb-fault-switch.ts) and its middleware (local/dynamodb-fault-injector.ts)
 * on a real SDK client against a stand-in DynamoDB endpoint: the SDK's own retry strategy meets each injected
 * fault once per attempt and judges it as a real throttle or timeout.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbFaultInjector, THROTTLE_MESSAGE } from '../../../local/dynamodb-fault-injector';
import { DynamoDbFaultSwitch, takeOneCall } from '../../../local/dynamodb-fault-switch';
import {
  DYNAMODB_UNAVAILABLE,
  namingUnavailableTables,
} from '../../../shared/adapters/aws/dynamodb-unavailable';
import { RetryableFailure } from '../../../shared/errors';
import {
  DYNAMODB_CLIENT_HOOK,
  offeredToLocalHook,
  type DynamoDbClientHook,
} from '../../../shared/runtime/dynamodb-client-hook';

const REPO = resolve(__dirname, '../../..');
const TABLES = { State: 'wfm-local-state', Idempotency: 'wfm-local-idempotency' } as const;
/** The stand-in answers every write on this table with a failed condition. */
const CONDITIONAL_TABLE = 'wfm-local-conditional';

let server: Server;
let endpoint = '';
/** The DynamoDB operations that reached the endpoint, e.g. `PutItem wfm-local-state`. */
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1];
      const table = (JSON.parse(body) as { TableName?: string }).TableName;
      received.push(`${operation} ${table}`);
      if (table === CONDITIONAL_TABLE) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        return res.end(
          '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}',
        );
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
const clients: DynamoDBClient[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => received.splice(0));

/** A client with the fault middleware, armed (through the switch, as the runtime does) with one fault. */
function clientWith(request: {
  table: 'State' | 'Idempotency';
  kind: 'throttle' | 'timeout';
  times: number;
  operations?: string[];
}) {
  const faults = new DynamoDbFaultSwitch();
  const armed = faults.arm({ workflow: 'shift-bids', ...request });
  const injector = createDynamoDbFaultInjector(TABLES);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  clients.push(client);
  injector.attach(client);
  injector.arm(faults.faultsFor('shift-bids', ['a record']));
  const fired = () => faults.list().find((f) => f.id === armed.id)!.fired;
  return { client, doc: DynamoDBDocumentClient.from(client), fired, injector, faults };
}

const put = (table: string) =>
  new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, sk: { S: 'b' } } });

describe('the DynamoDB fault middleware, under the SDK retry strategy', () => {
  it('a burst of throttles smaller than the retry budget: the SDK retries, the call lands once', async () => {
    const { client, fired } = clientWith({ table: 'State', kind: 'throttle', times: 2 });
    const out = await client.send(put(TABLES.State));
    expect(out.$metadata.attempts).toBe(3);
    expect(fired()).toBe(2);
    expect(received).toEqual([`PutItem ${TABLES.State}`]);
  }, 20_000);

  it("a throttle beyond the budget (the client's maxAttempts, 4 for DynamoDB): the SDK gives up with DynamoDB's own exception, nothing reached the table", async () => {
    const { client, fired } = clientWith({ table: 'State', kind: 'throttle', times: 9 });
    const budget = await client.config.maxAttempts();
    const err = (await client.send(put(TABLES.State)).catch((e: unknown) => e)) as Error & {
      $metadata: { attempts?: number; httpStatusCode?: number };
      $fault: string;
    };
    expect(err.name).toBe('ProvisionedThroughputExceededException');
    expect(err.message).toBe(THROTTLE_MESSAGE);
    expect(err.$fault).toBe('client');
    expect(err.$metadata).toMatchObject({ attempts: budget, httpStatusCode: 400 });
    expect(fired()).toBe(budget);
    expect(received).toEqual([]);
  }, 20_000);

  it('a timeout is retried as a transient error; beyond the budget it surfaces as a TimeoutError', async () => {
    const once = clientWith({ table: 'Idempotency', kind: 'timeout', times: 1 });
    expect((await once.client.send(put(TABLES.Idempotency))).$metadata.attempts).toBe(2);
    expect(received).toEqual([`PutItem ${TABLES.Idempotency}`]);

    const always = clientWith({ table: 'Idempotency', kind: 'timeout', times: 9 });
    const err = (await always.client.send(put(TABLES.Idempotency)).catch((e: unknown) => e)) as Error & {
      $metadata?: { attempts?: number };
    };
    expect(err.name).toBe('TimeoutError');
    const budget = await always.client.config.maxAttempts();
    expect(err.$metadata?.attempts).toBe(budget);
    expect(always.fired()).toBe(budget);
  }, 20_000);

  it('fails only the armed table and operations, through the document client too; disarmed, nothing', async () => {
    const { doc, fired, injector } = clientWith({
      table: 'State',
      kind: 'timeout',
      times: 1,
      operations: ['GetItem'],
    });
    await doc.send(new PutCommand({ TableName: TABLES.State, Item: { pk: 'a', sk: 'b' } }));
    await doc.send(new GetCommand({ TableName: TABLES.Idempotency, Key: { pk: 'a', sk: 'b' } }));
    expect(fired()).toBe(0);
    expect(
      (await doc.send(new GetCommand({ TableName: TABLES.State, Key: { pk: 'a' } }))).$metadata,
    ).toMatchObject({ attempts: 2 });
    expect(fired()).toBe(1);

    injector.arm(
      clientWith({ table: 'State', kind: 'throttle', times: 3 }).faults.faultsFor('shift-bids', ['']),
    );
    injector.arm(undefined);
    expect(
      (await doc.send(new GetCommand({ TableName: TABLES.State, Key: { pk: 'a' } }))).$metadata,
    ).toMatchObject({ attempts: 1 });
  }, 20_000);
});

describe('a DynamoDB failure past the SDK retries, on the workflow client (shared/adapters/aws/dynamodb-unavailable.ts)', () => {
  it('becomes a retryable DYNAMODB_UNAVAILABLE naming the operation, the table and the SDK error', async () => {
    const { client } = clientWith({ table: 'State', kind: 'throttle', times: 9 });
    const doc = DynamoDBDocumentClient.from(namingUnavailableTables(client));
    const err = await doc
      .send(new PutCommand({ TableName: TABLES.State, Item: { pk: 'a', sk: 'b' } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableFailure);
    expect(err).toMatchObject({ reason: DYNAMODB_UNAVAILABLE });
    expect((err as Error).message).toBe(
      `DynamoDB PutItem on ${TABLES.State} failed after ${await client.config.maxAttempts()} attempts: ` +
        `ProvisionedThroughputExceededException: ${THROTTLE_MESSAGE}`,
    );
  }, 20_000);

  it('leaves every answer a store reads alone: a failed condition is still the SDK exception', async () => {
    const { client } = clientWith({ table: 'State', kind: 'timeout', times: 1 });
    namingUnavailableTables(client);
    const err = await client.send(put(CONDITIONAL_TABLE)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConditionalCheckFailedException);
    const timedOut = await client.send(put(TABLES.State));
    expect(timedOut.$metadata.attempts).toBe(2); // below the budget, the SDK's retry absorbs it
  });
});

describe('the DynamoDB fault switch', () => {
  it('hands its faults to every matching invocation, which spend one budget of calls between them', () => {
    const faults = new DynamoDbFaultSwitch();
    const armed = faults.arm({
      workflow: 'shift-bids',
      table: 'Idempotency',
      kind: 'throttle',
      times: 3,
      bodyContains: 'req-1',
    });
    expect(faults.faultsFor('shift-overrides', ['req-1'])).toEqual([]);
    expect(faults.faultsFor('shift-bids', ['req-2'])).toEqual([]);
    const first = faults.faultsFor('shift-bids', ['x req-1 y']);
    const second = faults.faultsFor('shift-bids', ['req-1']); // a redelivery overlapping the first delivery
    expect(first).toEqual([expect.objectContaining({ table: 'Idempotency', kind: 'throttle' })]);
    expect([
      takeOneCall(first[0]!.calls),
      takeOneCall(second[0]!.calls),
      takeOneCall(first[0]!.calls),
    ]).toEqual([true, true, true]);
    expect(takeOneCall(second[0]!.calls)).toBe(false);
    expect(faults.list()).toEqual([{ ...armed, remaining: 0, fired: 3 }]);
    expect(faults.faultsFor('shift-bids', ['req-1'])).toEqual([]);
  });

  it('splits a batch so that each fault fails only the records it targets', () => {
    const faults = new DynamoDbFaultSwitch();
    expect(faults.split('shift-bids', ['a', 'b'], (b) => b)).toEqual([{ items: ['a', 'b'], faults: [] }]);
    faults.arm({ workflow: 'shift-bids', table: 'State', kind: 'timeout', times: 9, bodyContains: 'req-1' });
    faults.arm({ workflow: 'shift-bids', table: 'Idempotency', kind: 'throttle', bodyContains: 'req-2' });
    faults.arm({ workflow: 'adherence-sync', table: 'State', kind: 'throttle', bodyContains: 'req-3' });
    const batches = faults.split('shift-bids', ['x', 'req-1 a', 'req-2', 'y', 'req-1 b', 'req-3'], (b) => b);
    expect(batches.map((b) => [b.items, b.faults.map((f) => f.table)])).toEqual([
      [['x', 'y', 'req-3'], []],
      [['req-1 a', 'req-1 b'], ['State']],
      [['req-2'], ['Idempotency']],
    ]);
  });

  it('counts exactly when instances on other threads spend the same budget at once', async () => {
    const faults = new DynamoDbFaultSwitch();
    faults.arm({ workflow: 'shift-bids', table: 'State', kind: 'timeout', times: 5_000 });
    const { calls } = faults.faultsFor('shift-bids', [''])[0]!;
    // Each thread runs the switch's own takeOneCall, as instances do through the injector.
    const spend = `
      const { workerData, parentPort } = require('node:worker_threads');
      require('tsx/cjs/api').register();
      const { takeOneCall } = require(${JSON.stringify(join(REPO, 'local/dynamodb-fault-switch.ts'))});
      let taken = 0;
      while (takeOneCall(workerData)) taken++;
      parentPort.postMessage(taken);`;
    const taken = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<number>((done, fail) => {
            const w = new Worker(spend, { eval: true, workerData: calls });
            w.once('message', (n: number) => void w.terminate().then(() => done(n)));
            w.once('error', fail);
          }),
      ),
    );
    let local = 0;
    while (takeOneCall(calls)) local++;
    expect(taken.reduce((a, b) => a + b, local)).toBe(5_000);
    expect(faults.list()[0]).toMatchObject({ remaining: 0, fired: 5_000 });
  });

  it('refuses what it cannot arm, naming what it accepts', () => {
    const faults = new DynamoDbFaultSwitch();
    const ok = { workflow: 'shift-bids', table: 'State', kind: 'throttle' };
    expect(() => faults.arm({ ...ok, workflow: 'nope' })).toThrow(/workflow must be/);
    expect(() => faults.arm({ ...ok, table: 'Audit' })).toThrow('table must be one of State, Idempotency');
    expect(() => faults.arm({ ...ok, kind: 'slow' })).toThrow('kind must be one of throttle, timeout');
    expect(() => faults.arm({ ...ok, times: 0 })).toThrow(/times/);
    expect(() => faults.arm({ ...ok, operations: ['Scan'] })).toThrow(/operations must be/);
    expect(() => faults.arm({ ...ok, operations: [] })).toThrow(/operations must be/);
    expect(faults.list()).toEqual([]);
  });
});

describe('the seam in the deployed code', () => {
  const slot = globalThis as { [DYNAMODB_CLIENT_HOOK]?: DynamoDbClientHook };
  afterEach(() => delete slot[DYNAMODB_CLIENT_HOOK]);

  it('offers each workflow client to the hook, when one is installed, and returns it unchanged', () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    expect(offeredToLocalHook(client)).toBe(client);
    const offered: DynamoDBClient[] = [];
    slot[DYNAMODB_CLIENT_HOOK] = (c) => offered.push(c);
    expect(offeredToLocalHook(client)).toBe(client);
    expect(offered).toEqual([client]);
  });

  it('is installed by nothing outside local/, and the fault middleware lives in local/ only', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return sources(path);
        return /\.(ts|cjs|js|mjs)$/.test(name) ? [path] : [];
      });
    const files = ['shared', 'functions', 'infra', 'local'].flatMap((dir) => sources(join(REPO, dir)));
    const mentioning = (pattern: RegExp) =>
      files
        .filter((file) => pattern.test(readFileSync(file, 'utf8')))
        .map((file) => relative(REPO, file))
        .sort();
    expect(mentioning(/wfm-bridge\.local\.dynamodb-client-hook|DYNAMODB_CLIENT_HOOK\]\s*=/)).toEqual([
      'local/function-worker.cjs',
      'shared/runtime/dynamodb-client-hook.ts',
    ]);
    expect(readFileSync(join(REPO, 'shared/runtime/dynamodb-client-hook.ts'), 'utf8')).not.toMatch(
      /DYNAMODB_CLIENT_HOOK\]\s*=/,
    );
    // The middleware and its faults are local/ code; the lint rule keeps shared/ and functions/ from importing it.
    expect(
      mentioning(/(from|require\()\s*['"][^'"]*dynamodb-fault-(injector|switch)/).filter(
        (f) => !f.startsWith('local/'),
      ),
    ).toEqual([]);
  });
});
