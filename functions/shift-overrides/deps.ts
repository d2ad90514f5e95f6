/** Composition root of the shift-overrides processor. */
import { DynamoDbOverrideStateStore } from '../../shared/adapters/aws/override-state-store';
import { GenesysSchedulingAdapter } from '../../shared/adapters/genesys/scheduling';
import { ShiftOverridesSettingsSchema } from '../../shared/config/workflows/shift-overrides';
import {
  DEFAULT_LOCK_TTL_SECONDS,
  type ShiftOverridesDeps,
} from '../../shared/domain/shift-overrides/process-time-off';
import type { IngressRecheckDeps } from '../../shared/runtime/ingress-recheck';
import { buildVendorClient, waitScale } from '../../shared/runtime/vendor-client';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildShiftOverridesDeps() {
  const runtime = buildWorkflowRuntime();
  const settings = ShiftOverridesSettingsSchema.parse(JSON.parse(runtime.env.WORKFLOW_SETTINGS));
  const vendor = buildVendorClient(runtime);
  const deps: ShiftOverridesDeps = {
    genesys: new GenesysSchedulingAdapter(vendor.http, runtime.clock),
    store: new DynamoDbOverrideStateStore(runtime.doc, runtime.env.STATE_TABLE_NAME),
    locks: runtime.locks,
    audit: runtime.auditLog,
    events: runtime.publisher,
    clock: runtime.clock,
    settings,
    // The lease of a worker that died must have lapsed by the redelivery, which comes after the queue's
    // visibility timeout: 30 s against 6x the function timeout in AWS; locally the visibility timeout is
    // seconds, so the lease is scaled with the other waits (WFM_RETRY_SCALE, 0.1 locally: 3 s).
    lockTtlSeconds: Math.max(1, Math.round(DEFAULT_LOCK_TTL_SECONDS * waitScale())),
  };
  const recheck: IngressRecheckDeps = {
    workflow: 'shift-overrides',
    // What the ingress derives from the same settings (shared/config/function-env.ts ingressWorkflowSettings).
    settings: { timeOffOverrideScope: Object.keys(settings.reasonCodeByRequestType) },
    audit: runtime.auditLog,
    logger: runtime.logger,
    clock: runtime.clock,
  };
  return { runtime, deps, recheck };
}
