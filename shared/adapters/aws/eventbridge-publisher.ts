import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent, DomainEventPublisher } from '../../ports/platform';

const MAX_ENTRIES_PER_CALL = 10;

export class EventBridgePublisher implements DomainEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly workflow: string,
  ) {}

  async publish(...events: DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_ENTRIES_PER_CALL) {
      const chunk = events.slice(i, i + MAX_ENTRIES_PER_CALL);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((e) => ({
            EventBusName: this.busName,
            Source: `wfm-bridge.${this.workflow}`,
            DetailType: e.type,
            Detail: JSON.stringify(e.detail),
          })),
        }),
      );
      if (result.FailedEntryCount) {
        const codes = (result.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean);
        throw new Error(
          `EventBridge rejected ${result.FailedEntryCount} domain event(s): ${codes.join(', ')}`,
        );
      }
    }
  }
}
