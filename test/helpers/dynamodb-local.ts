/**
 * DynamoDB Local for one test file: started before its tests, stopped after them; each call of `table`
 * creates a fresh table shaped like a declared one (shared/tables.ts), so tests never see each other's items.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal, type RunningDynamoDb } from '../../local/dynamodb-local';
import { createTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/provision';
import { TABLES, type TableDeclaration } from '../../shared/tables';

export interface DynamoDbLocalForTests {
  readonly doc: () => DynamoDBDocumentClient;
  /** The plain client, for adapters that marshal their own attributes. */
  readonly client: () => DynamoDBClient;
  /** Creates a new table shaped like the declared one and answers its name. */
  readonly table: (id: TableDeclaration['id']) => Promise<string>;
}

/** Registers beforeAll/afterAll hooks; call it at the top of a describe block or file. */
export function useDynamoDbLocal(): DynamoDbLocalForTests {
  let running: RunningDynamoDb | undefined;
  let client: DynamoDBClient | undefined;
  let doc: DynamoDBDocumentClient | undefined;
  let tables = 0;
  beforeAll(async () => {
    running = await startDynamoDbLocal();
    client = new DynamoDBClient({
      endpoint: running.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    doc = DynamoDBDocumentClient.from(client);
  }, 120_000);
  afterAll(async () => {
    client?.destroy();
    await running?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('DynamoDB Local is not started: use it inside a test or hook');
    return value;
  };
  return {
    doc: () => started(doc),
    client: () => started(client),
    table: async (id) => {
      const declared = TABLES.find((t) => t.id === id)!;
      const name = `contract-${id.toLowerCase()}-${++tables}-${Date.now().toString(36)}`;
      await createTable(started(client), { ...declared, name });
      return name;
    },
  };
}
