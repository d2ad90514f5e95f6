import { contractFor } from '../../shared/contracts/registry';
import { METRIC_CATALOGUE, MetricName } from '../../shared/observability/metrics';
import { RewardMetric } from '../../shared/domain/reward-triggers/metrics';
import {
  alarmsOfWorkflow,
  functionAlarmsOfWorkflow,
  functionsOf,
  oauthClients,
  oauthTokenCredentialsId,
  ROUTES,
  stateKeysOf,
  WORKFLOWS,
  visibilityTimeoutSeconds,
  workflowFunction,
} from '../../shared/topology';
import { loadStageConfig, StageConfigError } from '../../shared/config/stage';

describe('topology', () => {
  it('declares the four workflows of DESIGN section 1', () => {
    expect(WORKFLOWS.map((w) => w.name)).toEqual([
      'shift-overrides',
      'adherence-sync',
      'shift-bids',
      'reward-triggers',
    ]);
  });

  it('declares the routes of DESIGN section 5, each once', () => {
    const paths = ROUTES.map((r) => r.path).sort();
    expect(paths).toEqual([
      '/webhooks/agent-state',
      '/webhooks/cxone/bidding',
      '/webhooks/cxone/schedule',
      '/webhooks/genesys/timeoff',
    ]);
  });

  it('declares per function which vendor it calls: the export ingestion reads Genesys, rewards go to the marketplace', () => {
    expect(workflowFunction('reward-triggers', 'reward-export-ingestion').vendor).toBe('genesys');
    expect(workflowFunction('reward-triggers', 'processor').vendor).toBe('rewards');
    expect(workflowFunction('shift-bids', 'processor').vendor).toBe('cxone');
    expect(() => workflowFunction('shift-bids', 'nightly')).toThrow(/no function nightly/);
  });

  it('derives alarms from declarations: a breaker alarm per vendor-calling workflow, Drift where declared', () => {
    for (const w of WORKFLOWS) {
      const ids = alarmsOfWorkflow(w).map((a) => a.id);
      expect(ids).toContain('BreakerOpen');
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(alarmsOfWorkflow(WORKFLOWS.find((w) => w.name === 'adherence-sync')!).map((a) => a.id)).toEqual([
      'BreakerOpen',
      'WemRecalculations',
      'WemDispatchGaps',
      'Drift',
      'ReconcileDeferred',
      'ReconcileErrors',
    ]);
    const metricNames = new Set<string>(Object.values(MetricName));
    for (const w of WORKFLOWS)
      for (const a of alarmsOfWorkflow(w)) expect(metricNames).toContain(a.metricName);
  });

  it('alarms on rejected rewards, rewards left for an administrator, refused clawbacks and failed or missing ingestion runs', () => {
    const rewards = WORKFLOWS.find((w) => w.name === 'reward-triggers')!;
    expect(alarmsOfWorkflow(rewards).map((a) => a.id)).toEqual([
      'BreakerOpen',
      'RuleDocumentRefused',
      'RewardIssueRejected',
      'RewardNeedsAdministrator',
      'RewardClawbackRefused',
      'RewardIngestionFailedDays',
    ]);
    const ingestion = functionAlarmsOfWorkflow(rewards).find((f) => f.fn.id === 'reward-export-ingestion')!;
    expect(ingestion.alarms.map((a) => a.id)).toEqual(['Errors', 'Throttles', 'DidNotRun']);
    // Every metric the reward handlers emit is in the catalogue the dashboards and alarms are checked against.
    for (const name of Object.values(RewardMetric)) expect(Object.keys(METRIC_CATALOGUE)).toContain(name);
  });

  it('has a contract for every event type a route takes or ignores, and never both', () => {
    for (const r of ROUTES) {
      const ignored = Object.keys(r.ingressRule.ignoredEventTypes);
      for (const type of [...r.eventTypes, ...ignored])
        expect([type, contractFor(type)]).toEqual([type, expect.anything()]);
      expect(r.eventTypes.filter((t) => ignored.includes(t))).toEqual([]);
    }
  });

  it('declares one OAuth client per workflow and vendor, each with the scopes its spec names (decision 0013)', () => {
    // Written out from specs 001-004, not derived.
    expect(oauthClients().map((c) => [c.vendor, c.name, c.scopes.join(' ')])).toEqual([
      [
        'genesys',
        'shift-overrides',
        'wfm:timeoff:request:read wfm:scheduling:shift:read wfm:scheduling:override:write',
      ],
      ['genesys', 'adherence-sync', 'wem:adherence:view wem:adherence:edit wem:agent:view'],
      ['cxone', 'shift-bids', 'wfm:bidding:write wfm:schedule:read wfm:agent:read wfm:site:read'],
      ['rewards', 'reward-triggers', ''],
      ['genesys', 'reward-triggers', 'wfm.export.read'],
    ]);
    for (const w of WORKFLOWS)
      for (const { declaration } of functionsOf(w)) expect(declaration.oauthClient.name).toBe(w.name);
  });

  it("keys each client's shared token by its name and scopes, under the function's own token grant", () => {
    const adherence = workflowFunction('adherence-sync', 'processor');
    expect(oauthTokenCredentialsId(adherence.oauthClient)).toBe(
      'adherence-sync#wem:adherence:edit wem:adherence:view wem:agent:view',
    );
    expect(stateKeysOf(adherence)).toContain('TOKEN#genesys#adherence-sync#*');
    expect(stateKeysOf(adherence).filter((k) => k.startsWith('TOKEN#'))).toHaveLength(1);
  });

  it('gives every workflow function an id that is unique in its workflow', () => {
    for (const w of WORKFLOWS) {
      const ids = functionsOf(w).map((f) => f.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('keeps visibility timeouts at least six times the processor timeout', () => {
    for (const w of WORKFLOWS)
      expect(visibilityTimeoutSeconds(w)).toBeGreaterThanOrEqual(6 * w.processor.timeoutSeconds);
  });
});

describe('stage config', () => {
  it('validates every declared stage', () => {
    for (const stage of ['local', 'dev', 'prod']) expect(loadStageConfig(stage).stage).toBe(stage);
  });

  it('lists every problem at once', () => {
    const attempt = () =>
      loadStageConfig('dev', {
        api: { throttle: { rateLimit: -1, burstLimit: 0 }, maxBodyBytes: 1, ipAllowlist: ['nope'] },
      });
    expect(attempt).toThrow(StageConfigError);
    try {
      attempt();
    } catch (err) {
      expect((err as StageConfigError).problems.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('names the valid stages when the stage is unknown', () => {
    expect(() => loadStageConfig('qa')).toThrow(/valid stages: local, dev, prod/);
  });
});
