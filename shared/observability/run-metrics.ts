/**
 * Which counts a result publishes, mapped here as data so a unit test pins every one (a handler that drops a
 * count line would otherwise pass every test). The handler or composition root publishes them with `countAll`.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { PushTelemetry } from '../adapters/genesys/adherence';
import type { ReconcileResult } from '../domain/adherence-sync/reconcile';
import { count, MetricName, type Plain } from './metrics';

export interface MetricCount {
  readonly name: Plain;
  readonly value: number;
}

export function reconcileCounts(result: Pick<ReconcileResult, 'repaired' | 'deferred' | 'failed'>) {
  const counts: MetricCount[] = [];
  if (result.repaired) counts.push({ name: MetricName.Drift, value: result.repaired });
  // Every run reports both, zeros included: the ReconcileDeferred alarm looks for runs that keep deferring.
  counts.push({ name: MetricName.ReconcileDeferred, value: result.deferred });
  counts.push({ name: MetricName.ReconcileErrors, value: result.failed });
  return counts;
}

/** Spec 002 latency telemetry of one accepted adherence push. */
export function pushTelemetryCounts(telemetry: Pick<PushTelemetry, 'recalculating' | 'bottleneck'>) {
  const counts: MetricCount[] = [];
  if (telemetry.recalculating) counts.push({ name: MetricName.WemRecalculations, value: 1 });
  if (telemetry.bottleneck) counts.push({ name: MetricName.WemDispatchGaps, value: 1 });
  return counts;
}

export function countAll(metrics: Metrics, counts: readonly MetricCount[]): void {
  for (const { name, value } of counts) count(metrics, name, value);
}
