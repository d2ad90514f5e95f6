/**
 * The local LeadingKeys guard (issue 13) with the real SDK on DynamoDB Local: what a function's State-table grant
 * allows passes through, anything else is refused as IAM refuses it, and recorded.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { INGRESS_CALLER } from '../../local/grant-guard';
import {
  ingressRefusal,
  startLeadingKeysGuard,
  stateTableAccess,
  stringLike,
  type LeadingKeysGuard,
} from '../../local/leading-keys-guard';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/provision';
import { useDynamoDbLocal } from '../helpers/dynamodb-local';

const dynamo = useDynamoDbLocal();
let guard: LeadingKeysGuard;
let table: string;
let nonceTable: string;
let endpoint: string;

beforeAll(async () => {
  table = await dynamo.table('State');
  nonceTable = await dynamo.table('WebhookNonces');
  // The helper's client knows DynamoDB Local's endpoint; the guard forwards to it.
  endpoint = await dynamo.client().config.endpoint!().then((e) => `${e.protocol}//${e.hostname}:${e.port}`);
  guard = await startLeadingKeysGuard(endpoint, { state: table, webhookNonces: nonceTable });
});
afterAll(() => guard?.stop());

const docFor = (workflow: string, fn: string) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: guard.endpointFor(workflow, fn),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
  );

describe('LeadingKeys guard', () => {
  it("lets a function reach its own partition keys and refuses another workflow's, its token included", async () => {
    const adherence = docFor('adherence-sync', 'processor');
    await adherence.send(new PutCommand({ TableName: table, Item: { pk: 'AGENT#a-1', sk: 'STATE' } }));
    await adherence.send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'TOKEN#genesys#adherence-sync#wem:agent:view', sk: 'TOKEN' },
      }),
    );
    expect(
      (await adherence.send(new GetCommand({ TableName: table, Key: { pk: 'AGENT#a-1', sk: 'STATE' } })))
        .Item,
    ).toBeDefined();
    await expect(
      adherence.send(new PutCommand({ TableName: table, Item: { pk: 'TIMEOFF#t-1', sk: 'REQUEST' } })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(
      adherence.send(
        new GetCommand({ TableName: table, Key: { pk: 'TOKEN#genesys#shift-overrides#x', sk: 'TOKEN' } }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(
      adherence.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: { ':pk': 'REWARDS#a-1' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Scan: the reconciliation lists agents; the processor may not.
    await expect(adherence.send(new ScanCommand({ TableName: table }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await docFor('adherence-sync', 'adherence-reconciliation').send(new ScanCommand({ TableName: table }));
    expect(guard.violations().map((v) => [v.fn, v.action])).toEqual([
      ['adherence-sync/processor', 'PutItem'],
      ['adherence-sync/processor', 'GetItem'],
      ['adherence-sync/processor', 'Query'],
      ['adherence-sync/processor', 'Scan'],
    ]);
  });

  it('reads the partition keys of every request shape, and matches them as StringLike', () => {
    const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'x' } });
    expect(
      stateTableAccess(
        'TransactWriteItems',
        {
          TransactItems: [
            { Put: { TableName: 'S', Item: key('A#1') } },
            { Update: { TableName: 'Other', Key: key('B#1') } },
            { ConditionCheck: { TableName: 'S', Key: key('C#1') } },
          ],
        },
        'S',
      ),
    ).toEqual({ partitionKeys: ['A#1', 'C#1'], scan: false });
    expect(
      stateTableAccess('BatchGetItem', { RequestItems: { S: { Keys: [key('A#1'), key('A#2')] } } }, 'S')
        .partitionKeys,
    ).toEqual(['A#1', 'A#2']);
    expect(
      stateTableAccess(
        'Query',
        {
          TableName: 'S',
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
          ExpressionAttributeValues: { ':p': { S: 'A#1' }, ':s': { S: 'X' } },
        },
        'S',
      ).partitionKeys,
    ).toEqual(['A#1']);
    expect(stringLike('TOKEN#genesys#adherence-sync#*', 'TOKEN#genesys#adherence-sync#wem:x')).toBe(true);
    expect(stringLike('TOKEN#genesys#adherence-sync#*', 'TOKEN#genesys#adherence-sync-2#x')).toBe(false);
    expect(stringLike('BIDS#SWEEP', 'BIDS#SWEEPX')).toBe(false);
  });

  it("gives the ingress the replay guard's put and delete on its table, and nothing else", async () => {
    const before = guard.violations().length;
    const ingress = docFor(INGRESS_CALLER.workflow, INGRESS_CALLER.fnId);
    const nonce = { pk: 'DELIVERY#route#d-1' };
    await ingress.send(
      new PutCommand({ TableName: nonceTable, Item: nonce, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    await ingress.send(new DeleteCommand({ TableName: nonceTable, Key: nonce }));
    await expect(ingress.send(new GetCommand({ TableName: nonceTable, Key: nonce }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(
      ingress.send(new PutCommand({ TableName: table, Item: { pk: 'TIMEOFF#t-1', sk: 'REQUEST' } })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(
      guard
        .violations()
        .slice(before)
        .map((v) => [v.fn, v.action]),
    ).toEqual([
      ['ingress/webhook', 'GetItem'],
      ['ingress/webhook', 'PutItem'],
    ]);
    expect(ingressRefusal('BatchWriteItem', { RequestItems: { [nonceTable]: [] } }, nonceTable)).toBe(
      `BatchWriteItem on no single table is outside its grant (PutItem, DeleteItem on ${nonceTable})`,
    );
  });
});
