import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/observability/metrics';
import { API_ACCESS_LOG_NAMESPACE, type AlarmDeclaration } from '../../shared/topology';

/** The phrase every alarm description ends with; the runbook test reads the kind back from the template. */
export const runbookReference = (kind: string) => `See docs/runbook.md, alarm ${kind}.`;

/** What a declared alarm's metric is measured on, where it is built. */
export interface AlarmTargets {
  /** The emitter's base dimensions of the project's custom metrics (`service`, and `workflow`). */
  readonly customDimensions?: Readonly<Record<string, string>>;
  readonly fn?: lambda.IFunction;
  readonly api?: apigw.RestApi;
  /** The webhook API's access log group, where `api-access-log` alarms count their lines. */
  readonly apiAccessLogs?: logs.ILogGroup;
}

export interface AlarmOptions {
  readonly threshold: number;
  readonly description: string;
  readonly kind: string;
  readonly topic: sns.ITopic;
  readonly evaluationPeriods?: number;
  readonly comparison?: 'greater' | 'less';
  readonly whenMissing?: 'notBreaching' | 'breaching';
}

export function alarmOn(scope: Construct, id: string, metric: cloudwatch.IMetric, o: AlarmOptions) {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric,
    threshold: o.threshold,
    evaluationPeriods: o.evaluationPeriods ?? 1,
    comparisonOperator:
      o.comparison === 'less'
        ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
        : cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData:
      o.whenMissing === 'breaching'
        ? cloudwatch.TreatMissingData.BREACHING
        : cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `${o.description}. ${runbookReference(o.kind)}`,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(o.topic));
  return alarm;
}

/** The metric a declaration watches. */
export function declaredMetric(a: AlarmDeclaration, on: AlarmTargets): cloudwatch.IMetric {
  const options = { period: Duration.minutes(a.periodMinutes), statistic: a.statistic };
  switch (a.source) {
    case 'custom':
      if (!on.customDimensions) throw new Error(`Alarm ${a.id} needs its emitter's dimensions`);
      return new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: a.metricName,
        dimensionsMap: { ...on.customDimensions, ...a.dimensions },
        ...options,
      });
    case 'lambda':
      if (!on.fn) throw new Error(`Alarm ${a.id} needs its function`);
      return on.fn.metric(a.metricName, options);
    case 'api':
      if (!on.api) throw new Error(`Alarm ${a.id} needs the API`);
      return a.metricName === '5XXError' ? on.api.metricServerError(options) : on.api.metricLatency(options);
    case 'api-access-log':
      if (!on.apiAccessLogs) throw new Error(`Alarm ${a.id} needs the API's access log group`);
      return on.apiAccessLogs
        .addMetricFilter(`${a.metricName}Filter`, {
          filterPattern: logs.FilterPattern.literal(a.filterPattern),
          metricNamespace: API_ACCESS_LOG_NAMESPACE,
          metricName: a.metricName,
          metricValue: '1',
        })
        .metric(options);
  }
}

/** An alarm built from its topology declaration (decision 0006). `scopeLabel` leads its description. */
export function declaredAlarm(
  scope: Construct,
  id: string,
  a: AlarmDeclaration,
  on: AlarmTargets,
  scopeLabel: string,
  topic: sns.ITopic,
) {
  return alarmOn(scope, id, declaredMetric(a, on), {
    threshold: a.threshold,
    description: `${scopeLabel}: ${a.description}`,
    kind: a.id,
    topic,
    evaluationPeriods: a.evaluationPeriods,
    comparison: a.comparison,
    whenMissing: a.whenMissing,
  });
}
