/**
 * DynamoDB faults for the in-memory stores, scripted by tests: `throttled` — the write is refused
 * (ProvisionedThroughputExceededException) and nothing is written; `timeout-after-write` — the write landed but
 * its answer was lost; `none` lets one write pass, so a fault can target the n-th write.
 */
export type StateWriteFault = 'throttled' | 'timeout-after-write';

export function dynamoDbWriteError(fault: StateWriteFault): Error {
  const err = new Error(
    fault === 'throttled' ? 'Rate of requests exceeds the allowed throughput' : 'Socket timed out',
  );
  err.name = fault === 'throttled' ? 'ProvisionedThroughputExceededException' : 'TimeoutError';
  return err;
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
