/** Composition root of the shift-bids pending-request sweep: CXone, the bid records, the watermark, the queue. */
import { DynamoDbBidStateStore } from '../../shared/adapters/aws/bid-state-store';
import { SqsQueueSender } from '../../shared/adapters/aws/queue-sender';
import { DynamoDbWatermarkStore } from '../../shared/adapters/aws/watermark-store';
import { CxoneBiddingAdapter } from '../../shared/adapters/cxone/bidding';
import type { SweepDeps } from '../../shared/domain/shift-bids/sweep';
import { buildVendorClient } from '../../shared/runtime/vendor-client';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';
import { STATE_KEY } from '../../shared/tables';

export function buildShiftBidsSweepDeps() {
  const runtime = buildWorkflowRuntime();
  const vendor = buildVendorClient(runtime);
  const deps: SweepDeps = {
    cxone: new CxoneBiddingAdapter(vendor.http),
    store: new DynamoDbBidStateStore(runtime.doc, runtime.env.STATE_TABLE_NAME),
    watermark: new DynamoDbWatermarkStore(
      runtime.doc,
      runtime.env.STATE_TABLE_NAME,
      STATE_KEY.bidsSweepWatermark,
    ),
    queue: new SqsQueueSender(runtime.sqs, runtime.env.QUEUE_URL),
    clock: runtime.clock,
  };
  return { runtime, deps };
}
