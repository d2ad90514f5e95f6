/**
 * Nightly performance-export ingestion for reward-triggers (spec 004). Not built yet — no issue has been
 * filed for the reward workflow — so the schedule exists in both runtimes (topology parity) and this
 * function only reports that it did nothing, loudly, rather than pretending to ingest.
 */
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

const runtime = buildWorkflowRuntime();

export const handler = async (): Promise<{ ingested: number; note: string }> => {
  const note =
    'reward export ingestion is not implemented yet (spec 004 workflow has no issue); nothing ingested';
  runtime.logger.warn(note);
  return { ingested: 0, note };
};
