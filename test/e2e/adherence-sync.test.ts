/** Issue 4 on the local runtime (first part): transitions only, ordering by event time, no raw unmapped codes. */
import { localClientCredentials } from '../../local/provision';
import { correlationIdOf } from '../../shared/http/correlation';
import {
  attr,
  domainEvents,
  local,
  peekDlq,
  postWebhook,
  runSchedule,
  sandbox,
  waitFor,
  waitForQueueDrained,
} from '../helpers/local';
import { agentStateChanged as agentState } from '../helpers/payloads';

const genesys = sandbox('genesys');
const uid = () => `agent-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

interface WemEvent {
  adherenceState: string;
  processingStatus: string;
  reasonCode: string;
  startTime: string;
}
interface AgentView {
  dashboard: { adherenceState: string | null };
  events: WemEvent[];
}

const view = async (agentId: string) =>
  ((await genesys.state()) as { adherence: { agents: Record<string, AgentView> } }).adherence.agents[agentId];
const pushes = async (agentId: string) =>
  (
    (await genesys.requests({ path: `/api/v2/wem/adherence/agents/${agentId}/adherence-events` })) as {
      requests: { method: string }[];
    }
  ).requests.filter((r) => r.method === 'POST');
/** Every delivery of the test's events has completed: the positive signal before counting what was not sent. */
const settle = () => waitForQueueDrained('adherence-sync');

describe('adherence-sync on the local runtime', () => {
  it('sends the same state once, however often it arrives (repeats and duplicate deliveries)', async () => {
    const agent = uid();
    const first = agentState(agent, 'on-call', '2026-05-15T14:00:00.000Z');
    await Promise.all([0, 1, 2].map(() => postWebhook('/webhooks/agent-state', first)));
    await postWebhook('/webhooks/agent-state', agentState(agent, 'on-call', '2026-05-15T14:00:30.000Z'));
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'OnCall', {
      what: 'OnCall on the dashboard',
    });
    await settle();
    expect(await pushes(agent)).toHaveLength(1);
  });

  it('leaves the latest state when events arrive out of order', async () => {
    const agent = uid();
    await postWebhook('/webhooks/agent-state', agentState(agent, 'on-call', '2026-05-15T15:00:10.000Z'));
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'OnCall', { what: 'OnCall' });
    await postWebhook(
      '/webhooks/agent-state',
      agentState(agent, 'break', '2026-05-15T15:00:05.000Z', 'break-15'),
    );
    await settle();
    expect((await view(agent))?.dashboard.adherenceState).toBe('OnCall');
    expect(await pushes(agent)).toHaveLength(1);
  });

  it('bridges a transition the matrix does not allow, so WEM applies it at once', async () => {
    const agent = uid();
    await postWebhook('/webhooks/agent-state', agentState(agent, 'logged-in', '2026-05-15T08:00:00.000Z'));
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'Scheduled', {
      what: 'Scheduled',
    });
    await postWebhook('/webhooks/agent-state', agentState(agent, 'on-call', '2026-05-15T08:05:00.000Z'));
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'OnCall', { what: 'OnCall' });
    const events = (await view(agent))!.events;
    expect(events.map((e) => [e.adherenceState, e.processingStatus])).toEqual([
      ['Scheduled', 'APPLIED'],
      ['InSession', 'APPLIED'],
      ['OnCall', 'APPLIED'],
    ]);
  });

  it('sends nothing for an unmapped reason code and dead-letters the event with its reason', async () => {
    const agent = uid();
    await postWebhook(
      '/webhooks/agent-state',
      agentState(agent, 'break', '2026-05-15T16:00:00.000Z', 'coffee-run'),
    );
    const dead = await waitFor(
      async () => (await peekDlq('adherence-sync')).find((m) => m.Body?.includes(agent)),
      {
        what: 'the event on the DLQ',
      },
    );
    expect(attr(dead, 'failureReason')).toBe('REASON_CODE_UNMAPPED');
    expect(attr(dead, 'failureDetail')).toContain('coffee-run');
    expect(await pushes(agent)).toHaveLength(0);
  });
});

describe('spec 002 latency telemetry on the local runtime', () => {
  it("sends the record's event id as X-Correlation-Id on each of its vendor calls", async () => {
    const agent = uid();
    const answer = await postWebhook(
      '/webhooks/agent-state',
      agentState(agent, 'on-call', '2026-05-15T11:00:00.000Z'),
    );
    const eventId = (answer.body as { eventId: string }).eventId;
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'OnCall', { what: 'OnCall' });
    const calls = (
      (await genesys.requests({ path: `/api/v2/wem/adherence/agents/${agent}` })) as {
        requests: { method: string; headers: Record<string, string> }[];
      }
    ).requests;
    expect(calls.map((c) => c.method)).toEqual(['GET', 'POST']); // the schedule type, then the event
    const correlationId = correlationIdOf(eventId);
    expect(calls.map((c) => c.headers['x-correlation-id'])).toEqual([correlationId, correlationId]);
    expect(calls.every((c) => !Number.isNaN(Date.parse(c.headers['x-timestamp-dispatch'] ?? '')))).toBe(true);
  });
});

describe('adherence reconciliation on the local runtime', () => {
  it('repairs drift older than 30 s and emits adherence.drift with its diagnosis', async () => {
    const agent = uid();
    await postWebhook(
      '/webhooks/agent-state',
      agentState(agent, 'on-call', new Date(Date.now() - 120_000).toISOString()),
    );
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'OnCall', { what: 'OnCall' });
    // WEM shows a push before our record acknowledges it: reconciliation lists acknowledged agents only.
    await settle();
    // The dashboard shows something else than what WEM acknowledged a minute ago.
    await genesys.fixtures({
      adherenceStates: [
        { agentId: agent, adherenceState: 'Unavailable', since: new Date(Date.now() - 60_000).toISOString() },
      ],
    });
    await runSchedule('adherence-reconciliation');
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'OnCall', {
      what: 'the repair',
    });
    const drift = (await domainEvents('adherence.drift')).find(
      (e) => (e.detail as { agentId: string }).agentId === agent,
    );
    expect(drift?.detail).toMatchObject({
      expected: 'OnCall',
      observed: 'Unavailable',
      payloadHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      lastTokenRefreshAt: expect.any(String),
      freshness: 'recent', // acknowledged two minutes ago (spec 000: recent < 5 min)
    });
  });
});

describe('a reconciliation repair racing a real event', () => {
  it('loses to a real event processed after it, even one that happened before the run', async () => {
    const agent = uid();
    await postWebhook(
      '/webhooks/agent-state',
      agentState(agent, 'on-call', new Date(Date.now() - 120_000).toISOString()),
    );
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'OnCall', { what: 'OnCall' });
    // WEM shows a push before our record acknowledges it: reconciliation lists acknowledged agents only.
    await settle();
    await genesys.fixtures({
      adherenceStates: [
        { agentId: agent, adherenceState: 'InSession', since: new Date(Date.now() - 60_000).toISOString() },
      ],
    });
    // The agent went on break 10 s ago; the event is delivered after the repair.
    const onBreakAt = new Date(Date.now() - 10_000).toISOString();
    await runSchedule('adherence-reconciliation');
    await waitFor(async () => (await view(agent))?.dashboard.adherenceState === 'OnCall', {
      what: 'the repair',
    });
    await postWebhook('/webhooks/agent-state', agentState(agent, 'break', onBreakAt, 'break-15'));
    await waitFor(async () => (await view(agent))?.events.some((e) => e.startTime === onBreakAt), {
      what: 'the real event at WEM',
    });
    expect((await view(agent))?.dashboard.adherenceState).toBe('OnBreak');
  });
});

describe('token expiry mid-burst', () => {
  afterAll(() => genesys.config({ tokenTtlSeconds: 3600 }));

  it('loses no event to a 401 and requests at most one token per refresh period, whatever the number of instances', async () => {
    await genesys.config({ tokenTtlSeconds: 2 });
    // Another party refreshes the workflow's client (adherence-sync's own, decision 0013): Genesys revokes the
    // token its instances share (spec 002), and their next token lives 2 s (refreshed at half-life, every second
    // while in use).
    const res = await fetch(`${local().sandboxUrl}/genesys/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: localClientCredentials('adherence-sync').clientId,
        client_secret: localClientCredentials('adherence-sync').clientSecret,
      }),
    });
    expect(res.status).toBe(200);
    const since = (await genesys.requests({ path: '/oauth/token', limit: 1 })).requests.at(-1)!.seq;
    const agents = Array.from({ length: 30 }, () => uid());
    const started = Date.now();
    // Three waves over ~5 s, so tokens expire while events are in flight on every instance
    // (WFM_LOCAL_CONCURRENCY, default 3 per workflow).
    for (const [wave, state] of ['logged-in', 'available', 'on-call'].entries()) {
      const at = new Date(Date.parse('2026-05-15T09:00:00Z') + wave * 60_000).toISOString();
      await Promise.all(agents.map((a) => postWebhook('/webhooks/agent-state', agentState(a, state, at))));
      await new Promise((r) => setTimeout(r, 1800));
    }
    await waitFor(
      async () =>
        (await Promise.all(agents.map(view))).every((v) => v?.dashboard.adherenceState === 'OnCall'),
      { what: 'every agent OnCall', timeoutMs: 40_000 },
    );
    const seconds = (Date.now() - started) / 1000;
    const tokenRequests = (await genesys.requests({ path: '/oauth/token', since })).requests;
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.every((r) => r.status === 200)).toBe(true);
    // One shared token: the next request only once the current token is due, a second after the last one
    // (per-instance tokens would ask at the same moments, one per instance and client).
    const gaps = tokenRequests.slice(1).map((r, i) => r.atMs - tokenRequests[i]!.atMs);
    expect(gaps.filter((gap) => gap < 1000)).toEqual([]);
    expect(tokenRequests.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(
      (await peekDlq('adherence-sync')).filter((m) => agents.some((a) => m.Body?.includes(a))),
    ).toHaveLength(0);
  });
});
