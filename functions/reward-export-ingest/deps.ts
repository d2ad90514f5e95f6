/** Composition root of the reward export ingestion (issue 12 adds its export reader and queue sender). */
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

export function buildRewardExportIngestDeps() {
  return { runtime: buildWorkflowRuntime() };
}
