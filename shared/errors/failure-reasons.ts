import { ADHERENCE_SYNC_FAILURE_REASONS } from '../domain/adherence-sync/failure-reasons';
import { SHIFT_BIDS_FAILURE_REASONS } from '../domain/shift-bids/failure-reasons';
import { REWARD_TRIGGERS_FAILURE_REASONS } from '../domain/reward-triggers/failure-reasons';
import { SHIFT_OVERRIDES_FAILURE_REASONS } from '../domain/shift-overrides/failure-reasons';

/**
 * Every failure reason a message can be dead-lettered with. Each workflow adds its own list here;
 * test/unit/runbook.test.ts checks that docs/runbook.md explains each one.
 */
export const PLATFORM_FAILURE_REASONS = {
  SCHEMA_INVALID: 'A well-signed webhook failed its zod contract at ingress; kept for inspection.',
  VENDOR_CONTRACT_BREACH:
    'A vendor answered 2xx with a body that breaks its contract (shared/contracts); the broken fields are named.',
  MESSAGE_UNREADABLE: 'The queue message body is not the JSON envelope the processor expects.',
  RETRIES_EXHAUSTED: 'A transient failure persisted through every allowed receive.',
  UNEXPECTED_ERROR: 'An error the workflow did not classify; see the logs for the stack trace.',
  DEFERRAL_EXHAUSTED: 'A handler kept saying "retry later" past the deferral limits (count or age).',
  IDEMPOTENCY_PAYLOAD_MISMATCH:
    'An idempotency key already processed arrived again with a different payload.',
  IDEMPOTENCY_IN_PROGRESS: 'Another invocation held the idempotency key on every allowed receive.',
  IDEMPOTENCY_KEY_MISSING: 'The canonical event had no value at its idempotency key path.',
  IDEMPOTENCY_STORE_UNAVAILABLE:
    'The Idempotency table could not be read or written on every allowed receive.',
  DYNAMODB_UNAVAILABLE:
    'A DynamoDB call was throttled, timed out or failed (5xx) through the SDK retries on every allowed receive; the detail names the operation and table.',
  RULE_DOCUMENT_UNAVAILABLE:
    'No valid version of the rule document the workflow needs has been loaded (none deployed, or refused).',
} as const;

/** Every reason, by workflow; the runbook test checks each appears in docs/runbook.md. */
export const FAILURE_REASONS = {
  platform: PLATFORM_FAILURE_REASONS,
  'shift-overrides': SHIFT_OVERRIDES_FAILURE_REASONS,
  'adherence-sync': ADHERENCE_SYNC_FAILURE_REASONS,
  'shift-bids': SHIFT_BIDS_FAILURE_REASONS,
  'reward-triggers': REWARD_TRIGGERS_FAILURE_REASONS,
} as const;
