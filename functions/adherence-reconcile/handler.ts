/** Adherence reconciliation (spec 002 section 4), every minute: repair drift between us and the WEM dashboard. */
import { translateReasonCode } from '../../shared/domain/adherence-sync/windows';
import { reconcile } from '../../shared/domain/adherence-sync/reconcile';
import { count, MetricName } from '../../shared/observability/metrics';
import { buildAdherenceDeps } from '../adherence-sync/deps';

const { runtime, settings, adherence, wem, store } = buildAdherenceDeps();
const noReason = translateReasonCode(null, settings.reasonCodeMap);

export const handler = async () => {
  const result = await reconcile(
    {
      agents: () => store.list(),
      dashboard: (agentId) => wem.dashboard(agentId),
      wem,
      events: runtime.publisher,
      reasonCode: noReason.ok ? noReason.code : 'NONE',
      diagnostics: () => ({
        lastTokenRefreshAt: adherence.tokens.lastRefreshAt
          ? new Date(adherence.tokens.lastRefreshAt).toISOString()
          : undefined,
        lastRateLimitHeaders: adherence.http.lastRateLimitHeaders,
      }),
    },
    runtime.clock.now(),
  );
  if (result.repaired) count(runtime.metrics, MetricName.Drift, result.repaired);
  runtime.metrics.publishStoredMetrics();
  runtime.logger.info('adherence reconciled', result);
  return result;
};
