import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TimeZone } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { workflowFunctionEnv, type WorkflowEnvSchema } from '../../shared/config/function-env';
import type { StageConfig } from '../../shared/config/stage';
import { functionLogGroupName } from '../../shared/config/resource-names';
import { METRIC_CATALOGUE, METRICS_NAMESPACE, type MetricName } from '../../shared/observability/metrics';
import {
  alarmsOfWorkflow,
  functionAlarmsOfWorkflow,
  PROCESSOR_ID,
  queuesSentToBy,
  stateKeysOf,
  visibilityTimeoutSeconds,
  type VendorName,
  type WorkflowDeclaration,
  type WorkflowFunction,
} from '../../shared/topology';
import { pascalCase as pascal } from '../../shared/config/resource-names';
import { alarmOn, declaredAlarm } from './alarms';
import type { RuleDocuments } from './rule-documents';
import { WfmFunction } from './wfm-function';

/** Every State-table call the stores make (TransactWriteItems is authorized per item as Put/Update/ConditionCheck). */
export const STATE_ITEM_ACTIONS = [
  'GetItem',
  // The export ingestion reads a chunk's row bookings at once; LeadingKeys applies to each key.
  'BatchGetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'ConditionCheckItem',
  'Query',
] as const;

export interface WorkflowResourcesProps {
  readonly workflow: WorkflowDeclaration;
  readonly config: StageConfig;
  readonly tables: { state: dynamodb.ITable; idempotency: dynamodb.ITable; audit: dynamodb.ITable };
  readonly bus: events.IEventBus;
  /** The OAuth credentials secret of each vendor; a function is granted the one its declaration names. */
  /** The secret of a vendor's OAuth client (shared/topology.ts `oauthClient`). */
  readonly vendorSecrets: (vendor: VendorName, client: string) => secretsmanager.ISecret;
  readonly alarmTopic: sns.ITopic;
  /** The stage's rule documents in AppConfig; a function reads the one its declaration names. */
  readonly ruleDocuments: RuleDocuments;
}

/**
 * One workflow: its queue and DLQ, its processor on an SQS event source with partial batch failures, its
 * scheduled functions, alarms and dashboard. Everything is derived from the workflow's topology entry.
 */
export class WorkflowResources extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly processor: WfmFunction<z.input<typeof WorkflowEnvSchema>>;
  readonly scheduled: WfmFunction<z.input<typeof WorkflowEnvSchema>>[] = [];
  /** Every function of the workflow by its topology id (`processor` or the schedule id). */
  readonly functions = new Map<string, WfmFunction<z.input<typeof WorkflowEnvSchema>>>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WorkflowResourcesProps,
  ) {
    super(scope, id);
    const { workflow: w } = props;

    // Names derive from the stack and workflow so the DLQ's redrive-allow policy can name its source queue
    // without a reference cycle (the queue's redrive policy already references the DLQ).
    const queueName = `${Stack.of(this).stackName}-${w.name}`;
    this.dlq = new sqs.Queue(this, 'Dlq', {
      queueName: `${queueName}-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(w)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: w.queue.maxReceiveCount },
    });
    // Replays and StartMessageMoveTask may only move messages back to this DLQ's own source queue.
    (this.dlq.node.defaultChild as sqs.CfnQueue).redriveAllowPolicy = {
      redrivePermission: 'byQueue',
      sourceQueueArns: [Stack.of(this).formatArn({ service: 'sqs', resource: queueName })],
    };
    Validations.of(this.dlq).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of its workflow queue.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This queue is itself the dead-letter queue of its workflow queue.',
      },
    );

    this.processor = this.workflowFunction(
      'Processor',
      { id: PROCESSOR_ID, declaration: w.processor },
      `${w.name}: ${w.description}`,
    );
    this.processor.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: w.queue.batchSize,
        maxBatchingWindow: w.queue.maxBatchingWindowSeconds
          ? Duration.seconds(w.queue.maxBatchingWindowSeconds)
          : undefined,
        maxConcurrency: w.queue.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    this.functions.set(PROCESSOR_ID, this.processor);
    Validations.of(this.processor).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'Failed records go to the queue DLQ through its redrive policy, and the processor dead-letters permanent failures itself with their reason.',
    });

    for (const s of w.schedules) {
      const fn = this.workflowFunction(
        `${pascal(s.id)}Function`,
        { id: s.id, declaration: s.function },
        s.description,
      );
      this.scheduled.push(fn);
      this.functions.set(s.id, fn);
      const scheduleDlq = new sqs.Queue(this, `Schedule${pascal(s.id)}Dlq`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(scheduleDlq).acknowledge(
        { id: 'AwsSolutions-SQS3', reason: 'Dead-letter queue of an EventBridge Scheduler target.' },
        {
          id: 'Serverless-SQSRedrivePolicy',
          reason: 'Dead-letter queue of an EventBridge Scheduler target.',
        },
      );
      new scheduler.Schedule(this, `Schedule${pascal(s.id)}`, {
        description: s.description,
        schedule: scheduler.ScheduleExpression.expression(s.expression, TimeZone.of(s.timeZone)),
        target: new schedulerTargets.LambdaInvoke(fn.fn, {
          role: this.schedulerRole(`${pascal(s.id)}SchedulerRole`, fn.fn),
          deadLetterQueue: scheduleDlq,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(15),
        }),
      });
      this.alarm(
        `Schedule${pascal(s.id)}DlqDepth`,
        scheduleDlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        0,
        `${s.id}: a scheduled run failed every retry`,
        'ScheduleDlqDepth',
      );
    }

    this.alarms();
    this.dashboard();
  }

  private workflowFunction(id: string, fn: WorkflowFunction, description: string) {
    const { workflow, config, tables, bus, vendorSecrets, ruleDocuments } = this.props;
    const vendorSecret = vendorSecrets(fn.declaration.vendor, fn.declaration.oauthClient.name);
    const created = new WfmFunction<z.input<typeof WorkflowEnvSchema>>(this, id, {
      declaration: fn.declaration,
      description: description.slice(0, 256),
      logRetentionDays: config.logRetentionDays,
      logGroupName: functionLogGroupName(config.stage, { workflow: workflow.name, id: fn.id }),
      environment: workflowFunctionEnv({
        config,
        workflow,
        fn,
        refs: {
          stateTable: tables.state.tableName,
          auditTable: tables.audit.tableName,
          idempotencyTable: tables.idempotency.tableName,
          eventBus: bus.eventBusName,
          queueUrl: this.queue.queueUrl,
          dlqUrl: this.dlq.queueUrl,
          vendor: (vendor, client) => ({
            baseUrl: config.vendors[vendor].baseUrl,
            secretId: vendorSecrets(vendor, client).secretName,
          }),
          ruleDocument: (name) => ruleDocuments.location(name),
        },
      }),
    });
    if (fn.declaration.ruleDocument) ruleDocuments.grantRead(fn.declaration.ruleDocument, created.fn);
    return this.grantWorkflowAccess(created, fn, vendorSecret);
  }

  private grantWorkflowAccess(
    fn: WfmFunction<z.input<typeof WorkflowEnvSchema>>,
    declared: WorkflowFunction,
    vendorSecret: secretsmanager.ISecret,
  ) {
    const { tables, bus } = this.props;
    // Item access on the shared State table only under the partition keys the function's declaration names.
    // The Null condition makes the key mandatory: ForAllValues alone also holds for a request without one.
    fn.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: STATE_ITEM_ACTIONS.map((action) => `dynamodb:${action}`),
        resources: [tables.state.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': stateKeysOf(declared.declaration) },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    if (declared.declaration.scansStateTable)
      fn.fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [tables.state.tableArn] }),
      );
    tables.idempotency.grantReadWriteData(fn.fn);
    // Append-only audit: PutItem and nothing else.
    fn.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [tables.audit.tableArn] }),
    );
    bus.grantPutEventsTo(fn.fn);
    vendorSecret.grantRead(fn.fn);
    for (const q of queuesSentToBy(declared.id, declared.declaration))
      (q === 'queue' ? this.queue : this.dlq).grantSendMessages(fn.fn);
    return fn;
  }

  /** One role per schedule, so its grant names exactly one function. */
  private schedulerRole(id: string, fn: lambda.IFunction): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        'The scheduler target grant covers this one function and its versions/aliases (`:*`), nothing else.',
    });
    return role;
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string, kind = id) {
    return alarmOn(this, id, metric, {
      threshold,
      description: `${this.props.workflow.name}: ${description}`,
      kind,
      topic: this.props.alarmTopic,
    });
  }

  private alarms() {
    const { workflow: w, alarmTopic } = this.props;
    const minute = { period: Duration.minutes(1) };
    this.alarm(
      'DlqDepth',
      this.dlq.metricApproximateNumberOfMessagesVisible({ ...minute, statistic: 'Maximum' }),
      0,
      'messages are on the dead-letter queue',
    );
    this.alarm(
      'DlqAge',
      this.dlq.metricApproximateAgeOfOldestMessage({ ...minute, statistic: 'Maximum' }),
      3600,
      'a dead-lettered message is older than an hour',
    );
    this.alarm(
      'QueueAge',
      this.queue.metricApproximateAgeOfOldestMessage({ ...minute, statistic: 'Maximum' }),
      300,
      'the oldest queued message waited more than 5 minutes',
    );
    // Lambda-metric alarms, one per function (e.g. ProcessorErrors, AdherenceReconciliationDidNotRun).
    for (const { fn, alarms } of functionAlarmsOfWorkflow(w)) {
      const target = this.functions.get(fn.id)!;
      for (const a of alarms)
        declaredAlarm(
          this,
          `${pascal(fn.id)}${a.id}`,
          a,
          { fn: target.fn },
          `${w.name} ${fn.id}`,
          alarmTopic,
        );
    }
    // Custom-metric alarms, once per workflow: its functions share the metrics' dimensions.
    for (const a of alarmsOfWorkflow(w))
      declaredAlarm(this, a.id, a, { customDimensions: this.customDimensions() }, w.name, alarmTopic);
  }

  /** The base dimensions every metric of this workflow's functions carries (shared/observability/metrics.ts). */
  private customDimensions() {
    const name = this.props.workflow.name;
    return { service: name, workflow: name };
  }

  private dashboard() {
    const { workflow: w } = this.props;
    const custom = (metricName: MetricName) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: this.customDimensions(),
        statistic: 'Sum',
      });
    /**
     * One line per value of a breakdown dimension (e.g. every HTTP status seen): the values are open-ended,
     * so a SEARCH over the breakdown's dimension set, rather than a fixed list of lines that would miss one.
     */
    const breakdown = (metricName: MetricName, dimension: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service,workflow} MetricName="${metricName}" service="${w.name}" workflow="${w.name}"', 'Sum', 60)`,
        label,
        usingMetrics: {},
        period: Duration.minutes(1),
      });
    const declaredOwn = alarmsOfWorkflow(w)
      .map((a) => (a.source === 'custom' ? a.metricName : undefined))
      .filter((m): m is MetricName => m !== undefined && m !== 'BreakerOpen');
    const ownMetrics = (Object.keys(METRIC_CATALOGUE) as MetricName[]).filter(
      (m) => (METRIC_CATALOGUE[m] as { workflow?: string }).workflow === w.name && !declaredOwn.includes(m),
    );
    const board = new cloudwatch.Dashboard(this, 'Dashboard', {});
    board.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue depth and age',
        left: [this.queue.metricApproximateNumberOfMessagesVisible()],
        right: [this.queue.metricApproximateAgeOfOldestMessage()],
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead letters',
        left: [this.dlq.metricApproximateNumberOfMessagesVisible()],
        right: [breakdown('DeadLettered', 'reason', 'DeadLettered by reason')],
      }),
      new cloudwatch.GraphWidget({
        title: 'Functions: errors, throttles, invocations',
        left: [...this.functions.values()].flatMap((f) => [f.fn.metricErrors(), f.fn.metricThrottles()]),
        right: [...this.functions.values()].map((f) => f.fn.metricInvocations()),
      }),
      new cloudwatch.GraphWidget({
        title: 'Outcomes',
        left: (['Processed', 'Failed', 'DeadLettered', 'Deferred'] as const).map(custom),
        right: [breakdown('Deferred', 'reason', 'Deferred by reason')],
      }),
      new cloudwatch.GraphWidget({
        title: 'VendorCalls by status',
        left: [breakdown('VendorCalls', 'status', 'VendorCalls by status')],
        right: (['VendorCalls', 'RateLimited', 'BreakerOpen'] as const).map(custom),
      }),
      ...(declaredOwn.length
        ? [new cloudwatch.GraphWidget({ title: 'Scheduled runs', left: declaredOwn.map(custom) })]
        : []),
      ...(ownMetrics.length
        ? [new cloudwatch.GraphWidget({ title: `${w.name} metrics`, left: ownMetrics.map(custom) })]
        : []),
    );
  }
}
