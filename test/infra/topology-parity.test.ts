/** DESIGN section 2: a route, queue or schedule in one runtime and not the other is a bug. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { buildLocalPlan, localFunctionEnvironments, placeholderRefs } from '../../local/plan';
import { loadStageConfig } from '../../shared/config/stage';
import { pascalCase } from '../../shared/config/resource-names';
import { functionsOf, WORKFLOWS } from '../../shared/topology';

const template = Template.fromStack(buildApp('dev').stack).toJSON();
const resources = Object.values(template.Resources as Record<string, { Type: string; Properties: any }>);
const plan = buildLocalPlan();
const localConfig = loadStageConfig('local');
const localEnvs = localFunctionEnvironments(plan, localConfig, placeholderRefs(plan, localConfig));

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

  describe('function environments', () => {
    /** `ingress`, or `<workflow>/<function id>`, from the variables every function carries. */
    const functionKey = (env: Record<string, unknown>) =>
      env.WORKFLOW ? `${env.WORKFLOW}/${env.WORKFLOW_FUNCTION}` : String(env.POWERTOOLS_SERVICE_NAME);
    const cdkEnvs = new Map(
      resources
        .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.STAGE)
        .map((f) => {
          const vars = f.Properties.Environment.Variables as Record<string, unknown>;
          return [functionKey(vars), vars] as const;
        }),
    );
    const localEntries: [string, Record<string, unknown>][] = [
      ['ingress', localEnvs.ingress],
      ...WORKFLOWS.flatMap((w) =>
        functionsOf(w).map(
          (fn) =>
            [`${w.name}/${fn.id}`, localEnvs.workflows[w.name][fn.id]!] as [string, Record<string, unknown>],
        ),
      ),
    ];

    it('has the same functions in both runtimes', () => {
      expect([...cdkEnvs.keys()].sort()).toEqual(localEntries.map(([key]) => key).sort());
    });

    it.each(localEntries)('gives %s the same environment variable names', (key, localEnv) => {
      expect(Object.keys(cdkEnvs.get(key) ?? {}).sort()).toEqual(Object.keys(localEnv).sort());
    });

    it("points each function at its declared vendor's base URL and its OAuth client's secret in both runtimes", () => {
      for (const w of WORKFLOWS) {
        for (const fn of functionsOf(w)) {
          const cdk = cdkEnvs.get(`${w.name}/${fn.id}`)!;
          const local = localEnvs.workflows[w.name][fn.id]!;
          expect(cdk.VENDOR_BASE_URL).toBe(loadStageConfig('dev').vendors[fn.declaration.vendor].baseUrl);
          expect(local.VENDOR_BASE_URL).toBe(localConfig.vendors[fn.declaration.vendor].baseUrl);
          const { vendor, oauthClient } = fn.declaration;
          expect(local.VENDOR_SECRET_ID).toBe(`wfm-bridge/local/vendor/${vendor}/${oauthClient.name}`);
          expect(JSON.stringify(cdk.VENDOR_SECRET_ID)).toContain(
            `${pascalCase(vendor)}${pascalCase(oauthClient.name)}VendorSecret`,
          );
        }
      }
    });

    it('gives both runtimes the same values where no resource reference is involved', () => {
      const plain = [
        'WORKFLOW_SETTINGS',
        'MAX_RECEIVE_COUNT',
        'POWERTOOLS_SERVICE_NAME',
        'WORKFLOW_FUNCTION',
      ];
      for (const [key, localEnv] of localEntries) {
        for (const name of plain.filter((n) => n in localEnv))
          expect([key, name, cdkEnvs.get(key)![name]]).toEqual([key, name, localEnv[name]]);
      }
    });
  });
});
