/** Composition root of the shift-bids processor. */
import { randomUUID } from 'node:crypto';
import { ruleSourceFromEnv } from '../../shared/adapters/aws/appconfig-rule-source';
import { DynamoDbBidStateStore } from '../../shared/adapters/aws/bid-state-store';
import { DynamoDbScheduleCacheStore } from '../../shared/adapters/aws/schedule-cache-store';
import { EventBusSupervisorNotifier } from '../../shared/adapters/aws/supervisor-notifier';
import { CxoneBiddingAdapter } from '../../shared/adapters/cxone/bidding';
import { ShiftBidsSettingsSchema } from '../../shared/config/workflows/shift-bids';
import {
  recordShiftBidEvent,
  SHIFT_BIDS_IDEMPOTENCY,
  ShiftBidsMessage,
  toShiftBidIntakeEvent,
} from '../../shared/domain/shift-bids/intake';
import { RuleDocumentSchema } from '../../shared/domain/shift-bids/rules.schema';
import { CachedScheduleReads } from '../../shared/domain/shift-bids/schedule-cache';
import { type ShiftBidsDeps } from '../../shared/domain/shift-bids/workflow';
import { versionedDocument } from '../../shared/domain/rules/versioned-document';
import { idempotentIntake } from '../../shared/runtime/idempotent-intake';
import { buildVendorClient, waitScale } from '../../shared/runtime/vendor-client';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

/** How long a dead worker's claim on a shift blocks it (a live holder renews; see claimLeaseSeconds below). */
const CLAIM_LEASE_SECONDS = 30;

export function buildShiftBidsDeps() {
  const runtime = buildWorkflowRuntime();
  const settings = ShiftBidsSettingsSchema.parse(JSON.parse(runtime.env.WORKFLOW_SETTINGS));
  const vendor = buildVendorClient(runtime);
  const recordEvent = idempotentIntake(runtime, {
    message: ShiftBidsMessage,
    describes: 'a CXone bidding or schedule event',
    toEvent: toShiftBidIntakeEvent,
    record: recordShiftBidEvent,
    idempotency: SHIFT_BIDS_IDEMPOTENCY,
  });
  const rules = ruleSourceFromEnv(runtime, 'shift-bids-rules', versionedDocument(RuleDocumentSchema));
  const scheduleCache = new DynamoDbScheduleCacheStore(runtime.doc, runtime.env.STATE_TABLE_NAME);
  const deps: ShiftBidsDeps = {
    cxone: new CachedScheduleReads(new CxoneBiddingAdapter(vendor.http), scheduleCache, rules, runtime.clock),
    store: new DynamoDbBidStateStore(runtime.doc, runtime.env.STATE_TABLE_NAME),
    rules,
    notifier: new EventBusSupervisorNotifier(runtime.publisher),
    locks: runtime.locks,
    audit: runtime.auditLog,
    events: runtime.publisher,
    clock: runtime.clock,
    settings,
    newProcessingId: randomUUID,
    // A live holder renews its claim (a heartbeat every third of the lease), so the lease only bounds how long a
    // dead worker's claim blocks the shift: it must lapse well inside the bids' deferral budget (50 deferrals of
    // about claimRetrySeconds), or a bid waiting on it would be dead-lettered first. Scaled locally with the
    // other waits (WFM_RETRY_SCALE, 0.1).
    claimLeaseSeconds: Math.max(1, Math.round(CLAIM_LEASE_SECONDS * waitScale())),
    waitScale: waitScale(),
  };
  return { runtime, recordEvent, deps, scheduleCache };
}
