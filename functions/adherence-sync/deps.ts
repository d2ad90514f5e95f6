/** Composition root of the adherence-sync processor. */
import { DynamoDbAgentStateStore } from '../../shared/adapters/aws/agent-state-store';
import { GenesysWemAdapter } from '../../shared/adapters/genesys/adherence';
import { AdherenceSyncSettingsSchema } from '../../shared/config/workflows/adherence-sync';
import type { AdherenceDeps } from '../../shared/domain/adherence-sync/process-agent-state';
import { countAll, pushTelemetryCounts } from '../../shared/observability/run-metrics';
import { buildVendorClient } from '../../shared/runtime/vendor-client';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildAdherenceDeps() {
  const runtime = buildWorkflowRuntime();
  const settings = AdherenceSyncSettingsSchema.parse(JSON.parse(runtime.env.WORKFLOW_SETTINGS));
  const adherence = buildVendorClient(runtime, {
    limit: settings.rateLimit,
    limiterName: 'genesys-adherence',
    leaseSize: 5,
  });
  // Same vendor, same credentials: the general client shares the WEM client's token (one per instance, and
  // one across instances through the State table).
  const general = buildVendorClient(runtime, { tokens: adherence.tokens });
  const store = new DynamoDbAgentStateStore(runtime.doc, runtime.env.STATE_TABLE_NAME);
  const wem = new GenesysWemAdapter(
    adherence.http,
    general.http,
    runtime.clock,
    store,
    undefined,
    (telemetry) => countAll(runtime.metrics, pushTelemetryCounts(telemetry)),
  );
  const deps: AdherenceDeps = {
    wem,
    store,
    locks: runtime.locks,
    audit: runtime.auditLog,
    settings,
  };
  return { runtime, deps, settings, adherence, wem, store };
}
