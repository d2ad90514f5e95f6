/** Composition root of the adherence reconciliation: the adherence-sync adapters, seen as ReconcileDeps. */
import { reconcileReasonCode, type ReconcileDeps } from '../../shared/domain/adherence-sync/reconcile';
import { buildAdherenceDeps } from '../adherence-sync/deps';

export function buildReconcileDeps() {
  const { runtime, deps: adherenceDeps, settings, adherence, wem, store } = buildAdherenceDeps();
  const deps: ReconcileDeps = {
    agents: () => store.list(),
    dashboard: (agentId) => wem.dashboard(agentId),
    adherence: adherenceDeps,
    // Only a repaired drift publishes (adherence.drift), a rare path.
    events: runtime.publisherLoadedOnFirstEvent,
    reasonCode: reconcileReasonCode(settings.reasonCodeMap),
    diagnostics: () => ({
      lastTokenRefreshAt: adherence.tokens.lastRefreshAt
        ? new Date(adherence.tokens.lastRefreshAt).toISOString()
        : undefined,
      lastRateLimitHeaders: adherence.http.lastRateLimitHeaders,
    }),
  };
  return { runtime, deps };
}
