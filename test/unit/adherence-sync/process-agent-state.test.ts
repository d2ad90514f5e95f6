import { InMemoryAgentStateStore } from '../../../shared/adapters/aws/agent-state-store.fake';
import {
  InMemoryAuditLog,
  InMemoryEventPublisher,
  InMemoryLockManager,
} from '../../../shared/adapters/aws/platform.fake';
import { GenesysWemAdapter } from '../../../shared/adapters/genesys/adherence';
import { FakeGenesysWem } from '../../../shared/adapters/genesys/adherence.fake';
import { loadStageConfig } from '../../../shared/config/stage';
import { processAgentState } from '../../../shared/domain/adherence-sync/process-agent-state';
import { reconcile } from '../../../shared/domain/adherence-sync/reconcile';
import type { HttpRequest, VendorHttpClient } from '../../../shared/http/types';
import { fakeAdherence } from '../../helpers/adherence';
import { VirtualClock } from '../../helpers/virtual-clock';

const settings = loadStageConfig('local').workflows['adherence-sync'];

function setup(wem = new FakeGenesysWem()) {
  const clock = new VirtualClock();
  const store = new InMemoryAgentStateStore();
  const deps = {
    wem,
    store,
    locks: new InMemoryLockManager(clock),
    audit: new InMemoryAuditLog(),
    settings,
  };
  const event = (state: string, timestamp: string, reason?: string) =>
    processAgentState({ timestamp, data: { agent_id: 'a1', new_state: state, reason_code: reason } }, deps);
  return { wem, store, event, audit: deps.audit };
}

describe('processAgentState with the in-memory fakes', () => {
  it('skips an agent WEM does not know (404 on the schedule read) with an audit entry, sending and recording nothing', async () => {
    const { wem, store, event, audit } = setup();
    wem.unknownAgents.add('a1');
    expect(await event('on-call', '2026-12-01T09:00:00Z')).toEqual({
      kind: 'skipped',
      reason: expect.stringContaining('a1'),
    });
    expect(wem.calls.filter((c) => c.kind === 'push')).toEqual([]);
    expect(await store.get('a1')).toBeUndefined();
    expect(audit.records).toEqual([
      expect.objectContaining({ subject: 'agent#a1', action: 'SKIPPED_NOT_FOUND' }),
    ]);
  });

  it('sends transitions only: repeats, heartbeats and ACD states mapping to the same WEM state cost no call', async () => {
    const { wem, event } = setup();
    await event('available', '2026-12-01T09:00:00Z');
    await event('idle', '2026-12-01T09:01:00Z'); // InSession again
    await event('idle', '2026-12-01T09:02:00Z'); // heartbeat
    await event('on-call', '2026-12-01T09:03:00Z');
    await event('after-call-work', '2026-12-01T09:08:00Z');
    expect(wem.events.map((e) => e.adherenceState)).toEqual(['InSession', 'OnCall', 'InSession']);
  });

  it('drops an event older than the recorded one, and a duplicate, without a call', async () => {
    const { wem, event } = setup();
    await event('on-call', '2026-12-01T09:05:00Z');
    const pushes = wem.calls.filter((c) => c.kind === 'push').length;
    expect(await event('available', '2026-12-01T09:04:00Z')).toEqual({ kind: 'stale' });
    expect(await event('on-call', '2026-12-01T09:05:00Z')).toEqual({ kind: 'stale' });
    expect(wem.calls.filter((c) => c.kind === 'push')).toHaveLength(pushes);
  });

  it('forgets a push WEM refused (422: nothing recorded), so the next event is planned from the state before', async () => {
    const { wem, store, event } = setup(new FakeGenesysWem({ complianceReasonCodes: ['NONE'] }));
    await event('available', '2026-12-01T09:00:00Z');
    await expect(event('aux', '2026-12-01T09:01:00Z', 'meeting')).rejects.toMatchObject({
      reason: 'REASON_CODE_REJECTED',
    });
    expect(await store.read('a1')).toEqual({
      acknowledged: { agentId: 'a1', state: 'InSession', eventTime: Date.parse('2026-12-01T09:00:00Z') },
    });
    await event('on-call', '2026-12-01T09:02:00Z');
    expect(wem.events.map((e) => e.adherenceState)).toEqual(['InSession', 'OnCall']);
  });

  it('bridges OnCall -> Unavailable through InSession, stamped 1 ms apart before the target', async () => {
    const { wem, event } = setup();
    await event('on-call', '2026-12-01T09:00:00Z');
    await event('aux', '2026-12-01T09:10:00Z', 'meeting');
    expect(wem.events.slice(1).map((e) => [e.adherenceState, e.startTime, e.reasonCode])).toEqual([
      ['InSession', '2026-12-01T09:09:59.999Z', 'MEETING'],
      ['Unavailable', '2026-12-01T09:10:00.000Z', 'MEETING'],
    ]);
  });
});

describe('schedule type lookups (300/min org limit) are shared by every instance', () => {
  it('a second instance reads the cached type instead of calling Genesys', async () => {
    const clock = new VirtualClock();
    const lookups: string[] = [];
    const general: VendorHttpClient = {
      request: async <T>(req: HttpRequest) => {
        lookups.push(req.path);
        return { status: 200, headers: {}, attempts: 1, body: { scheduleType: 'Flex' } as T };
      },
    };
    const unused: VendorHttpClient = {
      request: () => Promise.reject(new Error('no adherence call expected')),
    };
    const cache = new InMemoryAgentStateStore();
    const first = new GenesysWemAdapter(unused, general, clock, cache);
    const second = new GenesysWemAdapter(unused, general, clock, cache);
    expect(await first.scheduleType('a1')).toBe('Flex');
    expect(await second.scheduleType('a1')).toBe('Flex');
    expect(lookups).toEqual(['/api/v2/wem/adherence/agents/a1/schedule']);
    clock.advance(13 * 3_600_000); // past the 12 h the type is trusted
    expect(await second.scheduleType('a1')).toBe('Flex');
    expect(lookups).toHaveLength(2);
  });
});

describe('reconciliation within a time budget', () => {
  it('checks the most recently changed agents first and stops at the deadline', async () => {
    const events = new InMemoryEventPublisher();
    const read: string[] = [];
    let now = Date.parse('2026-12-01T12:00:00Z');
    const { deps: adherence, store } = await fakeAdherence([
      { agentId: 'old', state: 'InSession', eventTime: now - 3_600_000 },
      { agentId: 'newest', state: 'OnCall', eventTime: now - 60_000 },
      { agentId: 'newer', state: 'OnBreak', eventTime: now - 120_000 },
    ]);
    const result = await reconcile(
      {
        agents: () => store.list(),
        dashboard: async (agentId) => {
          read.push(agentId);
          now += 1000; // each read takes a second
          return { adherenceState: 'Unavailable', since: '2026-12-01T10:00:00Z' };
        },
        adherence,
        events,
        reasonCode: 'NONE',
        diagnostics: () => ({ lastRateLimitHeaders: {} }),
      },
      now,
      { deadline: now + 2000, clock: () => now },
    );
    expect(read).toEqual(['newest', 'newer']);
    expect(result).toMatchObject({ agents: 3, checked: 2, deferred: 1, repaired: 2, failed: 0, errors: [] });
    expect(events.events.map((e) => e.type)).toEqual(['adherence.drift', 'adherence.drift']);
  });
});
