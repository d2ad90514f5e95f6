/** Composition root of the reward-triggers processor: the ledger, the marketplace, the pseudonym key. */
import { ruleSourceFromEnv } from '../../shared/adapters/aws/appconfig-rule-source';
import { PointsRuleDocumentSchema } from '../../shared/domain/reward-triggers/points-rules.schema';
import { versionedDocument } from '../../shared/domain/rules/versioned-document';
import type { Context } from 'aws-lambda';
import { DynamoDbRewardLedgerStore } from '../../shared/adapters/aws/reward-ledger-store';
import { secretsManagerPseudonymKey } from '../../shared/adapters/aws/secrets-pseudonym-key';
import { RewardMarketplaceAdapter } from '../../shared/adapters/rewards/marketplace';
import { RewardTriggersSettingsSchema } from '../../shared/config/workflows/reward-triggers';
import {
  REWARD_ISSUE_IDEMPOTENCY,
  settleTransaction,
  type EvaluationDeps,
  type SettleRequest,
} from '../../shared/domain/reward-triggers/process-evaluation';
import { idempotentRecordHandler } from '../../shared/runtime/idempotent-record-handler';
import { buildVendorClient } from '../../shared/runtime/vendor-client';
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildRewardTriggersDeps() {
  const runtime = buildWorkflowRuntime();
  const { env } = runtime;
  const settings = RewardTriggersSettingsSchema.parse(JSON.parse(env.WORKFLOW_SETTINGS));
  // Composed with MARKETPLACE_RETRY and MARKETPLACE_TIMEOUTS: the processor's profile in shared/topology.ts.
  const marketplace = buildVendorClient(runtime);
  const base: EvaluationDeps = {
    ledger: new DynamoDbRewardLedgerStore(runtime.doc, env.STATE_TABLE_NAME),
    marketplace: new RewardMarketplaceAdapter(marketplace.http, { integrationId: settings.integrationId }),
    rules: ruleSourceFromEnv(runtime, 'reward-points-rules', versionedDocument(PointsRuleDocumentSchema)),
    audit: runtime.auditLog,
    events: runtime.publisher,
    clock: runtime.clock,
    pseudonymKey: secretsManagerPseudonymKey(env.VENDOR_SECRET_ID, env.SECRETS_CACHE_TTL_SECONDS),
    settings: {
      pendingDeadlineSeconds: settings.pendingDeadlineSeconds,
      pendingPollSeconds: settings.pendingPollSeconds,
      issueRetrySeconds: settings.issueRetrySeconds,
      exportVersion: settings.exportVersion,
    },
  };
  // The transaction id is the idempotency key: a settled transaction is never called again.
  const settleOnce = idempotentRecordHandler(
    (request: SettleRequest) => settleTransaction(request, base),
    REWARD_ISSUE_IDEMPOTENCY,
    { tableName: env.IDEMPOTENCY_TABLE_NAME, client: runtime.ddb },
  );
  const depsFor = (context?: Context): EvaluationDeps => ({
    ...base,
    settle: (request) => settleOnce(request, context),
  });
  return { runtime, depsFor };
}
