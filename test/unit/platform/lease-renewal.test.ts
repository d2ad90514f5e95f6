/** The lease heartbeat on a fake clock: it renews every third of the TTL while held, and never after release. */
import type { DynamoDBDocumentClient, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLockManager } from '../../../shared/adapters/aws/dynamodb-lock';
import { FakeClock } from '../../helpers/fake-clock';

/** A DynamoDB document client that accepts every command and remembers its kind and lease time. */
function recordingDoc() {
  const sent: { kind: string; leaseUntil?: unknown }[] = [];
  const doc = {
    send: async (command: PutCommand | UpdateCommand | DeleteCommand) => {
      const kind = command.constructor.name;
      const leaseUntil =
        command instanceof PutCommand
          ? command.input.Item?.leaseUntil
          : command instanceof UpdateCommand
            ? command.input.ExpressionAttributeValues?.[':until']
            : undefined;
      sent.push({ kind, leaseUntil });
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, sent };
}

describe('lease renewal', () => {
  it('extends the lease every third of its TTL while held, and stops on release', async () => {
    const clock = new FakeClock();
    const { doc, sent } = recordingDoc();
    const start = clock.now();
    const lease = await new DynamoDbLockManager(doc, 'State', clock).tryAcquire('agent#a1', 15);
    expect(sent).toEqual([{ kind: 'PutCommand', leaseUntil: start + 15_000 }]);

    await clock.advance(5_000);
    await clock.advance(5_000);
    const renewals = () => sent.filter((c) => c.kind === 'UpdateCommand');
    expect(renewals()).toEqual([
      { kind: 'UpdateCommand', leaseUntil: start + 20_000 },
      { kind: 'UpdateCommand', leaseUntil: start + 25_000 },
    ]);

    await lease!.release();
    expect(sent.at(-1)).toEqual({ kind: 'DeleteCommand', leaseUntil: undefined });
    await clock.advance(60_000);
    expect(renewals()).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });
});
