/**
 * DynamoDB faults for the in-memory stores, scripted by tests: `throttled` — the write is refused
 * (ProvisionedThroughputExceededException) and nothing is written; `timeout-after-write` — the write landed but
 * its answer was lost; `none` lets one write pass, so a fault can target the n-th write.
 */
import { RetryableFailure } from '../../errors';
import { DYNAMODB_UNAVAILABLE } from './dynamodb-unavailable';

export type StateWriteFault = 'throttled' | 'timeout-after-write';

/** What the real stores raise once the SDK has given up (shared/adapters/aws/dynamodb-unavailable.ts). */
export function dynamoDbWriteError(fault: StateWriteFault): Error {
  const sdkError =
    fault === 'throttled'
      ? 'ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput'
      : 'TimeoutError: Socket timed out';
  return new RetryableFailure(DYNAMODB_UNAVAILABLE, `DynamoDB write on the State table failed: ${sdkError}`);
}

export class ScriptedWriteFaults {
  /** Consumed one per write, in order. */
  readonly queue: (StateWriteFault | 'none')[] = [];

  async write<T>(apply: () => T): Promise<T> {
    const fault = this.queue.shift();
    if (fault === 'throttled') throw dynamoDbWriteError(fault);
    const result = apply();
    if (fault === 'timeout-after-write') throw dynamoDbWriteError(fault);
    return result;
  }
}
