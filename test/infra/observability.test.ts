/**
 * What on-call sees in AWS, read from the synthesized template: every dashboard line and alarm queries a
 * metric the code emits (name and exact dimension set), every function has its alarms, domain events on-call
 * needs reach a log group, and log groups are where the runbook says.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import { diagnosticsLogGroupName, functionLogGroupName } from '../../shared/config/resource-names';
import { loadStageConfig, STAGES } from '../../shared/config/stage';
import { dimensionSetsOf, METRIC_CATALOGUE, type MetricName } from '../../shared/observability/metrics';
import {
  API_ACCESS_LOG_NAMESPACE,
  DOMAIN_EVENTS,
  functionsOf,
  ingressAlarms,
  SCHEDULES,
  WORKFLOWS,
} from '../../shared/topology';

type Resource = { Type: string; Properties: Record<string, any> };

const { stack, config } = buildApp('dev');
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const refOf = (value: unknown): string | undefined =>
  (value as any)?.Ref ?? (value as any)?.['Fn::GetAtt']?.[0];
const runbook = readFileSync(join(__dirname, '../../docs/runbook.md'), 'utf8');

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();
const isDeclaredSet = (name: string, dims: readonly string[]) =>
  name in METRIC_CATALOGUE && dimensionSetsOf(name as MetricName).some((set) => sameSet(set, dims));

/** A dashboard body with every CloudFormation token (queue names, function names, region) as a placeholder. */
function dashboardBody(body: unknown): any {
  const join = (body as any)['Fn::Join'];
  const text = join ? join[1].map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN')).join('') : body;
  return JSON.parse(text as string);
}

interface DashboardLine {
  readonly dashboard: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Every WfmBridge line of every dashboard: plain metric lines and SEARCH expressions alike. */
const dashboardLines: DashboardLine[] = ofType('AWS::CloudWatch::Dashboard').flatMap(([id, d]) =>
  dashboardBody(d.Properties.DashboardBody).widgets.flatMap((w: any) =>
    (w.properties.metrics ?? []).flatMap((m: any[]): DashboardLine[] => {
      if (typeof m[0] === 'object') {
        const search = /SEARCH\('\{WfmBridge,([^}]*)\} MetricName="(\w+)"((?: \w+="[^"]*")*)'/.exec(
          m[0].expression ?? '',
        );
        if (!search) return [];
        const keys = search[1]!.split(',');
        const values = Object.fromEntries(
          [...search[3]!.matchAll(/(\w+)="([^"]*)"/g)].map((v) => [v[1], v[2]]),
        );
        return [
          {
            dashboard: id,
            name: search[2]!,
            dimensions: Object.fromEntries(keys.map((k) => [k, values[k] ?? '*'])),
          },
        ];
      }
      if (m[0] !== 'WfmBridge') return [];
      const pairs = m.slice(2).filter((x): x is string => typeof x === 'string');
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      return [{ dashboard: id, name: m[1], dimensions }];
    }),
  ),
);

describe('metrics: what the code emits is what the dashboards and alarms query', () => {
  it('finds WfmBridge lines on the dashboards (the parser reads them)', () => {
    expect(dashboardLines.length).toBeGreaterThan(WORKFLOWS.length * 5);
  });

  it.each(dashboardLines.map((l) => [l.name, Object.keys(l.dimensions).sort().join(','), l.dashboard, l]))(
    'dashboard line %s {%s} (%s) is a declared metric on a dimension set it is emitted with',
    (_name, _dims, _dashboard, line) => {
      const l = line as DashboardLine;
      expect(isDeclaredSet(l.name, Object.keys(l.dimensions))).toBe(true);
      // The base dimensions name the emitter: service=workflow=<name> for a workflow, service=ingress.
      const emitter = METRIC_CATALOGUE[l.name as MetricName].emitter;
      if (emitter === 'ingress') expect(l.dimensions.service).toBe('ingress');
      else expect(WORKFLOWS.map((w) => w.name)).toContain(l.dimensions.workflow);
      if (emitter === 'workflow') expect(l.dimensions.service).toBe(l.dimensions.workflow);
    },
  );

  it('charts every declared metric on some dashboard, VendorCalls by status included', () => {
    const charted = new Set(dashboardLines.map((l) => l.name));
    expect([...Object.keys(METRIC_CATALOGUE)].filter((n) => !charted.has(n))).toEqual([]);
    const byStatus = dashboardLines.filter((l) => l.name === 'VendorCalls' && 'status' in l.dimensions);
    expect(byStatus.map((l) => l.dimensions.workflow).sort()).toEqual(WORKFLOWS.map((w) => w.name).sort());
  });

  it('alarms only on declared metrics, on a dimension set they are emitted with', () => {
    const custom = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.Namespace === 'WfmBridge');
    expect(custom.length).toBeGreaterThan(0);
    for (const [id, a] of custom) {
      const dims = (a.Properties.Dimensions as { Name: string; Value: string }[]).map((d) => d.Name);
      expect([id, isDeclaredSet(a.Properties.MetricName, dims)]).toEqual([id, true]);
    }
  });
});

describe('alarms for every function', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const lambdaAlarmsOf = (fnId: string, metric: string) =>
    alarms.filter(
      (a) =>
        a.Namespace === 'AWS/Lambda' &&
        a.MetricName === metric &&
        a.Dimensions?.some((d: any) => d.Name === 'FunctionName' && refOf(d.Value) === fnId),
    );
  const functions = ofType('AWS::Lambda::Function');

  it.each(functions.map(([id]) => [id]))('%s has an Errors and a Throttles alarm', (fnId) => {
    expect(lambdaAlarmsOf(fnId, 'Errors')).toHaveLength(1);
    expect(lambdaAlarmsOf(fnId, 'Throttles')).toHaveLength(1);
  });

  it.each(SCHEDULES.map((s) => [s.id, s]))('schedule %s has a "did not run" heartbeat', (_id, schedule) => {
    const s = schedule as (typeof SCHEDULES)[number];
    const [fnId] = functions.find(
      ([, f]) =>
        f.Properties.Environment.Variables.WORKFLOW === s.workflow &&
        f.Properties.Environment.Variables.WORKFLOW_FUNCTION === s.id,
    )!;
    const [heartbeat] = lambdaAlarmsOf(fnId, 'Invocations');
    expect(heartbeat).toMatchObject({
      Statistic: 'Sum',
      Period: s.heartbeatMinutes * 60,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect(s.heartbeatMinutes * 60).toBeLessThanOrEqual(86_400);
  });

  it('watches the webhook API: 5xx, p99 latency above 5 s, a spike of rejected signatures', () => {
    const api = alarms.filter((a) => a.Namespace === 'AWS/ApiGateway');
    expect(api.find((a) => a.MetricName === '5XXError')).toMatchObject({ Statistic: 'Sum', Threshold: 0 });
    expect(api.find((a) => a.MetricName === 'Latency')).toMatchObject({
      ExtendedStatistic: 'p99',
      Threshold: 5000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarms.find((a) => a.MetricName === 'SignatureRejected')).toMatchObject({
      Namespace: 'WfmBridge',
      Dimensions: [{ Name: 'service', Value: 'ingress' }],
    });
    expect(ingressAlarms().map((a) => a.id)).toEqual(
      expect.arrayContaining([
        'Errors',
        'Throttles',
        'Api5xx',
        'ApiLatencyP99',
        'ApiThrottled',
        'SignatureRejected',
      ]),
    );
  });

  it("watches what the API's throttle refuses: 429s counted from the stage's access log", () => {
    const [[stageId, stage]] = ofType('AWS::ApiGateway::Stage') as [[string, Resource]];
    const { DestinationArn, Format } = stage.Properties.AccessLogSetting;
    // The filter reads the field the stage writes, as the string the format quotes it as.
    expect(JSON.parse(Format).status).toBe('$context.status');
    const accessLogGroup = refOf(DestinationArn);
    const filters = ofType('AWS::Logs::MetricFilter').filter(
      ([, f]) => refOf(f.Properties.LogGroupName) === accessLogGroup,
    );
    expect([stageId, filters.map(([, f]) => f.Properties)]).toEqual([
      stageId,
      [
        {
          LogGroupName: { Ref: accessLogGroup },
          FilterPattern: '{ $.status = "429" }',
          MetricTransformations: [
            { MetricNamespace: API_ACCESS_LOG_NAMESPACE, MetricName: 'ApiThrottled', MetricValue: '1' },
          ],
        },
      ],
    ]);
    expect(alarms.filter((a) => a.Namespace === API_ACCESS_LOG_NAMESPACE)).toEqual([
      expect.objectContaining({ MetricName: 'ApiThrottled', Statistic: 'Sum', Threshold: 0, Period: 300 }),
    ]);
    expect(
      dashboardBody(
        ofType('AWS::CloudWatch::Dashboard').find(([id]) => id.startsWith('IngressDashboard'))![1].Properties
          .DashboardBody,
      ).widgets.flatMap((w: any) => w.properties.metrics ?? []),
    ).toContainEqual([API_ACCESS_LOG_NAMESPACE, 'ApiThrottled', { stat: 'Sum' }]);
  });

  it('sends every alarm to the alarm topic', () => {
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
  });
});

/** Every domain event type a `publish({ type: ... })` in the code names (string literals in the type expression). */
function publishedEventTypes(): Set<string> {
  const types = new Set<string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  const root = join(__dirname, '../..');
  for (const file of [...walk(join(root, 'shared')), ...walk(join(root, 'functions'))]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\.publish\(\{\s*type:([^\n]*)/g))
      for (const t of m[1]!.matchAll(/'([a-z_]+\.[a-z_.]+)'/g)) types.add(t[1]!);
  }
  return types;
}

describe('domain events reach on-call', () => {
  const bus = ofType('AWS::Events::EventBus')[0]!;

  it('declares every event type the code publishes (the scan finds them)', () => {
    const published = publishedEventTypes();
    expect(published).toContain('adherence.drift');
    expect([...published].sort()).toEqual(DOMAIN_EVENTS.map((e) => e.type).sort());
  });

  it('archives every event on the bus, with a retention', () => {
    const archives = ofType('AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    const [, archive] = archives[0]!;
    expect(refOf(archive.Properties.SourceArn)).toBe(bus[0]);
    expect(archive.Properties.RetentionDays).toBeGreaterThan(0);
  });

  it.each(DOMAIN_EVENTS.filter((e) => e.onCall).map((e) => [e.type]))(
    '%s is delivered to the diagnostics log group (policy and DLQ included)',
    (type) => {
      // Other rules may deliver the same type elsewhere too (the supervisor topic); one reaches the log group.
      const rules = ofType('AWS::Events::Rule').filter(
        ([, r]) =>
          refOf(r.Properties.EventBusName) === bus[0] &&
          r.Properties.EventPattern['detail-type']?.includes(type) &&
          r.Properties.Targets.some(
            (t: { Arn: unknown }) => resources[refOf(t.Arn) ?? '']?.Type === 'AWS::Logs::LogGroup',
          ),
      );
      expect(rules).toHaveLength(1);
      const [ruleId, rule] = rules[0]!;
      const [target] = rule.Properties.Targets;
      const logGroup = resources[refOf(target.Arn)!]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.LogGroupName).toBe(diagnosticsLogGroupName(config.stage));
      expect(resources[refOf(target.DeadLetterConfig.Arn)!]!.Type).toBe('AWS::SQS::Queue');
      const policies = ofType('AWS::Logs::ResourcePolicy').map(([, p]) => JSON.stringify(p.Properties));
      expect(
        policies.some(
          (p) => p.includes('events.amazonaws.com') && p.includes(refOf(target.Arn)!) && p.includes(ruleId),
        ),
      ).toBe(true);
    },
  );

  it('tells on-call where diagnostics land', () => {
    expect(runbook).toContain(diagnosticsLogGroupName('<stage>'));
  });
});

describe('log groups are where the runbook says', () => {
  const functions = ofType('AWS::Lambda::Function');
  const logGroupNameOf = (f: Resource) =>
    resources[refOf(f.Properties.LoggingConfig.LogGroup)!]!.Properties.LogGroupName;

  it('names each workflow function log group /wfm-bridge/<stage>/<workflow>/<function>', () => {
    for (const w of WORKFLOWS)
      for (const fn of functionsOf(w)) {
        const [, f] = functions.find(
          ([, x]) =>
            x.Properties.Environment.Variables.WORKFLOW === w.name &&
            x.Properties.Environment.Variables.WORKFLOW_FUNCTION === fn.id,
        )!;
        expect(logGroupNameOf(f)).toBe(functionLogGroupName(config.stage, { workflow: w.name, id: fn.id }));
      }
    const [, ingress] = functions.find(
      ([, x]) => x.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'ingress',
    )!;
    expect(logGroupNameOf(ingress)).toBe(functionLogGroupName(config.stage, 'ingress'));
  });

  it('gives the runbook the same paths', () => {
    expect(runbook).toContain(functionLogGroupName('<stage>', { workflow: '<workflow>', id: '<function>' }));
    expect(runbook).toContain(functionLogGroupName('<stage>', 'ingress'));
    expect(runbook).not.toContain('/aws/lambda/');
  });
});

describe('log levels are the stage config', () => {
  // Bundling is skipped: only the functions' environment is read.
  const lambdasOf = (stage: string) =>
    Object.values(
      Template.fromStack(
        buildApp(stage, new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } })).stack,
      ).toJSON().Resources as Record<string, Resource>,
    ).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );

  it.each(Object.keys(STAGES).filter((s) => s !== 'local'))(
    'gives every function of the %s stack the stage log level, which keeps what the runbook queries select',
    (stage) => {
      const functions = lambdasOf(stage);
      // The ingress and every workflow function of the topology.
      expect(functions).toHaveLength(1 + WORKFLOWS.flatMap((w) => functionsOf(w)).length);
      const levels = functions.map((f) => f.Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL);
      expect(new Set(levels)).toEqual(new Set([loadStageConfig(stage).logLevel]));
    },
  );
});
