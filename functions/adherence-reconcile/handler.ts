/** Adherence reconciliation (spec 002 section 4), every minute: repair drift between us and the WEM dashboard. */
import type { Context } from 'aws-lambda';
import { reconcile, reconcileBudget, reconcileReport } from '../../shared/domain/adherence-sync/reconcile';
import { countAll, reconcileCounts } from '../../shared/observability/run-metrics';
import { buildReconcileDeps } from './deps';

const { runtime, deps } = buildReconcileDeps();

export const handler = async (_event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  const now = runtime.clock.now();
  const budget =
    context && reconcileBudget(now, context.getRemainingTimeInMillis(), () => runtime.clock.now());
  const result = await reconcile(deps, now, budget);
  countAll(runtime.metrics, reconcileCounts(result));
  runtime.metrics.publishStoredMetrics();
  for (const line of reconcileReport(result)) runtime.logger[line.level](line.message, line.detail);
  return result;
};
