/** Composition root of the shift-bids processor. */
import {
  recordShiftBidEvent,
  SHIFT_BIDS_IDEMPOTENCY,
  ShiftBidsMessage,
  toShiftBidIntakeEvent,
} from '../../shared/domain/shift-bids/intake';
import { idempotentIntake } from '../../shared/runtime/idempotent-intake';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildShiftBidsDeps() {
  const runtime = buildWorkflowRuntime();
  const recordEvent = idempotentIntake(runtime, {
    message: ShiftBidsMessage,
    describes: 'a CXone bidding or schedule event',
    toEvent: toShiftBidIntakeEvent,
    record: recordShiftBidEvent,
    idempotency: SHIFT_BIDS_IDEMPOTENCY,
  });
  return { runtime, recordEvent };
}
