/**
 * The shared vendor-token store's contract, against the DynamoDB adapter on DynamoDB Local and its in-memory
 * fake: one token per key, a refresh lease that only one instance holds until it expires, and a replacement
 * written only by the lease's holder.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTokenStore } from '../../shared/adapters/aws/dynamodb-token-store';
import { InMemoryTokenStore } from '../../shared/adapters/aws/dynamodb-token-store.fake';
import type { SharedTokenStore } from '../../shared/ports/token-store';
import { useDynamoDbLocal } from '../helpers/dynamodb-local';

const dynamo = useDynamoDbLocal();
const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 9)}`;
// Near the real time: DynamoDB Local deletes items whose TTL (the token's expiry) has passed, within a second.
const T0 = Math.floor(Date.now() / 1000) * 1000;
const token = (value: string, obtainedAt = T0) => ({ value, obtainedAt, expiresAt: obtainedAt + 3600_000 });

interface Subject {
  /** Two handles on the same token, as two instances have. */
  stores: [SharedTokenStore, SharedTokenStore];
  /** Another client's token (other credentials). */
  other: SharedTokenStore;
}

describe.each<[string, () => Promise<Subject>]>([
  [
    'fake',
    async () => {
      const shared = new InMemoryTokenStore();
      return { stores: [shared, shared], other: new InMemoryTokenStore() };
    },
  ],
  [
    'DynamoDB',
    async () => {
      const tableName = await dynamo.table('State');
      const credentialsId = unique('secret');
      const make = (id: string) =>
        new DynamoDbTokenStore({ doc: dynamo.doc(), tableName, vendor: 'genesys', credentialsId: id });
      return { stores: [make(credentialsId), make(credentialsId)], other: make(unique('secret')) };
    },
  ],
])('shared token store contract: %s', (_name, make) => {
  let a: SharedTokenStore;
  let b: SharedTokenStore;
  let other: SharedTokenStore;
  beforeEach(async () => {
    ({
      stores: [a, b],
      other,
    } = await make());
  });

  it('starts empty; the lease holder stores the first token, which every instance then reads', async () => {
    expect(await a.read()).toEqual({});
    expect(await a.tryLease({ owner: 'a', until: T0 + 15_000 }, 0, T0)).toBe(true);
    expect(await b.read()).toEqual({ lease: { owner: 'a', until: T0 + 15_000 } });
    expect(await a.replace('a', token('t1'))).toEqual({ ...token('t1'), generation: 1 });
    expect(await b.read()).toEqual({ token: { ...token('t1'), generation: 1 } });
    expect(await other.read()).toEqual({});
  });

  it('grants a live lease to one instance only, and not on a generation already replaced', async () => {
    expect(await a.tryLease({ owner: 'a', until: T0 + 15_000 }, 0, T0)).toBe(true);
    expect(await b.tryLease({ owner: 'b', until: T0 + 15_000 }, 0, T0 + 1)).toBe(false);
    await a.replace('a', token('t1'));
    // b read generation 0 before a stored t1: its lease would replace a token it never saw.
    expect(await b.tryLease({ owner: 'b', until: T0 + 20_000 }, 0, T0 + 2)).toBe(false);
    expect(await b.tryLease({ owner: 'b', until: T0 + 20_000 }, 1, T0 + 2)).toBe(true);
    expect(await b.replace('b', token('t2', T0 + 3))).toMatchObject({ value: 't2', generation: 2 });
  });

  it("takes over an expired lease; the first holder's late token is then refused", async () => {
    expect(await a.tryLease({ owner: 'a', until: T0 + 15_000 }, 0, T0)).toBe(true);
    expect(await b.tryLease({ owner: 'b', until: T0 + 30_000 }, 0, T0 + 15_000)).toBe(false); // still live
    expect(await b.tryLease({ owner: 'b', until: T0 + 31_000 }, 0, T0 + 15_001)).toBe(true);
    expect(await a.replace('a', token('late'))).toBeUndefined();
    expect(await b.replace('b', token('t1'))).toMatchObject({ value: 't1', generation: 1 });
    expect((await a.read()).token?.value).toBe('t1');
  });

  it('a released lease leaves the token as it was and frees the refresh at once', async () => {
    await a.tryLease({ owner: 'a', until: T0 + 15_000 }, 0, T0);
    await a.replace('a', token('t1'));
    await a.tryLease({ owner: 'a', until: T0 + 15_000 }, 1, T0);
    await b.releaseLease('b'); // not b's: changes nothing
    expect((await a.read()).lease?.owner).toBe('a');
    await a.releaseLease('a');
    expect(await b.read()).toEqual({ token: { ...token('t1'), generation: 1 } });
    expect(await b.tryLease({ owner: 'b', until: T0 + 15_000 }, 1, T0 + 1)).toBe(true);
  });
});

describe('DynamoDB token item', () => {
  it('holds only the token, its times, its generation and a TTL equal to its expiry', async () => {
    const tableName = await dynamo.table('State');
    const store = new DynamoDbTokenStore({
      doc: dynamo.doc(),
      tableName,
      vendor: 'genesys',
      credentialsId: 'wfm-bridge/dev/vendor/genesys',
    });
    await store.tryLease({ owner: 'a', until: T0 + 15_000 }, 0, T0);
    const key = { pk: 'TOKEN#genesys#wfm-bridge/dev/vendor/genesys', sk: 'TOKEN' };
    const leased = (await dynamo.doc().send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    expect(leased?.expiresAt).toBe(Math.ceil((T0 + 15_000) / 1000) + 3600);
    await store.replace('a', token('t1'));
    const { Item } = await dynamo.doc().send(new GetCommand({ TableName: tableName, Key: key }));
    expect(Item).toEqual({
      ...key,
      accessToken: 't1',
      obtainedAt: T0,
      tokenExpiresAt: T0 + 3600_000,
      generation: 1,
      expiresAt: (T0 + 3600_000) / 1000,
    });
  });
});
