/**
 * Failures a workflow raises while processing a message. The processor runner (shared/runtime) turns a
 * `PermanentFailure` into a dead-lettered message carrying `reason` as its `failureReason` attribute,
 * and a `RetryableFailure` (or any other error) into a batch item failure for SQS to redeliver; on the
 * last allowed receive it dead-letters that one too, with its reason.
 *
 * Every reason code is declared in a `*FAILURE_REASONS` list (see shared/errors/failure-reasons.ts) so
 * the runbook can be checked against the code.
 */
export class WorkflowFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Will fail the same way on every redelivery: dead-letter now, with the reason. */
export class PermanentFailure extends WorkflowFailure {}

/** May succeed on redelivery (vendor 429/5xx, lock held by another worker...). */
export class RetryableFailure extends WorkflowFailure {}
