import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { WfmBridgeStack } from '../../infra/stacks/wfm-bridge-stack';
import { loadStageConfig } from '../../shared/config/stage';
import {
  scheduleFunctionOutputName,
  stackOutputNames,
  STACK_OUTPUTS,
} from '../../shared/config/resource-names';
import { TABLES } from '../../shared/tables';
import {
  alarmsOfWorkflow,
  functionsOf,
  ingressAlarms,
  ROUTES,
  SCHEDULES,
  WORKFLOWS,
} from '../../shared/topology';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };

const { app, stack } = buildApp('dev');
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalIdOf = (value: unknown): string | undefined =>
  (value as any)?.['Fn::GetAtt']?.[0] ?? (value as any)?.Ref;

describe('the stack, built from the topology', () => {
  it('passes cdk-nag AwsSolutions and Serverless with no unacknowledged finding', () => {
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('gives every workflow queue a DLQ and every DLQ an alarm', () => {
    const queues = ofType('AWS::SQS::Queue');
    const sources = queues.filter(([, q]) => q.Properties.RedrivePolicy);
    expect(sources).toHaveLength(WORKFLOWS.length);
    const alarms = ofType('AWS::CloudWatch::Alarm');
    const alarmedQueues = new Set(
      alarms.flatMap(([, a]) => (a.Properties.Dimensions ?? []).map((d: any) => logicalIdOf(d.Value))),
    );
    for (const [id, q] of sources) {
      const dlqId = logicalIdOf(q.Properties.RedrivePolicy.deadLetterTargetArn)!;
      expect(resources[dlqId]?.Type).toBe('AWS::SQS::Queue');
      expect(alarmedQueues).toContain(dlqId);
      expect(alarmedQueues).toContain(id);
    }
    // Scheduler DLQs too: every queue without a redrive policy is some queue's or schedule's DLQ, and alarmed.
    for (const [id] of queues.filter(([, q]) => !q.Properties.RedrivePolicy))
      expect(alarmedQueues).toContain(id);
  });

  it('sets maxReceiveCount from the topology and lets each DLQ redrive only to its source', () => {
    const dlqs = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties.RedriveAllowPolicy);
    expect(dlqs).toHaveLength(WORKFLOWS.length);
    for (const [, q] of dlqs) {
      expect(q.Properties.RedriveAllowPolicy.redrivePermission).toBe('byQueue');
      expect(q.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
    for (const w of WORKFLOWS) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: Match.stringLikeRegexp(`-${w.name}$`),
        RedrivePolicy: { maxReceiveCount: w.queue.maxReceiveCount },
      });
    }
  });

  it('reports batch item failures on every event source, with the topology batch size and concurrency', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(WORKFLOWS.length);
    for (const [, m] of mappings)
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    for (const w of WORKFLOWS) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: w.queue.batchSize,
        ScalingConfig: { MaximumConcurrency: w.queue.maxConcurrency },
      });
    }
  });

  it('keeps each queue visibility timeout at least six times its processor timeout', () => {
    for (const [, m] of ofType('AWS::Lambda::EventSourceMapping')) {
      const fn = resources[logicalIdOf(m.Properties.FunctionName)!]!;
      const queue = resources[logicalIdOf(m.Properties.EventSourceArn)!]!;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
    }
  });

  it('encrypts every queue and requires SSL', () => {
    for (const [id, q] of ofType('AWS::SQS::Queue')) {
      expect(q.Properties.SqsManagedSseEnabled ?? q.Properties.KmsMasterKeyId).toBeTruthy();
      const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) =>
        p.Properties.Queues.some((ref: unknown) => logicalIdOf(ref) === id),
      );
      expect(JSON.stringify(policies)).toContain('aws:SecureTransport');
    }
  });

  it('creates the tables of shared/tables.ts with TTL, encryption and point-in-time recovery', () => {
    for (const t of TABLES) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: Match.arrayWith([{ AttributeName: t.partitionKey, KeyType: 'HASH' }]),
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        ...(t.ttlAttribute
          ? { TimeToLiveSpecification: { AttributeName: t.ttlAttribute, Enabled: true } }
          : {}),
      });
    }
  });

  it('lets writers only PutItem on the audit table (append-only by IAM)', () => {
    const auditId = ofType('AWS::DynamoDB::Table').find(([, t]) => !t.Properties.TimeToLiveSpecification)![0];
    const statements = ofType('AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement as any[],
    );
    const onAudit = statements.filter((s) => JSON.stringify(s.Resource).includes(auditId));
    expect(onAudit.length).toBeGreaterThanOrEqual(WORKFLOWS.length);
    for (const s of onAudit) expect([s.Action].flat()).toEqual(['dynamodb:PutItem']);
  });

  it('lets only the ingress write the webhook nonce table, with PutItem and DeleteItem, and the ingress no other table', () => {
    const nonceId = ofType('AWS::DynamoDB::Table').find(([id]) => id.startsWith('WebhookNoncesTable'))![0];
    const tableIds = ofType('AWS::DynamoDB::Table').map(([id]) => id);
    const [, ingress] = ofType('AWS::Lambda::Function').find(
      ([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'ingress',
    )!;
    expect(ingress.Properties.Environment.Variables.NONCE_TABLE_NAME).toEqual({ Ref: nonceId });
    const ingressRole = logicalIdOf(ingress.Properties.Role)!;
    const policies = ofType('AWS::IAM::Policy');
    const statementsOf = (match: (roleId: string | undefined) => boolean) =>
      policies
        .filter(([, p]) => p.Properties.Roles.some((r: unknown) => match(logicalIdOf(r))))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const onTables = statementsOf((r) => r === ingressRole).filter((s) =>
      tableIds.some((t) => JSON.stringify(s.Resource).includes(t)),
    );
    expect(
      onTables.map((s) => [JSON.stringify(s.Resource).includes(nonceId), [s.Action].flat().sort()]),
    ).toEqual([[true, ['dynamodb:DeleteItem', 'dynamodb:PutItem']]]);
    const othersOnNonces = statementsOf((r) => r !== ingressRole).filter((s) =>
      JSON.stringify(s.Resource).includes(nonceId),
    );
    expect(othersOnNonces).toEqual([]);
  });

  it('has no wildcard IAM action (wildcard resources are cdk-nag findings, acknowledged with reasons)', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement as any[],
    );
    for (const s of statements) {
      for (const action of [s.Action].flat()) expect(action).not.toMatch(/(^\*$|:\*$)/);
    }
  });

  it('exposes exactly the topology routes', () => {
    const methods = ofType('AWS::ApiGateway::Method').filter(
      ([, m]) => m.Properties.HttpMethod !== 'OPTIONS',
    );
    const paths = methods.map(([, m]) => {
      const parts: string[] = [];
      let ref = logicalIdOf(m.Properties.ResourceId);
      while (ref && resources[ref]?.Type === 'AWS::ApiGateway::Resource') {
        parts.unshift(resources[ref]!.Properties.PathPart);
        ref = logicalIdOf(resources[ref]!.Properties.ParentId);
      }
      return `${m.Properties.HttpMethod} /${parts.join('/')}`;
    });
    expect(paths.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('schedules with explicit IANA time zones', () => {
    const schedules = ofType('AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(SCHEDULES.length);
    for (const s of SCHEDULES) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: s.expression,
        ScheduleExpressionTimezone: s.timeZone,
      });
    }
  });

  it('runs every function on ARM64, the newest Node runtime, with active tracing', () => {
    for (const [, f] of ofType('AWS::Lambda::Function')) {
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('outputs what operators and the DLQ CLI look up', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    for (const w of WORKFLOWS)
      expect(outputs).toEqual(expect.arrayContaining(Object.values(stackOutputNames(w.name))));
    expect(outputs).toEqual(expect.arrayContaining(Object.values(STACK_OUTPUTS)));
    // `wfm-bridge rewards ingest --stage` invokes the ingestion function by this output.
    for (const s of WORKFLOWS.flatMap((w) => w.schedules))
      expect(outputs).toContain(scheduleFunctionOutputName(s.id));
  });

  it('builds the custom-metric alarms from the functions declarations, and no others', () => {
    const custom = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.Namespace === 'WfmBridge');
    const declared = [
      ...WORKFLOWS.flatMap((w) =>
        alarmsOfWorkflow(w).map((a) => ({
          label: w.name,
          dims: { service: w.name, workflow: w.name },
          ...a,
        })),
      ),
      ...ingressAlarms()
        .filter((a) => a.source === 'custom')
        .map((a) => ({ label: 'ingress', dims: { service: 'ingress' }, ...a })),
    ];
    expect(custom).toHaveLength(declared.length);
    for (const a of declared) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'WfmBridge',
        MetricName: a.source === 'custom' && a.metricName,
        Statistic: a.statistic,
        Period: a.periodMinutes * 60,
        Threshold: a.threshold,
        EvaluationPeriods: a.evaluationPeriods ?? 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: Object.entries(a.dims).map(([Name, Value]) => ({ Name, Value })),
        AlarmDescription: `${a.label}: ${a.description}. See docs/runbook.md, alarm ${a.id}.`,
      });
    }
    // The reconciliation function declares Drift; its workflow has it, the others do not.
    const drift = custom.filter(([, a]) => a.Properties.MetricName === 'Drift');
    expect(drift.map(([, a]) => a.Properties.Dimensions[0].Value)).toEqual(['adherence-sync']);
  });

  it("creates one secret per OAuth client and grants each function read on its own client's secret only", () => {
    const secrets = ofType('AWS::SecretsManager::Secret').filter(([, s]) =>
      String(s.Properties.Name).includes('/vendor/'),
    );
    // Written out, not derived: one service account per workflow and vendor (decision 0013).
    expect(secrets.map(([, s]) => s.Properties.Name).sort()).toEqual(
      [
        'wfm-bridge/dev/vendor/cxone/shift-bids',
        'wfm-bridge/dev/vendor/genesys/adherence-sync',
        'wfm-bridge/dev/vendor/genesys/reward-triggers',
        'wfm-bridge/dev/vendor/genesys/shift-overrides',
        'wfm-bridge/dev/vendor/rewards/reward-triggers',
      ].sort(),
    );
    const secretIdOf = (vendor: string, client: string) =>
      secrets.find(([, s]) => s.Properties.Name === `wfm-bridge/dev/vendor/${vendor}/${client}`)![0];
    const functionIds = ofType('AWS::Lambda::Function');
    const readers = (secretId: string) =>
      functionIds
        .filter(([, f]) => {
          const roleId = logicalIdOf(f.Properties.Role)!;
          return ofType('AWS::IAM::Policy')
            .filter(([, p]) => p.Properties.Roles.some((r: unknown) => logicalIdOf(r) === roleId))
            .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[])
            .some((s) => JSON.stringify(s.Resource).includes(`"${secretId}"`));
        })
        .map(([, f]) => {
          const env = f.Properties.Environment.Variables;
          return `${env.WORKFLOW}/${env.WORKFLOW_FUNCTION}`;
        })
        .sort();
    expect(readers(secretIdOf('genesys', 'shift-overrides'))).toEqual(['shift-overrides/processor']);
    expect(readers(secretIdOf('genesys', 'adherence-sync'))).toEqual([
      'adherence-sync/adherence-reconciliation',
      'adherence-sync/processor',
    ]);
    expect(readers(secretIdOf('genesys', 'reward-triggers'))).toEqual([
      'reward-triggers/reward-export-ingestion',
    ]);
    expect(readers(secretIdOf('cxone', 'shift-bids'))).toEqual([
      'shift-bids/processor',
      'shift-bids/shift-bids-sweep',
    ]);
    expect(readers(secretIdOf('rewards', 'reward-triggers'))).toEqual(['reward-triggers/processor']);
    // And the secret a function is pointed at is the one it may read.
    for (const w of WORKFLOWS)
      for (const fn of functionsOf(w)) {
        const [, f] = functionIds.find(
          ([, f]) =>
            f.Properties.Environment?.Variables?.WORKFLOW === w.name &&
            f.Properties.Environment.Variables.WORKFLOW_FUNCTION === fn.id,
        )!;
        const { vendor, oauthClient } = fn.declaration;
        expect(JSON.stringify(f.Properties.Environment.Variables.VENDOR_SECRET_ID)).toContain(
          `"${secretIdOf(vendor, oauthClient.name)}"`,
        );
      }
  });
});

describe('supervisor notifications (issue 11)', () => {
  it('routes bid.supervisor_notification to a KMS-encrypted topic, undelivered ones to an alarmed DLQ', () => {
    const routed = ofType('AWS::Events::Rule').filter(
      ([, r]) => r.Properties.EventPattern?.['detail-type']?.join() === 'bid.supervisor_notification',
    );
    expect(routed).toHaveLength(1);
    const [[ruleId, rule]] = routed as [[string, Resource]];
    const [target] = rule.Properties.Targets;
    const topicId = logicalIdOf(target.Arn)!;
    expect(resources[topicId]!.Type).toBe('AWS::SNS::Topic');
    expect(logicalIdOf(resources[topicId]!.Properties.KmsMasterKeyId)).toBeDefined();
    const dlqId = logicalIdOf(target.DeadLetterConfig.Arn)!;
    const alarmed = ofType('AWS::CloudWatch::Alarm').some(([, a]) =>
      (a.Properties.Dimensions ?? []).some((d: any) => logicalIdOf(d.Value) === dlqId),
    );
    expect(alarmed).toBe(true);
    // EventBridge may write to the DLQ for this rule only.
    const dlqPolicy = ofType('AWS::SQS::QueuePolicy').find(([, p]) =>
      p.Properties.Queues.some((q: unknown) => logicalIdOf(q) === dlqId),
    )!;
    expect(JSON.stringify(dlqPolicy[1].Properties.PolicyDocument)).toContain(ruleId);
  });

  it("subscribes the stage's supervisor addresses to the topic", () => {
    const config = loadStageConfig('dev');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const withSupervisors = new WfmBridgeStack(app, 'Supervisors', {
      config: { ...config, supervisorNotifications: { emails: ['wfm-supervisors@example.com'] } },
    });
    Template.fromStack(withSupervisors).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'wfm-supervisors@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^SupervisorTopic') },
    });
    expect(
      Object.values(template.toJSON().Resources as Record<string, Resource>).filter(
        (r) => r.Type === 'AWS::SNS::Subscription' && r.Properties.Endpoint === 'wfm-supervisors@example.com',
      ),
    ).toEqual([]);
  });
});
