import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The metric names every dashboard and alarm refers to; PascalCase, per workflow dimension. */
export const MetricName = {
  Accepted: 'Accepted',
  Ignored: 'Ignored',
  Rejected: 'Rejected',
  Quarantined: 'Quarantined',
  Processed: 'Processed',
  Failed: 'Failed',
  DeadLettered: 'DeadLettered',
  /** Put back on its queue by a RetryLater (shared/runtime/sqs-processor.ts). */
  Deferred: 'Deferred',
  VendorCalls: 'VendorCalls',
  RateLimited: 'RateLimited',
  BreakerOpen: 'BreakerOpen',
  Drift: 'Drift',
  /** A deployed rule document failed validation; the last good version stays in force (decision 0010). */
  RuleDocumentRefused: 'RuleDocumentRefused',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export function createMetrics(service: string): Metrics {
  return new Metrics({ serviceName: service });
}

/** Counts one occurrence with extra dimensions (e.g. reason, status) in its own EMF blob. */
export function countWith(
  metrics: Metrics,
  name: MetricName,
  dimensions: Record<string, string>,
  value = 1,
): void {
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, MetricUnit.Count, value);
}

export function count(metrics: Metrics, name: MetricName, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
