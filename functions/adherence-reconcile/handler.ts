/** Adherence reconciliation (spec 002 section 4), every minute: repair drift between us and the WEM dashboard. */
import type { Context } from 'aws-lambda';
import { translateReasonCode } from '../../shared/domain/adherence-sync/windows';
import { reconcile } from '../../shared/domain/adherence-sync/reconcile';
import { count, MetricName } from '../../shared/observability/metrics';
import { buildAdherenceDeps } from '../adherence-sync/deps';

const { runtime, settings, adherence, wem, store } = buildAdherenceDeps();
const noReason = translateReasonCode(null, settings.reasonCodeMap);

/** Stop checking this long before the function's timeout: the last dashboard read may wait for the limiter. */
const STOP_BEFORE_TIMEOUT_MS = 10_000;

export const handler = async (_event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
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
    context && {
      deadline: runtime.clock.now() + context.getRemainingTimeInMillis() - STOP_BEFORE_TIMEOUT_MS,
      clock: () => runtime.clock.now(),
    },
  );
  if (result.repaired) count(runtime.metrics, MetricName.Drift, result.repaired);
  runtime.metrics.publishStoredMetrics();
  runtime.logger.info('adherence reconciled', result);
  if (result.deferred)
    runtime.logger.warn(
      'reconciliation ran out of time: the least recently changed agents were not checked',
      {
        deferred: result.deferred,
      },
    );
  return result;
};
