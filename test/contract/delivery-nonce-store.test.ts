/**
 * The webhook replay guard's nonce store, against the DynamoDB adapter on DynamoDB Local (a table shaped like
 * shared/tables.ts `WebhookNonces`) and its in-memory fake: one first claim per key however many race, the
 * first delivery's record for the ones after it, a nonce past its expiry treated as absent (AWS deletes TTL'd
 * items lazily), and release. Real times: DynamoDB Local deletes items whose TTL has passed within a second.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDeliveryNonceStore } from '../../shared/adapters/aws/delivery-nonce-store';
import { InMemoryDeliveryNonceStore } from '../../shared/adapters/aws/delivery-nonce-store.fake';
import type { DeliveryNonce, DeliveryNonceStore } from '../../shared/ports/delivery-nonce-store';
import { useDynamoDbLocal } from '../helpers/dynamodb-local';

const dynamo = useDynamoDbLocal();
const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 9)}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const nonce = (key: string, bodyHash = 'hash-a'): DeliveryNonce => ({
  key,
  bodyHash,
  receivedAt: new Date().toISOString(),
  expiresAt: nowSeconds() + 300,
});

describe.each<[string, () => Promise<DeliveryNonceStore>]>([
  ['fake', async () => new InMemoryDeliveryNonceStore()],
  [
    'DynamoDB',
    async () => {
      const tableName = await dynamo.table('WebhookNonces');
      return new DynamoDbDeliveryNonceStore(dynamo.client(), tableName);
    },
  ],
])('delivery nonce store contract: %s', (_name, make) => {
  let store: DeliveryNonceStore;
  beforeEach(async () => {
    store = await make();
  });

  it('takes a key once, and answers later claims with what the first recorded', async () => {
    const key = unique('route#msg');
    const first = nonce(key);
    expect(await store.claim(first, nowSeconds())).toEqual({ kind: 'first' });
    expect(await store.claim(nonce(key, 'hash-b'), nowSeconds())).toEqual({
      kind: 'seen',
      bodyHash: 'hash-a',
      receivedAt: first.receivedAt,
    });
    expect(await store.claim(nonce(unique('route#other')), nowSeconds())).toEqual({ kind: 'first' });
  });

  it('lets exactly one of many concurrent claims of a key be first', async () => {
    const key = unique('route#race');
    const claims = await Promise.all(Array.from({ length: 12 }, () => store.claim(nonce(key), nowSeconds())));
    expect(claims.filter((c) => c.kind === 'first')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'seen')).toHaveLength(11);
  });

  it('treats a nonce past its expiry as absent, whether or not TTL has deleted it yet', async () => {
    const key = unique('route#expired');
    const held = nonce(key);
    await store.claim(held, nowSeconds());
    expect((await store.claim(nonce(key), held.expiresAt)).kind).toBe('seen');
    expect(await store.claim(nonce(key), held.expiresAt + 1)).toEqual({ kind: 'first' });
  });

  it('forgets a released nonce', async () => {
    const key = unique('route#released');
    await store.claim(nonce(key), nowSeconds());
    await store.release(key);
    expect(await store.claim(nonce(key), nowSeconds())).toEqual({ kind: 'first' });
  });
});

describe('delivery nonce store on DynamoDB', () => {
  it('writes the expiry as the TTL attribute DynamoDB deletes by (Unix seconds)', async () => {
    const tableName = await dynamo.table('WebhookNonces');
    const store = new DynamoDbDeliveryNonceStore(dynamo.client(), tableName);
    const held = nonce(unique('route#ttl'));
    await store.claim(held, nowSeconds());
    const { Item } = await dynamo.doc().send(new GetCommand({ TableName: tableName, Key: { pk: held.key } }));
    expect(Item).toMatchObject({ expiresAt: held.expiresAt, bodyHash: 'hash-a' });
  });
});
