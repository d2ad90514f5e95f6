import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRewardLedgerStore } from '../../../shared/adapters/aws/reward-ledger-store';

type Key = { pk: string; sk: string };

/** A DynamoDB that leaves the keys after the first `served` of each BatchGetItem unprocessed (throttling). */
function throttlingDynamo(served: number) {
  const asked: number[] = [];
  const doc = {
    send: async (command: { input: { RequestItems: Record<string, { Keys: Key[] }> } }) => {
      const [table, { Keys }] = Object.entries(command.input.RequestItems)[0]!;
      asked.push(Keys.length);
      const now = Keys.slice(0, served);
      const later = Keys.slice(served);
      return {
        Responses: {
          [table]: now.map((k) => ({ ...k, booking: { date: k.sk.slice(4) }, revision: 1 })),
        },
        UnprocessedKeys: later.length ? { [table]: { Keys: later } } : {},
      };
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, asked };
}

describe('row bookings read in a batch (DynamoDB adapter)', () => {
  it('asks again for the unprocessed keys, after a backoff, and answers every row in order', async () => {
    const { doc, asked } = throttlingDynamo(40);
    const store = new DynamoDbRewardLedgerStore(doc, 'State');
    const rows = Array.from({ length: 100 }, (_, i) => ({ agentId: `a${i}`, date: `2026-05-${i}` }));
    const read = await store.rowBookings(rows);
    expect(asked).toEqual([100, 60, 20]);
    expect(read.map((r) => r?.booking.date)).toEqual(rows.map((r) => r.date));
  });

  it('gives up when keys stay unprocessed round after round', async () => {
    const { doc, asked } = throttlingDynamo(0);
    const store = new DynamoDbRewardLedgerStore(doc, 'State');
    await expect(store.rowBookings([{ agentId: 'a1', date: '2026-05-01' }])).rejects.toThrow(/unprocessed/);
    expect(asked).toHaveLength(8);
  }, 30_000);
});
