/** A watermark in the State table: `pk = <name>`, `sk = WATERMARK`, moved forward with a conditional put. */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WatermarkStore } from '../../ports/watermark-store';
import { conditionalWrite } from './conditional-write';

export class DynamoDbWatermarkStore implements WatermarkStore {
  private readonly key: { pk: string; sk: string };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The item's partition key, e.g. `REWARDS#INGESTION` or `BIDS#SWEEP`. */
    name: string,
  ) {
    this.key = { pk: name, sk: 'WATERMARK' };
  }

  async read(): Promise<string | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }),
    );
    return Item?.watermark as string | undefined;
  }

  async advance(value: string): Promise<void> {
    await conditionalWrite(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key, watermark: value },
          ConditionExpression: 'attribute_not_exists(pk) OR watermark <= :value',
          ExpressionAttributeValues: { ':value': value },
        }),
      ),
    );
  }
}
