/** Nightly performance-export ingestion for reward-triggers (spec 004): not built yet, and says so. */
import { ingestionNotBuilt, type IngestionResult } from '../../shared/domain/reward-triggers/export-ingest';
import { buildRewardExportIngestDeps } from './deps';

const { runtime } = buildRewardExportIngestDeps();

export const handler = async (): Promise<IngestionResult> => {
  const result = ingestionNotBuilt();
  runtime.logger.warn(result.note);
  return result;
};
