/**
 * Nightly performance-export ingestion for reward-triggers (spec 004): export rows become ledger entries, one
 * evaluation per agent moved goes to the reward-triggers queue. Scheduled runs read from the watermark; an
 * operator may pass `{ from, to, dryRun, runId }` (`wfm-bridge rewards ingest`; the run's progress is then kept
 * under its run id for the CLI's progress bar). A day that could not load fails the run, after the others. A run
 * near the invocation's timeout stops cleanly and says where the next one continues (`resumeFrom`).
 */
import type { Context } from 'aws-lambda';
import { count, recordDuration } from '../../shared/observability/metrics';
import {
  ingestExports,
  ingestionStatus,
  scheduledRange,
  type IngestionRange,
  type IngestionRequest,
} from '../../shared/domain/reward-triggers/ingest';
import { RewardMetric } from '../../shared/domain/reward-triggers/metrics';
import { checkOperatorRange } from '../../shared/domain/reward-triggers/operator-range';
import { localDate } from '../../shared/domain/time/local-days';
import { DynamoDbIngestionProgress } from '../../shared/adapters/aws/ingestion-progress-store';
import { buildRewardExportIngestDeps } from './deps';

const { runtime, settings, deps } = buildRewardExportIngestDeps();

export const handler = async (
  request: IngestionRequest = {},
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => {
  const today = localDate(runtime.clock.now(), settings.exportTimeZone);
  const range: IngestionRange =
    request.from || request.to
      ? {
          ...checkOperatorRange(request.from, request.to, today),
          today,
          advanceWatermark: false,
          dryRun: request.dryRun ?? true,
        }
      : {
          ...scheduledRange(await deps.watermark.read(), today, settings.firstRunDays),
          today,
          advanceWatermark: true,
        };
  const progress = request.runId
    ? new DynamoDbIngestionProgress(runtime.doc, runtime.env.STATE_TABLE_NAME, request.runId)
    : undefined;
  const remainingMs = context ? () => context.getRemainingTimeInMillis() : undefined;
  const summary = await ingestExports(range, { ...deps, remainingMs }, progress);
  const { metrics, logger } = runtime;
  count(metrics, RewardMetric.ExportRowsRead, summary.rowsRead);
  count(metrics, RewardMetric.ExportRowsLoaded, summary.rowsLoaded);
  count(metrics, RewardMetric.ExportRowsRejected, summary.rowsRejected);
  count(metrics, RewardMetric.AgentsEvaluated, summary.agentsEvaluated);
  recordDuration(metrics, RewardMetric.IngestionDurationMs, summary.durationMs);
  count(metrics, RewardMetric.IngestionFailedDays, summary.failedDays.length);
  count(metrics, RewardMetric.IngestionPartial, summary.resumeFrom === undefined ? 0 : 1);
  metrics.publishStoredMetrics();
  if (summary.rowsRejected) {
    logger.warn('malformed export rows skipped', { count: summary.rowsRejected, rows: summary.malformed });
  }
  if (summary.failedDays.length) {
    logger.error('reward export ingestion failed: days not loaded', { ...summary });
    throw new Error(
      `reward export ingestion: ${summary.failedDays.length} day(s) loaded nothing: ` +
        summary.failedDays.map((d) => `${d.date} ${d.reason}`).join('; '),
    );
  }
  if (ingestionStatus(summary) === 'partial') {
    logger.warn('reward export ingestion stopped before its deadline; the next run continues', {
      ...summary,
    });
    return summary;
  }
  logger.info('reward export ingestion completed', { ...summary });
  return summary;
};
