import { InMemoryEventPublisher } from '../../../shared/adapters/aws/platform.fake';
import { reconcile, reconcileReport } from '../../../shared/domain/adherence-sync/reconcile';
import { fakeAdherence } from '../../helpers/adherence';

describe('reconciliation when one agent cannot be checked', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');

  async function run() {
    const events = new InMemoryEventPublisher();
    const { deps: adherence, store } = await fakeAdherence([
      { agentId: 'first', state: 'OnCall', eventTime: now - 60_000 },
      { agentId: 'broken', state: 'OnBreak', eventTime: now - 120_000 },
      { agentId: 'last', state: 'InSession', eventTime: now - 180_000 },
    ]);
    const result = await reconcile(
      {
        agents: () => store.list(),
        dashboard: async (agentId) => {
          if (agentId === 'broken') throw new Error('HTTP 503 from the WEM dashboard');
          return { adherenceState: 'Unavailable', since: '2026-12-01T10:00:00Z' };
        },
        adherence,
        events,
        reasonCode: 'NONE',
        diagnostics: () => ({ lastRateLimitHeaders: {} }),
      },
      now,
    );
    return { result, events };
  }

  it('checks and repairs every other agent, and counts the failure', async () => {
    const { result, events } = await run();
    expect(result).toMatchObject({ agents: 3, checked: 3, deferred: 0, repaired: 2, failed: 1 });
    expect(result.errors).toEqual([{ agentId: 'broken', error: 'HTTP 503 from the WEM dashboard' }]);
    expect(events.events.map((e) => e.detail.agentId)).toEqual(['first', 'last']);
  });

  it('reports the failed agents with their errors, as the runbook says', async () => {
    const { result } = await run();
    const lines = reconcileReport(result);
    expect(lines[0]).toMatchObject({ level: 'info', detail: { failed: 1, repaired: 2 } });
    expect(lines).toContainEqual({
      level: 'warn',
      message: 'reconciliation could not check some agents',
      detail: { failed: 1, errors: [{ agentId: 'broken', error: 'HTTP 503 from the WEM dashboard' }] },
    });
  });
});
