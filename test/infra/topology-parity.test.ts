/** DESIGN section 2: a route, queue or schedule in one runtime and not the other is a bug. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { buildLocalPlan } from '../../local/plan';

const template = Template.fromStack(buildApp('dev').stack).toJSON();
const resources = Object.values(template.Resources as Record<string, { Type: string; Properties: any }>);
const plan = buildLocalPlan();

describe('topology parity between the CDK stack and the local runtime', () => {
  it('has the same webhook routes', () => {
    const byId = template.Resources as Record<string, { Type: string; Properties: any }>;
    const pathOf = (id: string): string => {
      const r = byId[id]!;
      const parent = r.Properties.ParentId?.Ref;
      return `${parent && byId[parent]?.Type === 'AWS::ApiGateway::Resource' ? pathOf(parent) : ''}/${r.Properties.PathPart}`;
    };
    const cdkRoutes = resources
      .filter((r) => r.Type === 'AWS::ApiGateway::Method')
      .map((m) => `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId.Ref)}`);
    expect(cdkRoutes.sort()).toEqual(plan.routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('has the same workflow queues with the same maxReceiveCount and batch sizes', () => {
    const cdkQueues = resources
      .filter((r) => r.Type === 'AWS::SQS::Queue' && r.Properties.RedrivePolicy)
      .map((q) => ({
        workflow: String(q.Properties.QueueName).replace(/^WfmBridge-dev-/, ''),
        maxReceiveCount: q.Properties.RedrivePolicy.maxReceiveCount,
      }));
    expect(cdkQueues.sort((a, b) => a.workflow.localeCompare(b.workflow))).toEqual(
      plan.queues
        .map((q) => ({ workflow: q.workflow, maxReceiveCount: q.maxReceiveCount }))
        .sort((a, b) => a.workflow.localeCompare(b.workflow)),
    );
    const batchSizes = resources
      .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
      .map((m) => m.Properties.BatchSize);
    expect(batchSizes.sort()).toEqual(plan.queues.map((q) => q.batchSize).sort());
  });

  it('has the same schedules in the same time zones', () => {
    const cdkSchedules = resources
      .filter((r) => r.Type === 'AWS::Scheduler::Schedule')
      .map((s) => `${s.Properties.ScheduleExpression} @ ${s.Properties.ScheduleExpressionTimezone}`);
    expect(cdkSchedules.sort()).toEqual(plan.schedules.map((s) => `${s.expression} @ ${s.timeZone}`).sort());
  });

  it('has the same tables and secrets', () => {
    expect(resources.filter((r) => r.Type === 'AWS::DynamoDB::Table')).toHaveLength(plan.tables.length);
    const cdkSecrets = resources
      .filter((r) => r.Type === 'AWS::SecretsManager::Secret')
      .map((s) => String(s.Properties.Name).replace('/dev/', '/local/'));
    expect(cdkSecrets.sort()).toEqual([...plan.secrets].sort());
  });
});
