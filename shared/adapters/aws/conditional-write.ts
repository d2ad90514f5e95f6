/** The DynamoDB adapters' conditional writes: a failed condition is an answer, not an error. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Awaits a sent write that carries a ConditionExpression: true when it was written, false when its condition
 * did not hold (nothing was written). Every other error is thrown.
 */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
