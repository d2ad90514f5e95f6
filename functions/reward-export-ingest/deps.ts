/** Composition root of the reward export ingestion: the Genesys export reader, the ledger, the queue sender. */
import { DynamoDbWatermarkStore } from '../../shared/adapters/aws/watermark-store';
import { ruleSourceFromEnv } from '../../shared/adapters/aws/appconfig-rule-source';
import { PointsRuleDocumentSchema } from '../../shared/domain/reward-triggers/points-rules.schema';
import { versionedDocument } from '../../shared/domain/rules/versioned-document';
import { SqsQueueSender } from '../../shared/adapters/aws/queue-sender';
import { DynamoDbRewardLedgerStore } from '../../shared/adapters/aws/reward-ledger-store';
import { GenesysPerformanceExportAdapter } from '../../shared/adapters/genesys/performance-export';
import { RewardTriggersSettingsSchema } from '../../shared/config/workflows/reward-triggers';
import type { IngestionDeps } from '../../shared/domain/reward-triggers/ingest';
import { buildVendorClient } from '../../shared/runtime/vendor-client';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';
import { STATE_KEY } from '../../shared/tables';

export function buildRewardExportIngestDeps() {
  const runtime = buildWorkflowRuntime();
  const settings = RewardTriggersSettingsSchema.parse(JSON.parse(runtime.env.WORKFLOW_SETTINGS));
  const genesys = buildVendorClient(runtime);
  const deps: IngestionDeps = {
    reader: new GenesysPerformanceExportAdapter(genesys.http, { pageSize: settings.exportPageSize }),
    ledger: new DynamoDbRewardLedgerStore(runtime.doc, runtime.env.STATE_TABLE_NAME),
    watermark: new DynamoDbWatermarkStore(
      runtime.doc,
      runtime.env.STATE_TABLE_NAME,
      STATE_KEY.rewardsIngestionWatermark,
    ),
    rules: ruleSourceFromEnv(runtime, 'reward-points-rules', versionedDocument(PointsRuleDocumentSchema)),
    evaluations: new SqsQueueSender(runtime.sqs, runtime.env.QUEUE_URL),
    events: runtime.publisher,
    clock: runtime.clock,
  };
  return { runtime, settings, deps };
}
