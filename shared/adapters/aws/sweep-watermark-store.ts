/** The shift-bids sweep's watermark in the State table (`pk = BIDS#SWEEP`, `sk = WATERMARK`), an ISO instant. */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SweepWatermarkStore } from '../../domain/shift-bids/sweep';
import { conditionalWrite } from './conditional-write';

export class DynamoDbSweepWatermarkStore implements SweepWatermarkStore {
  private readonly key = { pk: 'BIDS#SWEEP', sk: 'WATERMARK' };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(): Promise<string | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }),
    );
    return Item?.instant as string | undefined;
  }

  async advance(instant: string): Promise<void> {
    // A later watermark already stored stays (two overlapping runs).
    await conditionalWrite(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key, instant },
          ConditionExpression: 'attribute_not_exists(pk) OR instant <= :instant',
          ExpressionAttributeValues: { ':instant': instant },
        }),
      ),
    );
  }
}
