import { ROUTES, WORKFLOWS, visibilityTimeoutSeconds } from '../../shared/topology';
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
