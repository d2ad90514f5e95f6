/**
 * Phase one of spec 003's two-phase processing, usable by any workflow: record a vendor event once, keyed by
 * its vendor event id (conditional put), before any rule runs. A redelivery finds the record and is a no-op.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './conditional-write';
import type { EventIntake, IntakeRecord } from '../../ports/event-intake';
import { STATE_KEY } from '../../tables';

export class DynamoDbEventIntake implements EventIntake {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays = 30,
  ) {}

  async recordOnce(record: IntakeRecord): Promise<boolean> {
    return conditionalWrite(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `${STATE_KEY.event}${record.workflow}#${record.eventId}`,
            sk: 'INTAKE',
            ...record,
            expiresAt: Math.floor(Date.parse(record.receivedAt) / 1000) + this.retentionDays * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
