/**
 * `rewards ingest`: one invocation of the ingestion function for the operator's range, with the run's own
 * progress (days finished, rows read) polled from where the function reports it until the invocation answers.
 */
import { randomUUID } from 'node:crypto';
import type { IngestionSummary } from '../../shared/domain/reward-triggers/ingest';
import type { IngestionProgressReport } from '../../shared/domain/reward-triggers/ports';
import type { IngestionTarget } from './target';

export interface IngestRunOptions {
  readonly target: IngestionTarget;
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly onProgress?: (progress: IngestionProgressReport) => void;
  readonly pollMs?: number;
  readonly runId?: string;
}

export interface IngestRun {
  readonly runId: string;
  readonly summary?: IngestionSummary;
  readonly error?: Error;
  /** The last progress the function reported (what a failed run got through). */
  readonly lastProgress?: IngestionProgressReport;
}

export async function runIngestion(o: IngestRunOptions): Promise<IngestRun> {
  const runId = o.runId ?? `cli-${randomUUID()}`;
  let settled = false;
  let last: IngestionProgressReport | undefined;
  const seen = async () => {
    const progress = await o.target.progress(runId).catch(() => undefined);
    if (progress && (!last || progress.daysDone !== last.daysDone || progress.rowsRead !== last.rowsRead)) {
      last = progress;
      o.onProgress?.(progress);
    }
  };
  const invocation = o.target
    .invoke({ from: o.from, to: o.to, dryRun: o.dryRun, runId })
    .then(
      (summary) => ({ summary }),
      (error: Error) => ({ error }),
    )
    .finally(() => {
      settled = true;
    });
  const poll = (async () => {
    while (!settled) {
      await Promise.race([invocation, new Promise((r) => setTimeout(r, o.pollMs ?? 500))]);
      await seen();
    }
  })();
  const outcome = await invocation;
  await poll;
  return { runId, ...outcome, lastProgress: last };
}
