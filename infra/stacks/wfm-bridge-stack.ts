import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { z } from 'zod';
import { ingressFunctionEnv, type IngressEnvSchema } from '../../shared/config/function-env';
import {
  diagnosticsLogGroupName,
  functionLogGroupName,
  pascalCase,
  STACK_OUTPUTS,
  stackOutputNames,
  scheduleFunctionOutputName,
  vendorSecretName,
  webhookSecretName,
} from '../../shared/config/resource-names';
import type { StageConfig } from '../../shared/config/stage';
import { TABLES } from '../../shared/tables';
import { METRICS_NAMESPACE, type MetricName } from '../../shared/observability/metrics';
import {
  DOMAIN_EVENTS,
  INGRESS_FUNCTION,
  PROCESSOR_ID,
  ingressAlarms,
  ROUTES,
  oauthClients,
  WORKFLOWS,
} from '../../shared/topology';
import { alarmOn, declaredAlarm } from '../constructs/alarms';
import { RuleDocuments } from '../constructs/rule-documents';
import { WfmFunction } from '../constructs/wfm-function';
import { WorkflowResources } from '../constructs/workflow-resources';

export interface WfmBridgeStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Built from shared/topology.ts and shared/tables.ts: the edge, one set of resources per workflow, shared state. */
export class WfmBridgeStack extends Stack {
  readonly workflows = new Map<string, WorkflowResources>();
  readonly api: apigw.RestApi;

  constructor(scope: Construct, id: string, props: WfmBridgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retain = config.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const tables = Object.fromEntries(
      TABLES.map((t) => [
        t.id,
        new dynamodb.Table(this, `${t.id}Table`, {
          partitionKey: { name: t.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: t.sortKey ? { name: t.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
          timeToLiveAttribute: t.ttlAttribute,
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          encryption: dynamodb.TableEncryption.AWS_MANAGED,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          removalPolicy: retain,
        }),
      ]),
    ) as Record<(typeof TABLES)[number]['id'], dynamodb.Table>;

    const bus = new events.EventBus(this, 'DomainEvents', { description: 'wfm-bridge domain events' });
    const diagnostics = this.deliverDiagnostics(config, bus, retain);
    const supervisorTopic = this.deliverSupervisorNotifications(config, bus, diagnostics.undelivered, retain);

    const topicKey = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, removalPolicy: retain });
    topicKey.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    const alarmTopic = new sns.Topic(this, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true });
    if (config.alarms.email)
      alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarms.email));

    const secretRotationReason = {
      id: 'AwsSolutions-SMG4',
      reason:
        'Vendor credentials and webhook secrets are issued and rotated by the vendor; rotation is an operator step (docs/runbook.md), with two webhook secrets valid during the overlap.',
    };
    // One secret per OAuth client: a workflow's service account at a vendor (decision 0013).
    const vendorSecrets = new Map<string, secretsmanager.Secret>();
    for (const client of oauthClients()) {
      const id = `${pascalCase(client.vendor)}${pascalCase(client.name)}VendorSecret`;
      const secret = new secretsmanager.Secret(this, id, {
        secretName: vendorSecretName(config.stage, client.vendor, client.name),
        description: `OAuth client credentials of ${client.name} at ${client.vendor} (scopes: ${client.scopes.join(' ') || 'none'}): {"clientId","clientSecret"}`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ clientId: 'set-me' }),
          generateStringKey: 'clientSecret',
        },
        removalPolicy: retain,
      });
      Validations.of(secret).acknowledge(secretRotationReason);
      vendorSecrets.set(`${client.vendor}#${client.name}`, secret);
    }

    const ruleDocuments = new RuleDocuments(this, 'RuleDocuments', { config });

    for (const w of WORKFLOWS) {
      this.workflows.set(
        w.name,
        new WorkflowResources(this, pascalCase(w.name), {
          workflow: w,
          config,
          tables: { state: tables.State, idempotency: tables.Idempotency, audit: tables.Audit },
          bus,
          vendorSecrets: (vendor, client) => vendorSecrets.get(`${vendor}#${client}`)!,
          alarmTopic,
          ruleDocuments,
        }),
      );
    }

    const routeSecrets = ROUTES.map((r) => {
      const secret = new secretsmanager.Secret(this, `${pascalCase(r.id)}WebhookSecret`, {
        secretName: webhookSecretName(config.stage, r.id),
        description: `Webhook signing secrets for ${r.path}: {"current","previous"?}`,
        generateSecretString: {
          secretStringTemplate: '{}',
          generateStringKey: 'current',
          excludePunctuation: true,
        },
        removalPolicy: retain,
      });
      Validations.of(secret).acknowledge(secretRotationReason);
      return { route: r, secret };
    });

    const ingress = new WfmFunction<z.input<typeof IngressEnvSchema>>(this, 'Ingress', {
      declaration: INGRESS_FUNCTION,
      description: 'Verifies webhook signatures, validates, enqueues, answers 202',
      logRetentionDays: config.logRetentionDays,
      logGroupName: functionLogGroupName(config.stage, 'ingress'),
      environment: ingressFunctionEnv({
        config,
        nonceTable: tables.WebhookNonces.tableName,
        toJson: (value) => this.toJsonString(value),
        routes: (routeId) => {
          const { route, secret } = routeSecrets.find((r) => r.route.id === routeId)!;
          const wf = this.workflows.get(route.workflow)!;
          return { queueUrl: wf.queue.queueUrl, dlqUrl: wf.dlq.queueUrl, secretId: secret.secretName };
        },
      }),
    });
    // The replay guard: a conditional put per delivery, and a delete when the delivery could not be enqueued.
    tables.WebhookNonces.grant(ingress.fn, 'dynamodb:PutItem', 'dynamodb:DeleteItem');
    for (const { route, secret } of routeSecrets) {
      secret.grantRead(ingress.fn);
      const wf = this.workflows.get(route.workflow)!;
      wf.queue.grantSendMessages(ingress.fn);
      wf.dlq.grantSendMessages(ingress.fn);
    }

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
    });
    this.api = new apigw.RestApi(this, 'WebhookApi', {
      description: 'Vendor webhooks for wfm-bridge',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: config.stage,
        throttlingRateLimit: config.api.throttle.rateLimit,
        throttlingBurstLimit: config.api.throttle.burstLimit,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
      policy: config.api.ipAllowlist ? ipAllowlistPolicy(config.api.ipAllowlist) : undefined,
    });
    const integration = new apigw.LambdaIntegration(ingress.fn, { proxy: true });
    for (const r of ROUTES) this.api.root.resourceForPath(r.path).addMethod(r.method, integration);

    if (config.api.wafWebAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: config.api.wafWebAclArn,
      });
    }

    this.acknowledgeEdgeFindings(config, ingress);
    this.ingressAlarmsAndDashboard(ingress, accessLogs, alarmTopic);
    alarmOn(
      this,
      'DiagnosticsDlqDepth',
      diagnostics.undelivered.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      {
        threshold: 0,
        description: 'diagnostics: domain events could not be delivered to the diagnostics log group',
        kind: 'DiagnosticsDlqDepth',
        topic: alarmTopic,
      },
    );

    new CfnOutput(this, STACK_OUTPUTS.apiUrl, { value: this.api.url });
    for (const [name, wf] of this.workflows) {
      const out = stackOutputNames(name);
      new CfnOutput(this, out.queueUrl, { value: wf.queue.queueUrl });
      new CfnOutput(this, out.queueArn, { value: wf.queue.queueArn });
      new CfnOutput(this, out.dlqUrl, { value: wf.dlq.queueUrl });
      new CfnOutput(this, out.dlqArn, { value: wf.dlq.queueArn });
      for (const [fnId, fn] of wf.functions) {
        if (fnId !== PROCESSOR_ID)
          new CfnOutput(this, scheduleFunctionOutputName(fnId), { value: fn.fn.functionName });
      }
    }
    new CfnOutput(this, STACK_OUTPUTS.stateTable, { value: tables.State.tableName });
    new CfnOutput(this, STACK_OUTPUTS.auditTable, { value: tables.Audit.tableName });
    new CfnOutput(this, STACK_OUTPUTS.idempotencyTable, { value: tables.Idempotency.tableName });
    new CfnOutput(this, STACK_OUTPUTS.eventBus, { value: bus.eventBusName });
    new CfnOutput(this, STACK_OUTPUTS.alarmTopic, { value: alarmTopic.topicArn });
    new CfnOutput(this, STACK_OUTPUTS.diagnosticsLogGroup, { value: diagnostics.logGroup.logGroupName });
    new CfnOutput(this, STACK_OUTPUTS.supervisorTopic, { value: supervisorTopic.topicArn });
  }

  /**
   * Escalated shift bids reach a supervisor (issue 11): `bid.supervisor_notification` goes from the bus to a
   * KMS-encrypted topic that the stage's supervisor addresses subscribe to. What the topic could not take waits
   * on the diagnostics dead-letter queue (its `DiagnosticsDlqDepth` alarm). The notification carries no agent
   * name or contact detail, only the request, the failing checks and a deep link.
   */
  private deliverSupervisorNotifications(
    config: StageConfig,
    bus: events.EventBus,
    undelivered: sqs.Queue,
    retain: RemovalPolicy,
  ): sns.Topic {
    const key = new kms.Key(this, 'SupervisorTopicKey', { enableKeyRotation: true, removalPolicy: retain });
    key.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new sns.Topic(this, 'SupervisorTopic', { masterKey: key, enforceSSL: true });
    for (const email of config.supervisorNotifications.emails)
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    const rule = new events.Rule(this, 'SupervisorNotificationRule', {
      eventBus: bus,
      description: 'Delivers escalated shift bids to the supervisor topic',
      // Published by shared/adapters/aws/supervisor-notifier.ts (a DOMAIN_EVENTS type).
      eventPattern: { detailType: ['bid.supervisor_notification'] },
    });
    rule.addTarget(new targets.SnsTopic(topic, { deadLetterQueue: undelivered }));
    return topic;
  }

  /**
   * Domain events on-call reads (`DOMAIN_EVENTS` with `onCall`, e.g. `adherence.drift`) land in a log group,
   * and every event on the bus is archived for replay. Without a rule EventBridge drops what it is sent.
   */
  private deliverDiagnostics(config: StageConfig, bus: events.EventBus, retain: RemovalPolicy) {
    const logGroup = new logs.LogGroup(this, 'DiagnosticsLogs', {
      logGroupName: diagnosticsLogGroupName(config.stage),
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: retain,
    });
    bus.archive('DomainEventsArchive', {
      description: 'Every wfm-bridge domain event, replayable',
      eventPattern: { account: [this.account] },
      retention: Duration.days(config.logRetentionDays),
    });
    const rule = new events.Rule(this, 'DiagnosticsRule', {
      eventBus: bus,
      description: 'Delivers the domain events on-call reads to the diagnostics log group',
      eventPattern: { detailType: DOMAIN_EVENTS.filter((e) => e.onCall).map((e) => e.type) },
    });
    // The log group's own resource policy lets EventBridge write to it (no custom resource needed).
    new logs.ResourcePolicy(this, 'DiagnosticsLogsPolicy', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [
            new iam.ServicePrincipal('events.amazonaws.com'),
            new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
        }),
      ],
    });
    // Events the log group refused (a policy or quota problem) wait here, alarmed, instead of being dropped.
    const undelivered = new sqs.Queue(this, 'DiagnosticsDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    undelivered.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [undelivered.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    Validations.of(undelivered).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: 'Dead-letter queue of the diagnostics rule target.' },
      { id: 'Serverless-SQSRedrivePolicy', reason: 'Dead-letter queue of the diagnostics rule target.' },
    );
    rule.addTarget({
      bind: () => ({ arn: logGroup.logGroupArn, deadLetterConfig: { arn: undelivered.queueArn } }),
    });
    return { logGroup, undelivered };
  }

  /** The ingress's declared alarms (topology) and its dashboard: API, function and ingress metrics. */
  private ingressAlarmsAndDashboard(
    ingress: WfmFunction<Record<string, string | undefined>>,
    accessLogs: logs.ILogGroup,
    alarmTopic: sns.ITopic,
  ) {
    const on = {
      fn: ingress.fn,
      api: this.api,
      apiAccessLogs: accessLogs,
      customDimensions: { service: 'ingress' },
    };
    const alarms = new Map(
      ingressAlarms().map((a) => [a.id, declaredAlarm(this, `Ingress${a.id}`, a, on, 'ingress', alarmTopic)]),
    );
    const custom = (metricName: MetricName) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: 'ingress' },
        statistic: 'Sum',
      });
    new cloudwatch.Dashboard(this, 'IngressDashboard', {}).addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Webhook API',
        // Throttled: the 429s inside 4XXError, counted from the access log (the ApiThrottled alarm's metric).
        left: [
          this.api.metricServerError(),
          this.api.metricClientError(),
          alarms.get('ApiThrottled')!.metric,
        ],
        right: [this.api.metricLatency({ statistic: 'p99' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Ingress function',
        left: [ingress.fn.metricErrors(), ingress.fn.metricThrottles()],
        right: [ingress.fn.metricDuration({ statistic: 'p99' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Webhooks',
        left: (['Accepted', 'Ignored', 'Duplicate', 'Quarantined'] as const).map(custom),
        right: (['Rejected', 'SignatureRejected'] as const).map(custom),
      }),
    );
  }

  private acknowledgeEdgeFindings(
    config: StageConfig,
    ingress: WfmFunction<Record<string, string | undefined>>,
  ) {
    const signatureAuth =
      'Vendors authenticate by HMAC signature over the raw body, verified in the ingress Lambda (constant-time, rotating secrets); vendors cannot use IAM or Cognito.';
    Validations.of(this.api).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: signatureAuth },
      { id: 'AwsSolutions-COG4', reason: signatureAuth },
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Validation needs the raw body (signature first, then zod); API Gateway request validation would parse before the signature is checked.',
      },
    );
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account-level logging role: AWS-maintained, grants log writes only.",
    });
    if (!config.api.wafWebAclArn) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: `Stage ${config.stage} sets no WAF web ACL (api.wafWebAclArn); set one in stage config to associate it.`,
      });
    }
    void ingress;
  }
}

function ipAllowlistPolicy(cidrs: readonly string[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        effect: iam.Effect.ALLOW,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { NotIpAddress: { 'aws:SourceIp': [...cidrs] } },
      }),
    ],
  });
}
