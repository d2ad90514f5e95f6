/**
 * One contract for the Genesys WEM adherence port, run against the in-memory fake and against the real adapter
 * talking HTTP to the Genesys sandbox (DESIGN section 3).
 */
import { randomUUID } from 'node:crypto';
import { InMemoryAgentStateStore } from '../../shared/adapters/aws/agent-state-store.fake';
import {
  DISPATCH_GAP_MS,
  GenesysWemAdapter,
  WEM_RECALCULATION_MS,
  type PushTelemetry,
} from '../../shared/adapters/genesys/adherence';
import { FakeGenesysWem } from '../../shared/adapters/genesys/adherence.fake';
import type { AdherenceEvent, GenesysWem } from '../../shared/domain/adherence-sync/ports';
import { PermanentFailure, ResourceNotFound, VendorContractBreach } from '../../shared/errors';
import { systemClock } from '../../shared/ports/clock';
import { withCorrelationId } from '../../shared/http/correlation';
import { TokenBucket } from '../../shared/http/rate-limiter';
import { createVendorHttpClient } from '../../shared/http/vendor-http-client';
import { useGenesysSandbox } from '../helpers/genesys-sandbox';

/** Reason codes in both subjects' compliance policy (the sandbox's holds more). */
const COMPLIANT = ['NONE', 'PAID_BREAK_15'];

interface Subject {
  port: GenesysWem;
  addAgent(agentId: string, scheduleType: string): Promise<void>;
  /** The events WEM recorded for the agent. */
  recorded(agentId: string): Promise<AdherenceEvent[]>;
}

const genesys = useGenesysSandbox();

const subjects: [string, () => Promise<Subject>][] = [
  [
    'fake',
    async () => {
      const fake = new FakeGenesysWem({ complianceReasonCodes: COMPLIANT });
      return {
        port: fake,
        addAgent: async (agentId, scheduleType) => {
          fake.scheduleTypes.set(agentId, scheduleType);
        },
        recorded: async (agentId) => fake.events.filter((e) => e.agentId === agentId),
      };
    },
  ],
  [
    'adapter against the sandbox',
    async () => {
      const { admin, http } = await genesys.connect();
      return {
        port: new GenesysWemAdapter(http, http, systemClock, new InMemoryAgentStateStore()),
        addAgent: async (agentId, scheduleType) => {
          await admin.fixtures({ agents: [{ id: agentId, timezone: 'Europe/London', scheduleType }] });
        },
        recorded: async (agentId) => {
          const state = await admin.state<{
            adherence: { agents: Record<string, { events: AdherenceEvent[] }> };
          }>();
          return state.adherence.agents[agentId]?.events ?? [];
        },
      };
    },
  ],
];

describe.each(subjects)('Genesys WEM adherence contract: %s', (_name, make) => {
  let subject: Subject;
  let agent: string;
  beforeEach(async () => {
    subject = await make();
    agent = `agent-${randomUUID().slice(0, 8)}`;
    await subject.addAgent(agent, 'Split');
  });

  const event = (over: Partial<AdherenceEvent> = {}): AdherenceEvent => ({
    agentId: agent,
    adherenceState: 'InSession',
    scheduleType: 'Split',
    startTime: '2026-05-15T14:00:00.000Z',
    endTime: '2026-05-15T14:00:00.000Z',
    reasonCode: 'NONE',
    ...over,
  });

  it("answers the agent's schedule type, and Regular for an agent it has no schedule for", async () => {
    expect(await subject.port.scheduleType(agent)).toBe('Split');
    expect(await subject.port.scheduleType(`unknown-${agent}`)).toBe('Regular');
  });

  it('accepts an event (201 APPLIED) and records it', async () => {
    const sent = event();
    expect(await subject.port.push(sent, `key-${agent}-1`)).toEqual({
      status: 201,
      processingStatus: 'APPLIED',
    });
    expect(await subject.recorded(agent)).toEqual([expect.objectContaining(sent)]);
  });

  it('answers a repeated idempotency key as the first time and records nothing new', async () => {
    const first = await subject.port.push(event(), `key-${agent}-1`);
    const again = await subject.port.push(event(), `key-${agent}-1`);
    expect(again).toEqual(first);
    await subject.port.push(
      event({
        adherenceState: 'OnCall',
        startTime: '2026-05-15T14:05:00.000Z',
        endTime: '2026-05-15T14:05:00.000Z',
      }),
      `key-${agent}-2`,
    );
    expect((await subject.recorded(agent)).map((e) => e.adherenceState)).toEqual(['InSession', 'OnCall']);
  });

  it('refuses a reason code outside the compliance policy, permanently (422), and records nothing', async () => {
    const refused = subject.port.push(event({ reasonCode: 'RAW_ACD_7' }), `key-${agent}-1`);
    await expect(refused).rejects.toBeInstanceOf(PermanentFailure);
    await expect(refused).rejects.toMatchObject({ reason: 'REASON_CODE_REJECTED' });
    expect(await subject.recorded(agent)).toEqual([]);
  });
});

describe('Genesys WEM adapter against the sandbox: 404 reads and broken answers', () => {
  let adapter: GenesysWemAdapter;
  let admin: Awaited<ReturnType<typeof genesys.connect>>['admin'];
  const agentId = `agent-${randomUUID()}`;
  const schedulePath = `/api/v2/wem/adherence/agents/${agentId}/schedule`;

  beforeEach(async () => {
    const connected = await genesys.connect();
    admin = connected.admin;
    adapter = new GenesysWemAdapter(
      connected.http,
      connected.http,
      systemClock,
      new InMemoryAgentStateStore(),
    );
  });

  it('answers a 404 on the schedule read with ResourceNotFound (spec 000: log and skip)', async () => {
    await admin.faults([{ method: 'GET', path: schedulePath, status: 404, times: 1 }]);
    await expect(adapter.scheduleType(agentId)).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it('fails with VENDOR_CONTRACT_BREACH naming the field when the dashboard answer breaks its contract', async () => {
    await admin.faults([
      {
        method: 'GET',
        path: `/api/v2/wem/adherence/agents/${agentId}/state`,
        status: 200,
        times: 1,
        body: { adherenceState: 7 },
      },
    ]);
    const read = adapter.dashboard(agentId);
    await expect(read).rejects.toBeInstanceOf(VendorContractBreach);
    await expect(read).rejects.toMatchObject({ message: expect.stringContaining('adherenceState') });
  });
});

describe('spec 002 telemetry headers, as the Genesys sandbox receives them', () => {
  const LIMITER_WAIT_MS = 300;

  it("carries the record's X-Correlation-Id on every call, and X-Timestamp-Dispatch stamped at each real send", async () => {
    const { admin, baseUrl, tokens } = await genesys.connect();
    const agentId = `agent-${randomUUID()}`;
    await admin.fixtures({ agents: [{ id: agentId, timezone: 'Europe/London', scheduleType: 'Regular' }] });
    const path = `/api/v2/wem/adherence/agents/${agentId}/adherence-events`;
    await admin.faults([{ method: 'POST', path, status: 503, times: 1 }]);
    // A limiter that makes every call wait: the dispatch stamp must come after the wait, not before it.
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 1000 }, systemClock);
    const http = createVendorHttpClient({
      vendor: 'genesys',
      baseUrl,
      clock: systemClock,
      tokens,
      limiter: {
        acquire: async () => {
          await new Promise((r) => setTimeout(r, LIMITER_WAIT_MS));
          await bucket.acquire();
        },
        onThrottled: (ms) => bucket.onThrottled(ms),
      },
      retry: { scale: 0.01 },
    });
    const wem = new GenesysWemAdapter(http, http, systemClock, new InMemoryAgentStateStore());
    const started = Date.now();
    await withCorrelationId('record-7f3a', async () => {
      await wem.scheduleType(agentId);
      await wem.push(
        {
          agentId,
          adherenceState: 'InSession',
          scheduleType: 'Regular',
          startTime: '2026-05-15T14:00:00.000Z',
          endTime: '2026-05-15T14:00:00.000Z',
          reasonCode: 'NONE',
        },
        `key-${agentId}`,
      );
    });
    const calls = (await admin.requests({ path: `/api/v2/wem/adherence/agents/${agentId}` })).requests;
    expect(calls.map((c) => [c.method, c.status])).toEqual([
      ['GET', 200],
      ['POST', 503],
      ['POST', 201],
    ]);
    expect(calls.map((c) => c.headers['x-correlation-id'])).toEqual([
      'record-7f3a',
      'record-7f3a',
      'record-7f3a',
    ]);
    const stamps = calls.map((c) => Date.parse(c.headers['x-timestamp-dispatch'] ?? ''));
    // Each stamp after its own limiter wait (the first after one, the next after two more), and no later than
    // the sandbox saw the request.
    expect(stamps[0]).toBeGreaterThanOrEqual(started + LIMITER_WAIT_MS);
    expect(stamps[1]).toBeGreaterThanOrEqual(stamps[0]! + LIMITER_WAIT_MS);
    expect(stamps[2]).toBeGreaterThanOrEqual(stamps[1]! + LIMITER_WAIT_MS);
    calls.forEach((c, i) => expect(stamps[i]).toBeLessThanOrEqual(c.atMs));
  });

  it('gives a call outside a record a correlation id of its own', async () => {
    const { admin, http } = await genesys.connect();
    const agentId = `agent-${randomUUID()}`;
    const wem = new GenesysWemAdapter(http, http, systemClock, new InMemoryAgentStateStore());
    await wem.dashboard(agentId);
    await wem.dashboard(agentId);
    const ids = (await admin.requests({ path: `/api/v2/wem/adherence/agents/${agentId}` })).requests.map(
      (c) => c.headers['x-correlation-id'],
    );
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).not.toBe(ids[0]);
  });

  it('reports WEM processing over 200 ms and answers over 500 ms after dispatch, the spec 002 thresholds', async () => {
    const { admin, http } = await genesys.connect();
    const agentId = `agent-${randomUUID()}`;
    await admin.fixtures({ agents: [{ id: agentId, timezone: 'Europe/London', scheduleType: 'Regular' }] });
    const seen: PushTelemetry[] = [];
    const wem = new GenesysWemAdapter(
      http,
      http,
      systemClock,
      new InMemoryAgentStateStore(),
      undefined,
      (t) => seen.push(t),
    );
    const push = (
      adherenceState: AdherenceEvent['adherenceState'],
      minute: number,
      scheduleType = 'Regular',
    ) => {
      const at = `2026-05-15T14:0${minute}:00.000Z`;
      return wem.push(
        { agentId, adherenceState, scheduleType, startTime: at, endTime: at, reasonCode: 'NONE' },
        `key-${agentId}-${minute}`,
      );
    };
    await push('InSession', 0);
    await push('InSession', 1, 'Split'); // not the agent's schedule type: a payload mismatch
    await admin.faults([
      {
        method: 'POST',
        path: `/api/v2/wem/adherence/agents/${agentId}/adherence-events`,
        delayMs: 700,
        times: 1,
      },
    ]);
    await push('OnCall', 2);
    expect(seen.map((t) => [t.recalculating, t.bottleneck])).toEqual([
      [false, false],
      [true, false],
      [false, true],
    ]);
    expect(seen[1]?.processingDurationMs).toBeGreaterThan(WEM_RECALCULATION_MS);
    expect(seen[2]?.gapMs).toBeGreaterThan(DISPATCH_GAP_MS);
  });
});
