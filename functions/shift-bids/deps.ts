/** Composition root of the shift-bids processor. */
import { DynamoDbEventIntake } from '../../shared/adapters/aws/event-intake';
import {
  recordShiftBidEvent,
  SHIFT_BIDS_IDEMPOTENCY,
  type ShiftBidIntakeEvent,
  type ShiftBidsIntakeDeps,
} from '../../shared/domain/shift-bids/intake';
import { idempotentRecordHandler } from '../../shared/runtime/idempotent-record-handler';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildShiftBidsDeps() {
  const runtime = buildWorkflowRuntime();
  const deps: ShiftBidsIntakeDeps = {
    intake: new DynamoDbEventIntake(runtime.doc, runtime.env.STATE_TABLE_NAME),
    events: runtime.publisher,
  };
  const recordEvent = idempotentRecordHandler(
    (event: ShiftBidIntakeEvent) => recordShiftBidEvent(event, deps),
    SHIFT_BIDS_IDEMPOTENCY,
    { tableName: runtime.env.IDEMPOTENCY_TABLE_NAME, client: runtime.ddb },
  );
  return { runtime, recordEvent };
}
