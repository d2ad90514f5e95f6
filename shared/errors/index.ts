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

/**
 * Not now: try again in `delaySeconds`. The runner puts the message back on its own queue after that delay
 * (jittered), without spending one of the queue's receives; after too many deferrals, or too long, it
 * dead-letters it as DEFERRAL_EXHAUSTED with this reason in the detail.
 */
export class RetryLater extends WorkflowFailure {
  constructor(
    reason: string,
    message: string,
    readonly delaySeconds: number,
    detail?: Record<string, unknown>,
  ) {
    super(reason, message, detail);
  }
}

/** Some messages could not be put on a queue; the rest were. Names each one left out and why. */
export class QueueSendError extends Error {
  constructor(
    readonly queue: string,
    readonly unsent: readonly { readonly id: string; readonly code: string; readonly message: string }[],
    readonly sent: number,
  ) {
    const listed = unsent
      .slice(0, 10)
      .map((u) => `${u.id} (${u.code}: ${u.message})`)
      .join('; ');
    const more = unsent.length > 10 ? `; and ${unsent.length - 10} more` : '';
    super(
      `Could not send ${unsent.length} of ${unsent.length + sent} messages to ${queue}: ${listed}${more}`,
    );
    this.name = 'QueueSendError';
  }
}

/**
 * A vendor answered 2xx with a body that breaks its contract (shared/contracts): the record fails at once with
 * the endpoint and the offending fields named, rather than a crash or a wrong decision deeper in the domain.
 * Field paths and zod's messages only: a vendor body may carry PII.
 */
export class VendorContractBreach extends PermanentFailure {
  constructor(
    readonly endpoint: string,
    readonly problems: readonly string[],
  ) {
    super(
      'VENDOR_CONTRACT_BREACH',
      `${endpoint} answered a body that breaks its contract: ${problems.join('; ')}`,
      { endpoint, problems },
    );
  }
}

/**
 * Spec 000's retry table: a 404 on a read means the resource does not exist ("log and skip"). The workflow
 * skips the record with an audit entry instead of dead-lettering it; nothing else is written.
 */
export class ResourceNotFound extends Error {
  constructor(
    /** What was read, e.g. `Genesys user 8f9e...`. */
    readonly resource: string,
    message: string,
  ) {
    super(message);
    this.name = 'ResourceNotFound';
  }
}
