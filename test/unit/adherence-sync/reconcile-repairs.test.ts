/** Reconciliation repairs are pushes like any other: under the agent's lock, along the matrix, stamped to lose to later events. */
import { InMemoryEventPublisher } from '../../../shared/adapters/aws/platform.fake';
import type { AdherenceSyncSettings } from '../../../shared/config/workflows/adherence-sync';
import type { AgentRecord } from '../../../shared/domain/adherence-sync/ports';
import { processAgentState } from '../../../shared/domain/adherence-sync/process-agent-state';
import { reconcile, type DashboardState } from '../../../shared/domain/adherence-sync/reconcile';
import { fakeAdherence } from '../../helpers/adherence';

const now = Date.parse('2026-12-01T12:00:00Z');
const acknowledged: AgentRecord = { agentId: 'a1', state: 'OnCall', eventTime: now - 120_000 };
/** A matrix allowing only the given transitions. */
const matrix = (
  allowed: Partial<AdherenceSyncSettings['transitions']>,
): AdherenceSyncSettings['transitions'] => ({
  Scheduled: [],
  InSession: [],
  Unavailable: [],
  OnBreak: [],
  OnCall: [],
  ...allowed,
});
const drifted: DashboardState = { adherenceState: 'InSession', since: new Date(now - 60_000).toISOString() };

async function setup(
  options: { transitions?: AdherenceSyncSettings['transitions']; shown?: DashboardState } = {},
) {
  const fakes = await fakeAdherence([acknowledged], options.transitions);
  const events = new InMemoryEventPublisher();
  const run = () =>
    reconcile(
      {
        agents: () => fakes.store.list(),
        dashboard: async () => options.shown ?? drifted,
        adherence: fakes.deps,
        events,
        reasonCode: 'NONE',
        diagnostics: () => ({ lastRateLimitHeaders: {} }),
      },
      now,
    );
  return { ...fakes, events, run };
}

describe('reconciliation repairs', () => {
  it("hold the agent's lock while they push", async () => {
    const { wem, locks, run } = await setup();
    const lockFreeDuringPush: boolean[] = [];
    const push = wem.push.bind(wem);
    wem.push = async (event, key) => {
      const other = await locks.tryAcquire('agent#a1', 15);
      lockFreeDuringPush.push(other !== undefined);
      await other?.release();
      return push(event, key);
    };
    expect(await run()).toMatchObject({ repaired: 1 });
    expect(lockFreeDuringPush).toEqual([false]);
  });

  it('push nothing while another worker holds the agent', async () => {
    const { wem, locks, run } = await setup();
    const worker = await locks.tryAcquire('agent#a1', 15);
    expect(await run()).toMatchObject({ repaired: 0, busy: 1 });
    expect(wem.events).toEqual([]);
    await worker!.release();
  });

  it('push nothing when a real event moved the agent after the list was read', async () => {
    const { wem, store, deps, events } = await setup();
    const listed = await store.list();
    await processAgentState(
      { timestamp: new Date(now - 1000).toISOString(), data: { agent_id: 'a1', new_state: 'available' } },
      deps,
    );
    const pushed = wem.events.length;
    const result = await reconcile(
      {
        agents: async () => listed,
        dashboard: async () => drifted,
        adherence: deps,
        events,
        reasonCode: 'NONE',
        diagnostics: () => ({ lastRateLimitHeaders: {} }),
      },
      now,
    );
    expect(result).toMatchObject({ repaired: 0, busy: 1 });
    expect(wem.events).toHaveLength(pushed);
  });

  it("settle an event's unacknowledged push instead of repairing back to the state before it", async () => {
    const { wem, store, deps, events, run } = await setup();
    wem.faults.push('commit-then-fail'); // WEM records InSession, its answer is lost
    await expect(
      processAgentState(
        { timestamp: drifted.since!, data: { agent_id: 'a1', new_state: 'available' } },
        deps,
      ),
    ).rejects.toMatchObject({ reason: 'VENDOR_UNAVAILABLE' });
    expect(await run()).toMatchObject({ repaired: 0, settled: 1 });
    expect(wem.events.map((e) => e.adherenceState)).toEqual(['InSession']);
    expect(events.events).toEqual([]);
    expect(await store.read('a1')).toEqual({
      acknowledged: { agentId: 'a1', state: 'InSession', eventTime: Date.parse(drifted.since!) },
    });
  });

  it("re-send an event's push WEM never recorded, though the dashboard still agrees with the state before", async () => {
    const { wem, store, deps, run } = await setup({ shown: { adherenceState: 'OnCall', since: null } });
    wem.faults.push('unavailable');
    await expect(
      processAgentState(
        { timestamp: drifted.since!, data: { agent_id: 'a1', new_state: 'available' } },
        deps,
      ),
    ).rejects.toMatchObject({ reason: 'VENDOR_UNAVAILABLE' });
    expect(wem.events).toEqual([]);
    expect(await run()).toMatchObject({ repaired: 0, settled: 1 });
    expect(wem.events.map((e) => e.adherenceState)).toEqual(['InSession']);
    expect(await store.get('a1')).toEqual({
      agentId: 'a1',
      state: 'InSession',
      eventTime: Date.parse(drifted.since!),
    });
  });

  it('are stamped when the acknowledged state began, so a real event processed after them is later and wins', async () => {
    const { wem, deps, run } = await setup();
    await run();
    const [repair] = wem.events;
    expect(repair).toMatchObject({
      adherenceState: 'OnCall',
      startTime: new Date(acknowledged.eventTime).toISOString(),
    });
    // A real event from before the reconciliation run, processed after it.
    await processAgentState(
      { timestamp: new Date(now - 10_000).toISOString(), data: { agent_id: 'a1', new_state: 'available' } },
      deps,
    );
    const real = wem.events.at(-1)!;
    expect(real.adherenceState).toBe('InSession');
    expect(Date.parse(real.startTime)).toBeGreaterThan(Date.parse(repair!.startTime));
  });

  it('are bridged along the matrix from what the dashboard shows', async () => {
    const { wem, run } = await setup({
      shown: { adherenceState: 'Unavailable', since: drifted.since },
    });
    expect(await run()).toMatchObject({ repaired: 1 });
    // Unavailable -> OnCall is not allowed: through OnBreak, 1 ms before the acknowledged state.
    expect(wem.events.map((e) => [e.adherenceState, e.startTime])).toEqual([
      ['OnBreak', new Date(acknowledged.eventTime - 1).toISOString()],
      ['OnCall', new Date(acknowledged.eventTime).toISOString()],
    ]);
  });

  it('are not pushed when the matrix has no path, and the drift event says so', async () => {
    const { wem, events, run } = await setup({ transitions: matrix({ InSession: ['Unavailable'] }) });
    expect(await run()).toMatchObject({ repaired: 0, unrepairable: 1 });
    expect(wem.events).toEqual([]);
    expect(events.events[0]?.detail).toMatchObject({
      expected: 'OnCall',
      observed: 'InSession',
      repair: 'not pushed',
      repairReason: expect.stringContaining('no allowed path from InSession to OnCall'),
    });
  });
});

describe('held transitions at reconciliation', () => {
  const restrictive = matrix({ OnCall: ['InSession'], InSession: ['OnCall'] });
  const aux = (at: number) => ({
    timestamp: new Date(at).toISOString(),
    data: { agent_id: 'a1', new_state: 'aux', reason_code: 'meeting' },
  });

  it('stay held while the matrix still has no path', async () => {
    const { wem, deps, run } = await setup({ transitions: restrictive, shown: { adherenceState: 'OnCall' } });
    expect(await processAgentState(aux(now - 30_000), deps)).toMatchObject({ kind: 'held' });
    expect(await run()).toMatchObject({ released: 0, stillHeld: 1 });
    expect(wem.events).toEqual([]);
  });

  it('are released once the matrix allows them, with the reason code of their event', async () => {
    const held = await setup({ transitions: restrictive });
    expect(await processAgentState(aux(now - 30_000), held.deps)).toMatchObject({ kind: 'held' });
    // The matrix is fixed (a new deployment): the same stored transitions, read by a run with the new matrix.
    const fixed = await setup({ shown: { adherenceState: 'OnCall' } });
    for (const h of held.store.held) await fixed.store.hold(h);
    expect(await fixed.run()).toMatchObject({ released: 1, stillHeld: 0 });
    expect(fixed.wem.events.map((e) => [e.adherenceState, e.startTime, e.reasonCode])).toEqual([
      ['InSession', new Date(now - 30_001).toISOString(), 'MEETING'],
      ['Unavailable', new Date(now - 30_000).toISOString(), 'MEETING'],
    ]);
    expect(await fixed.store.get('a1')).toEqual({
      agentId: 'a1',
      state: 'Unavailable',
      eventTime: now - 30_000,
    });
  });
});
