/**
 * One contract for the Genesys WEM adherence port, run against the in-memory fake and against the real adapter
 * talking HTTP to the Genesys sandbox (DESIGN section 3).
 */
import { randomUUID } from 'node:crypto';
import { InMemoryAgentStateStore } from '../../shared/adapters/aws/agent-state-store.fake';
import { GenesysWemAdapter } from '../../shared/adapters/genesys/adherence';
import { FakeGenesysWem } from '../../shared/adapters/genesys/adherence.fake';
import type { AdherenceEvent, GenesysWem } from '../../shared/domain/adherence-sync/ports';
import { PermanentFailure, ResourceNotFound, VendorContractBreach } from '../../shared/errors';
import { systemClock } from '../../shared/ports/clock';
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
