/**
 * Every custom metric the code emits, declared once (namespace WfmBridge). `count` and `countWith` are typed
 * against this catalogue, so code cannot emit an undeclared name or dimension set, and the infra tests check
 * every dashboard line and alarm of the synthesized template against it.
 *
 * CloudWatch treats each dimension set as its own metric. Every emission carries its emitter's base
 * dimensions: `service` (Powertools, from POWERTOOLS_SERVICE_NAME) and, in workflow functions, `workflow`
 * (`setDefaultDimensions`). A metric with a breakdown (`by`, e.g. `reason`) is published in one EMF blob under
 * two dimension sets: the base set (the total the dashboard and alarms query) and the base set plus the
 * breakdown (for drill-down, e.g. a SEARCH over `status`).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { RewardMetric } from '../domain/reward-triggers/metrics';

export const METRICS_NAMESPACE = 'WfmBridge';

/** Who emits a metric: the ingress (`service`=ingress) or a workflow function (`service`=`workflow`=its name). */
export type MetricEmitter = 'ingress' | 'workflow';

export const BASE_DIMENSIONS: Readonly<Record<MetricEmitter, readonly string[]>> = {
  ingress: ['service'],
  workflow: ['service', 'workflow'],
};

interface MetricDeclaration {
  readonly emitter: MetricEmitter;
  /** The breakdown dimensions added to the base set (published besides the base-set total). */
  readonly by: readonly string[];
  readonly description: string;
  /** A metric only this workflow emits: charted on its dashboard whether or not an alarm watches it. */
  readonly workflow?: string;
}

const reward = (description: string) =>
  ({ emitter: 'workflow', by: [], description, workflow: 'reward-triggers' }) as const;

export const METRIC_CATALOGUE = {
  Accepted: { emitter: 'ingress', by: ['workflow'], description: 'webhooks enqueued' },
  Ignored: {
    emitter: 'ingress',
    by: ['workflow'],
    description: 'well-formed events the workflow does not act on',
  },
  Duplicate: {
    emitter: 'ingress',
    by: ['workflow'],
    description: 'signed deliveries whose id was already taken (vendor retries, replays): not enqueued',
  },
  Rejected: { emitter: 'ingress', by: ['reason'], description: 'webhooks refused (4xx), by reason' },
  SignatureRejected: {
    emitter: 'ingress',
    by: ['workflow'],
    description: 'webhooks refused because their signature was missing, stale or wrong',
  },
  Quarantined: {
    emitter: 'ingress',
    by: ['workflow'],
    description: 'well-signed, schema-invalid events kept on the DLQ',
  },
  Processed: { emitter: 'workflow', by: [], description: 'records handled' },
  Failed: { emitter: 'workflow', by: [], description: 'records that threw' },
  DeadLettered: {
    emitter: 'workflow',
    by: ['reason'],
    description: 'records dead-lettered, by failure reason',
  },
  /** Put back on its queue by a RetryLater (shared/runtime/sqs-processor.ts). */
  Deferred: { emitter: 'workflow', by: ['reason'], description: 'records deferred, by reason' },
  VendorCalls: { emitter: 'workflow', by: ['status'], description: 'vendor HTTP calls, by status' },
  RateLimited: { emitter: 'workflow', by: [], description: 'vendor calls answered 429' },
  BreakerOpen: { emitter: 'workflow', by: [], description: 'the vendor circuit breaker opened' },
  TokenRefreshDuration: {
    emitter: 'workflow',
    by: [],
    description: 'how long a vendor token refresh took (its retries included), in milliseconds',
  },
  Drift: { emitter: 'workflow', by: [], description: 'agents reconciliation repaired' },
  WemRecalculations: {
    emitter: 'workflow',
    by: [],
    description: 'adherence pushes WEM took over 200 ms to process (a compliance recalculation, spec 002)',
    workflow: 'adherence-sync',
  },
  WemDispatchGaps: {
    emitter: 'workflow',
    by: [],
    description: 'adherence pushes answered over 500 ms after dispatch (a processing bottleneck, spec 002)',
    workflow: 'adherence-sync',
  },
  ReconcileDeferred: {
    emitter: 'workflow',
    by: [],
    description: 'agents a reconciliation run left for the next one (out of time)',
  },
  ReconcileErrors: {
    emitter: 'workflow',
    by: [],
    description: 'agents whose dashboard read or repair failed in a reconciliation run',
  },
  RuleDocumentRefused: {
    emitter: 'workflow',
    by: [],
    description:
      'reads that found a deployed rule document failing validation (the last good stays in force)',
  },
  [RewardMetric.ExportRowsRead]: reward('performance-export rows a reward ingestion run read'),
  [RewardMetric.ExportRowsLoaded]: reward('export rows that booked points (first time or a correction)'),
  [RewardMetric.ExportRowsRejected]: reward('malformed export rows skipped'),
  [RewardMetric.AgentsEvaluated]: reward('agents an ingestion run sent for a reward evaluation'),
  [RewardMetric.IngestionDurationMs]: reward('duration of an ingestion run, in milliseconds'),
  [RewardMetric.IngestionFailedDays]: reward('export days a run could not load (the run failed)'),
  [RewardMetric.IngestionPartial]: reward(
    'ingestion runs that stopped before their deadline with days left (the next run continues)',
  ),
  [RewardMetric.Issued]: reward('rewards the marketplace issued'),
  [RewardMetric.IssueRejected]: reward('rewards the marketplace answered REJECTED (REWARD_FAILURE)'),
  [RewardMetric.NeedsAdministrator]: reward(
    'rewards left locked for the WFM administrators (400/409, three failed attempts, PENDING too long)',
  ),
  [RewardMetric.Reversed]: reward('rewards reversed by a clawback'),
  [RewardMetric.ClawbackRefused]: reward('clawbacks the marketplace refused (the debt is recorded)'),
} as const satisfies Record<string, MetricDeclaration>;

export type MetricName = keyof typeof METRIC_CATALOGUE;
export const MetricName = Object.fromEntries(Object.keys(METRIC_CATALOGUE).map((k) => [k, k])) as {
  readonly [K in MetricName]: K;
};

/** Metrics with no breakdown. */
export type Plain = {
  [K in MetricName]: (typeof METRIC_CATALOGUE)[K]['by'] extends readonly [] ? K : never;
}[MetricName];
/** Metrics with a breakdown, and the dimensions each needs. */
type Broken = Exclude<MetricName, Plain>;
type BreakdownOf<N extends Broken> = Record<(typeof METRIC_CATALOGUE)[N]['by'][number], string>;

/** The dimension sets a metric is published under, by its emitter: the base set, then base plus breakdown. */
export function dimensionSetsOf(name: MetricName): readonly (readonly string[])[] {
  const declared: MetricDeclaration = METRIC_CATALOGUE[name];
  const base = BASE_DIMENSIONS[declared.emitter];
  return declared.by.length ? [base, [...base, ...declared.by]] : [base];
}

export function createMetrics(service: string): Metrics {
  return new Metrics({
    serviceName: service,
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  });
}

/** Counts one occurrence with its breakdown, in its own EMF blob: under the base set and base plus breakdown. */
export function countWith<N extends Broken>(
  metrics: Metrics,
  name: N,
  breakdown: BreakdownOf<N>,
  value = 1,
): void {
  const single = metrics.singleMetric();
  single.addDimensions({});
  single.addDimensions(breakdown as Record<string, string>);
  single.addMetric(name, MetricUnit.Count, value);
}

export function count(metrics: Metrics, name: Plain, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** Records one duration, in milliseconds, of a metric with no breakdown. */
export function recordDuration(metrics: Metrics, name: Plain, milliseconds: number): void {
  metrics.addMetric(name, MetricUnit.Milliseconds, milliseconds);
}
