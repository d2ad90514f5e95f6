/**
 * Per-agent adherence state in the State table (`pk = AGENT#<agentId>`, `sk = STATE`). `advance` is a
 * conditional write on event time, so on a standard queue a late, older event can never overwrite a newer one.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AgentRecord, AgentStateStore } from '../../domain/adherence-sync/ports';
import type { AdherenceState } from '../../domain/adherence-sync/transitions';

export class DynamoDbAgentStateStore implements AgentStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(agentId: string): Promise<AgentRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `AGENT#${agentId}`, sk: 'STATE' },
        ConsistentRead: true,
      }),
    );
    return Item
      ? { agentId, state: Item.state as AdherenceState, eventTime: Item.eventTime as number }
      : undefined;
  }

  async advance(record: AgentRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `AGENT#${record.agentId}`,
            sk: 'STATE',
            state: record.state,
            eventTime: record.eventTime,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR eventTime < :t',
          ExpressionAttributeValues: { ':t': record.eventTime },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async hold(agentId: string, state: AdherenceState, eventTime: number, reason: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `AGENT#${agentId}`, sk: `HELD#${eventTime}`, state, eventTime, reason },
      }),
    );
  }
}
