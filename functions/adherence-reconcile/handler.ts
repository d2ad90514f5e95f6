/**
 * Adherence reconciliation (spec 002 section 4) is not built yet (issue 4 is open): the schedule exists in both
 * runtimes for parity, and this function says plainly that it did nothing.
 */
import { buildWorkflowRuntime } from '../../shared/runtime/workflow-runtime';

const runtime = buildWorkflowRuntime();

export const handler = async (): Promise<{ reconciled: number; note: string }> => {
  const note = 'adherence reconciliation is not implemented yet (issue 4); nothing compared';
  runtime.logger.warn(note);
  return { reconciled: 0, note };
};
