/**
 * Delivery nonces in their own table (shared/tables.ts `WebhookNonces`): one conditional PutItem per delivery,
 * with the TTL attribute DynamoDB deletes expired items by. TTL deletion is lazy on AWS (it can lag by hours),
 * so the condition also treats an item past its `expiresAt` as absent. The plain DynamoDB client, not the
 * document client: the ingress bundle stays small.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { DeliveryNonce, DeliveryNonceStore, NonceClaim } from '../../ports/delivery-nonce-store';

export class DynamoDbDeliveryNonceStore implements DeliveryNonceStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async claim(nonce: DeliveryNonce, nowSeconds: number): Promise<NonceClaim> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: nonce.key },
            bodyHash: { S: nonce.bodyHash },
            receivedAt: { S: nonce.receivedAt },
            expiresAt: { N: String(nonce.expiresAt) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'first' };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return {
        kind: 'seen',
        bodyHash: err.Item?.bodyHash?.S ?? '',
        receivedAt: err.Item?.receivedAt?.S ?? '',
      };
    }
  }

  async release(key: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: key } } }));
  }
}
