import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AwsFake } from '../../../local/aws-fake';
import { LOCAL_CREDENTIALS } from '../../../local/provision';

describe('AwsFake event bus', () => {
  it('keeps the newest events up to its limit, so a long-running runtime does not grow without end', async () => {
    const seen: string[] = [];
    const fake = new AwsFake((e) => seen.push(e.detailType), 2);
    await fake.listen(0);
    const bus = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: fake.url,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      for (const detailType of ['first', 'second', 'third'])
        await bus.send(
          new PutEventsCommand({
            Entries: [{ EventBusName: 'default', Source: 'test', DetailType: detailType, Detail: '{}' }],
          }),
        );
      expect(fake.events.map((e) => e.detailType)).toEqual(['second', 'third']);
      // Every event still reaches the target; only the list behind GET /_local/events is trimmed.
      expect(seen).toEqual(['first', 'second', 'third']);
    } finally {
      bus.destroy();
      await fake.close();
    }
  });
});
