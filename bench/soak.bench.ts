/**
 * Issue 14, "Soak": BENCH_SOAK_MINUTES (default 30) of nominal mixed load across the four workflows through the
 * local runtime, with vendor faults sprinkled through the sandboxes' fault admin every 20 s (429 with
 * Retry-After, 5xx, "commit then fail", every token revoked).
 *
 * Load, each on its own clock: an approved time-off (a fresh user with one shift) every 3 s, one in seven a
 * `timeoff.request.created` the ingress ignores; 3 agent-state changes a second over 60 agents, each agent
 * alternating `available` and `on-call`; a bidding window of 3 bids on 2 shifts (one contested) every 10 s, each
 * on the next weekend; and every 30 s the reward export ingestion (the runtime's schedule) over a night's export:
 * today's rows of 30 fresh agents crossing the tier, in place of the previous night's. One delivery in ten is sent
 * twice, as vendors redeliver.
 *
 * Reported per workflow: events in, and what became of each: applied (seen at the vendor: the override, the
 * WEM push, the bid's decision event, the reward issued), ignored with the reason the ingress gave, or
 * dead-lettered with its reason; what is left is unaccounted (target 0). Duplicates at the vendors, from their
 * state and request logs (target 0). p99 from delivery to the vendor's effect for events sent in the first and
 * the last window after the first minute's warm-up (cold starts, first tokens, the first ingestion's 90 days),
 * target within 20%; a window is one or more whole rounds of the faults (3 min each; a run shorter than
 * 1 + 2 x 3 minutes compares the two halves after warm-up instead), and p50/p99 by the minute events were sent.
 * Next to the change, the range that resampling the two windows gives it: a p99 of 120 events is their two
 * slowest, and a change inside that range could be the luck of the draw. And the trend of the p50 by minute over
 * the whole load after warm-up, which a drift of the median shows in and the two windows' tails may not, with its
 * correlation with the host's steal minute by minute: on a shared machine the host's share moves the latencies
 * (docs/decisions/0015-soak-p99-resolution.md).
 * How the bids were decided: approved, rejected, escalated by reason.
 * RSS of each process over time: the runtime's (gateway, functions in worker threads, SQS and the AWS fake share
 * one process, started apart from the soak's:
 * bench/runtime-process.ts) and DynamoDB Local's JVM (its tables in a file); growth from the end of the warm-up to
 * the end of the load, each read after a full collection (target under 10%;
 * docs/decisions/0014-soak-memory-readings.md), with each runtime thread's heap. The vendor sandboxes run in a
 * process of their own too (bench/sandbox-process.ts), with a row of their own and no target: they stand for the
 * vendors, who keep what they are sent. Then the leak scan (bench/bench-runtime.ts), the outbound requests' part
 * of it from the sandboxes' process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { SQSClient, type Message } from '@aws-sdk/client-sqs';
import { waitUntil, withDeadline } from '../local/net';
import { sandboxAdmin, type SandboxAdmin } from '../local/sandboxes/admin-client';
import type { LoggedRequest } from '../local/sandboxes/core/request-log';
import { biddingWindowFixtures, GENESYS_SEED } from '../local/sandboxes/vendors/seed';
import { LOCAL_CREDENTIALS } from '../local/provision';
import { sendSignedWebhook } from '../local/webhook-sender';
import { loadStageConfig } from '../shared/config/stage';
import { addDays, localDate } from '../shared/domain/time/local-days';
import type { WorkflowName } from '../shared/topology';
import { agentStateChanged } from '../test/helpers/payloads';
import { messagesOn, peekQueue } from '../test/helpers/local';
import { collectJvmHeap, cpuTicks, dynamoDbLocalPid, rssMbOf } from './process-memory';
import { startRuntimeProcess, type RuntimeProcess } from './runtime-process';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';
import { reportLeakScan } from './bench-runtime';
import { mergeScans } from '../test/helpers/leak-scan';
import type { HeapUse } from '../local/function-host';
import { correlation, percentile, resampledChange, round, sortedAscending, trendOverMean } from './stats';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 30);
const DURATION_MS = MINUTES * 60_000;
const WARM_UP_MS = 60_000;
const RSS_SAMPLE_MS = Math.max(5_000, DURATION_MS / 60);
const FAULT_EVERY_MS = 20_000;
const DRAIN_DEADLINE_MS = Math.max(180_000, DURATION_MS / 3);
const LOAD = {
  timeOffEveryMs: 3000,
  ignoredTimeOffOneIn: 7,
  agentStateEveryMs: 333,
  agents: 60,
  bidWindowEveryMs: 10_000,
  rewardNightEveryMs: 30_000,
  agentsPerNight: 30,
  redeliverOneIn: 10,
} as const;
const TARGET = { p99Change: 0.2, rssGrowth: 0.1 };
/** The Saturday the first bidding window bids on; each later window bids on the next weekend. */
const FIRST_BID_WEEKEND = '2026-06-06';
/**
 * The runtime process's V8 semi-space limit, in MB (Node's default is 16). V8 sizes each thread's young generation
 * to its allocation rate, from 1 MB up to twice this, and a full collection does not give it back: in a 2-minute run
 * the SQS thread's and the ingress's grew from 16 to 32 MB after the warm-up while what they retained did not move,
 * and across the runtime's threads that is as much as the growth target allows. At 4 MB every busy thread reaches
 * its limit (8 MB) in the warm-up, and the growth compares what the threads retain (docs/decisions/0014).
 */
const SEMI_SPACE_MB = 4;
/** The sandbox process's row in the table of heaps. */
const SANDBOXES_THREAD = 'sandboxes (own process)';
const DECIDED_BID_EVENTS = ['bid.approved', 'bid.rejected', 'bid.escalated', 'bid.reconciled'];
const ADHERENCE_PUSH = '/api/v2/wem/adherence/agents/*/adherence-events';
const OVERRIDES = '/api/v2/wfm/scheduling/overrides';
const BID_ACTIONS = '/api/wfm/v2/bidding/requests/*/actions';
const REWARD_ISSUE = '/v1/rewards/issue';
const WORKFLOWS: readonly WorkflowName[] = [
  'shift-overrides',
  'adherence-sync',
  'shift-bids',
  'reward-triggers',
];

type Vendor = 'genesys' | 'cxone' | 'rewards';

/** One input event: a webhook delivery, or an agent's row in the reward export. */
interface Sent {
  readonly workflow: WorkflowName;
  /** What ties the event to its effect at the vendor (request id, agent and time, bid id, agent id). */
  readonly key: string;
  readonly sentAt: number;
  /** The gateway's event id, which the DLQ copy carries as an attribute. */
  readonly eventId?: string;
  /** The ingress's reason, for an event answered `ignored` (or `duplicate`). */
  readonly ignored?: string;
  /** An answer other than 202. */
  readonly refused?: string;
  /** A vendor's second delivery of the same event. */
  readonly redelivered?: boolean;
}

interface Outcome {
  readonly kind: 'applied' | 'ignored' | 'dead-lettered' | 'unaccounted';
  readonly reason?: string;
  /** When the vendor's effect was seen (applied only). */
  readonly at?: number;
}

/** A fault for the sandboxes' fault admin, or (without one) a revocation of every token the vendor issued. */
interface Sprinkle {
  readonly vendor: Vendor;
  readonly fault?: Record<string, unknown>;
}

const SPRINKLES: readonly Sprinkle[] = [
  {
    vendor: 'genesys',
    fault: { method: 'POST', path: ADHERENCE_PUSH, status: 429, retryAfterSeconds: 2, times: 3 },
  },
  { vendor: 'cxone', fault: { method: 'POST', path: BID_ACTIONS, status: 503, times: 2 } },
  // Commit then fail: the reward is issued, the caller sees a 503.
  { vendor: 'rewards', fault: { method: 'POST', path: REWARD_ISSUE, status: 503, commitFirst: true } },
  { vendor: 'genesys' },
  { vendor: 'genesys', fault: { method: 'POST', path: OVERRIDES, status: 500, times: 2 } },
  { vendor: 'cxone', fault: { path: '/api/wfm/v2/*', status: 429, retryAfterSeconds: 1, times: 3 } },
  { vendor: 'cxone' },
  { vendor: 'rewards', fault: { method: 'POST', path: REWARD_ISSUE, status: 429, retryAfterSeconds: 1 } },
  // A timeout: the answer never comes.
  { vendor: 'genesys', fault: { method: 'POST', path: ADHERENCE_PUSH, delayMs: 2000, dropConnection: true } },
];

/**
 * The latency windows are whole rounds of the faults above, on the rounds' own clock (the sprinkles start with the
 * load, one every FAULT_EVERY_MS): the first starts at the first round after the warm-up, the last ends with the
 * last whole round, and each spans a quarter of the rounds after warm-up (at least one). So both hold the same
 * faults the same number of times. Windows that only had a round's length, not its phase, held one faulted reward
 * in the first and two in the last of a 30-minute run, and with about 1% of the events faulted that alone decided
 * the p99. At the default 30 minutes a window is two rounds (6 min): about 120 time-offs (a seventh of them
 * ignored), 108 bids and 360 rewards each, so that a p99 is the 99th percentile of 100 events or more. The
 * marketplace's commit-then-503 defers one reward a round, 2 of a window's 360 (under 1%), so the reward p99 is the
 * tail of the rewards the faults did not defer; at 10 agents a night they were 2 of 120, and the p99 was the
 * deferral's own delay, which varied from 4.5 s to 7.2 s between the windows of one run. A run too short for two
 * rounds after warm-up has two halves.
 */
const FAULT_ROUND_MS = SPRINKLES.length * FAULT_EVERY_MS;
const ROUNDS = Math.floor(DURATION_MS / FAULT_ROUND_MS);
const FIRST_ROUND_AFTER_WARM_UP = Math.ceil(WARM_UP_MS / FAULT_ROUND_MS);
const ROUNDS_PER_WINDOW =
  ROUNDS - FIRST_ROUND_AFTER_WARM_UP >= 2
    ? Math.max(1, Math.floor((ROUNDS - FIRST_ROUND_AFTER_WARM_UP) / 4))
    : 0;
const WINDOW_MS = ROUNDS_PER_WINDOW ? ROUNDS_PER_WINDOW * FAULT_ROUND_MS : (DURATION_MS - WARM_UP_MS) / 2;

/** The first and the last latency window: [from, to) in ms since the epoch, by when an event was sent. */
function latencyWindows(startedAt: number, loadEndedAt: number) {
  if (!ROUNDS_PER_WINDOW) {
    const warmedUpAt = startedAt + WARM_UP_MS;
    return {
      first: [warmedUpAt, warmedUpAt + WINDOW_MS],
      last: [loadEndedAt - WINDOW_MS, Infinity],
    } as const;
  }
  const round = (k: number) => startedAt + k * FAULT_ROUND_MS;
  return {
    first: [round(FIRST_ROUND_AFTER_WARM_UP), round(FIRST_ROUND_AFTER_WARM_UP + ROUNDS_PER_WINDOW)],
    last: [round(ROUNDS - ROUNDS_PER_WINDOW), round(ROUNDS)],
  } as const;
}

const describeSprinkle = (s: Sprinkle) =>
  s.fault ? `${s.vendor} ${JSON.stringify(s.fault)}` : `every ${s.vendor} token revoked`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Taken by the vendor: a 2xx that is not an idempotent replay (a dropped connection is logged with status 0). */
const tookEffect = (r: LoggedRequest) =>
  r.status >= 200 && r.status < 300 && r.responseHeaders['idempotent-replayed'] !== 'true';
const answeredAt = (r: LoggedRequest) => r.atMs + r.durationMs;
const bodyOf = (r: LoggedRequest) => (r.body ?? {}) as Record<string, unknown>;

class Soak {
  readonly sent: Sent[] = [];
  readonly sprinkled = new Map<string, number>();
  readonly errors: string[] = [];
  readonly admin: Record<Vendor, SandboxAdmin>;
  readonly run = Date.now().toString(36);
  private counter = 0;

  constructor(
    readonly runtime: RuntimeProcess,
    readonly endAt: number,
  ) {
    this.admin = {
      genesys: sandboxAdmin(`${runtime.urls.sandbox}/genesys`),
      cxone: sandboxAdmin(`${runtime.urls.sandbox}/cxone`),
      rewards: sandboxAdmin(`${runtime.urls.sandbox}/rewards`),
    };
  }

  /** Runs `tick` every `everyMs` until the end; a tick that throws is noted, and the load goes on. */
  async every(name: string, everyMs: number, tick: (n: number) => Promise<void>): Promise<void> {
    for (let n = 0, next = Date.now(); next < this.endAt; n++, next += everyMs) {
      await sleep(Math.max(0, next - Date.now()));
      await tick(n).catch((err: Error) => this.errors.push(`${name} #${n}: ${err.message}`));
    }
  }

  async deliver(workflow: WorkflowName, key: string, path: string, payload: unknown): Promise<void> {
    const copies = ++this.counter % LOAD.redeliverOneIn === 0 ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const sentAt = Date.now();
      const res = await sendSignedWebhook<{ status?: string; eventId?: string; reason?: string }>(
        `${this.runtime.urls.gateway}${path}`,
        payload,
      );
      const { status, eventId, reason } = res.body;
      this.sent.push({
        workflow,
        key,
        sentAt,
        ...(c > 0 && { redelivered: true }),
        ...(res.status !== 202
          ? { refused: `answered ${res.status}` }
          : status === 'accepted'
            ? { eventId }
            : { eventId, ignored: status === 'duplicate' ? 'duplicate delivery' : `${reason}` }),
      });
    }
  }

  /** An approved time-off over the one shift of a fresh user, or (one in seven) a request still pending. */
  async timeOff(n: number): Promise<void> {
    const userId = `soak-${this.run}-u${n}`;
    const start = Date.parse('2027-02-01T00:00:00Z') + n * 86_400_000;
    const shiftStart = start + 13 * 3_600_000;
    await this.admin.genesys.fixtures({
      users: [{ id: userId, timezone: 'America/New_York' }],
      shifts: [
        {
          id: `${userId}-s`,
          userId,
          startTime: new Date(shiftStart).toISOString(),
          endTime: new Date(shiftStart + 8 * 3_600_000).toISOString(),
          shiftType: 'REGULAR',
        },
      ],
    });
    const pending = n % LOAD.ignoredTimeOffOneIn === LOAD.ignoredTimeOffOneIn - 1;
    await this.deliver('shift-overrides', `${userId}-s`, '/webhooks/genesys/timeoff', {
      eventType: pending ? 'timeoff.request.created' : 'timeoff.request.approved',
      timestamp: new Date().toISOString(),
      data: {
        requestId: `soak-${this.run}-r${n}`,
        userId,
        requestType: 'PAID_TIME_OFF',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + 86_400_000).toISOString(),
        status: pending ? 'PENDING' : 'APPROVED',
        // The fixtures' recognisable PII, for the leak scan.
        userName: 'Zelda Quimbyfeather',
        userEmail: 'zelda.quimbyfeather@canary.example',
      },
    });
  }

  async agentState(n: number): Promise<void> {
    const agentId = `soak-${this.run}-a${n % LOAD.agents}`;
    const state = Math.floor(n / LOAD.agents) % 2 === 0 ? 'available' : 'on-call';
    const timestamp = new Date().toISOString();
    await this.deliver(
      'adherence-sync',
      `${agentId}|${timestamp}`,
      '/webhooks/agent-state',
      agentStateChanged(agentId, state, timestamp),
    );
  }

  /**
   * A bidding window on a weekend of its own, a week after the previous window's, as a site's windows follow its
   * weekends. On one weekend, every window's open shifts stayed on the site's days, and each bid read (and cached)
   * a day one shift larger than the last: a load that grows, which took the bids' p50 from about 0.9 s in the
   * first ten minutes to 1.6 s in the last ten of a 30-minute run.
   */
  async bidWindow(n: number): Promise<void> {
    const window = biddingWindowFixtures({
      bids: 3,
      shifts: 2,
      contestedShifts: 1,
      date: addDays(FIRST_BID_WEEKEND, 7 * n),
      tag: `soak${this.run}w${n}`,
    });
    await this.admin.cxone.fixtures(window.fixtures);
    for (const event of window.events) {
      const requestId = (event.data as { requestId: string }).requestId;
      await this.deliver('shift-bids', requestId, '/webhooks/cxone/bidding', event);
    }
  }

  /**
   * A night's export: today's rows of fresh agents crossing the tier (with the seed's PII), in place of the previous
   * night's, then the ingestion schedule. Every night of the soak is "today" (the watermark stays on today), so
   * keeping the earlier nights' rows would make each run read a day 60 times larger by the end: a load that
   * grows, which a nightly ingestion of one day never meets (the first soak run's reward p50 doubled with it).
   */
  async rewardNight(n: number): Promise<void> {
    const { exportTimeZone } = loadStageConfig('local').workflows['reward-triggers'];
    const today = localDate(Date.now(), exportTimeZone);
    const agents = Array.from({ length: LOAD.agentsPerNight }, (_, k) => `soak-${this.run}-n${n}-${k}`);
    await this.admin.genesys.fixtures({
      remove: { performance: true },
      performance: agents.map((agentId, k) => {
        const seeded = GENESYS_SEED.performance[k % GENESYS_SEED.performance.length]!;
        return {
          agentId,
          date: today,
          csatFiveStar: 51,
          complianceViolations: 0,
          ahtCompliancePct: 90,
          agentName: seeded.agentName,
          agentEmail: seeded.agentEmail,
          agentPhone: seeded.agentPhone,
        };
      }),
    });
    const sentAt = Date.now();
    for (const key of agents) this.sent.push({ workflow: 'reward-triggers', key, sentAt });
    const answer = await withDeadline(
      this.runtime.runSchedule('reward-export-ingestion'),
      120_000,
      'a run of the reward export ingestion',
    );
    if ((answer as { error?: string } | undefined)?.error)
      throw new Error(`the ingestion failed: ${JSON.stringify(answer)}`);
  }

  async sprinkle(n: number): Promise<void> {
    const s = SPRINKLES[n % SPRINKLES.length]!;
    if (s.fault) await this.admin[s.vendor].faults([s.fault]);
    else await this.admin[s.vendor].expireTokens();
    this.sprinkled.set(describeSprinkle(s), (this.sprinkled.get(describeSprinkle(s)) ?? 0) + 1);
  }
}

/** Every message on every DLQ, read and handed back (the leak scan reads them again). */
async function deadLetters(runtime: RuntimeProcess): Promise<Map<WorkflowName, Message[]>> {
  const sqs = new SQSClient({
    region: runtime.outputs.region,
    endpoint: runtime.outputs.endpoints.sqs,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const all = new Map<WorkflowName, Message[]>();
    for (const w of WORKFLOWS) {
      const messages = await peekQueue(sqs, runtime.outputs.workflows[w]!.dlqUrl, 1000);
      all.set(w, [...new Map(messages.map((m) => [m.MessageId, m])).values()]);
    }
    return all;
  } finally {
    sqs.destroy();
  }
}

async function drained(runtime: RuntimeProcess): Promise<void> {
  const sqs = new SQSClient({
    region: runtime.outputs.region,
    endpoint: runtime.outputs.endpoints.sqs,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const queues = WORKFLOWS.map((w) => runtime.outputs.workflows[w]!.queueUrl);
    await waitUntil(
      async () => (await Promise.all(queues.map((q) => messagesOn(sqs, q)))).every((n) => n === 0),
      'the four workflow queues to drain (nothing visible, in flight or delayed)',
      DRAIN_DEADLINE_MS,
    );
  } finally {
    sqs.destroy();
  }
}

/** The first time each key's effect was seen at the vendor, and the keys it was seen more than once for. */
function effects(entries: Iterable<[string, number]>) {
  const first = new Map<string, number>();
  const count = new Map<string, number>();
  for (const [key, at] of entries) {
    first.set(key, Math.min(at, first.get(key) ?? Infinity));
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  const duplicated = [...count].filter(([, c]) => c > 1);
  return {
    first,
    duplicates: duplicated.reduce((n, [, c]) => n + c - 1, 0),
    duplicatedKeys: duplicated.map(([key]) => key),
  };
}

/** What the vendors hold and were asked, per workflow: when each key took effect, and duplicates. */
async function vendorEffects(soak: Soak) {
  const { genesys, cxone, rewards } = soak.admin;
  const events = await soak.runtime.events([...DECIDED_BID_EVENTS, 'reward.issued', 'reward.failed']);
  const mine = (id: unknown) => typeof id === 'string' && id.startsWith(`soak-${soak.run}-`);

  const overrides = (await genesys.state<{ overrides: { shiftId: string }[] }>()).overrides;
  const overridePosts = (await genesys.requests({ method: 'POST', path: OVERRIDES })).requests;
  const created = effects(
    overridePosts
      .filter((r) => tookEffect(r) && mine(bodyOf(r).shiftId))
      .map((r) => [String(bodyOf(r).shiftId), answeredAt(r)]),
  );
  const overridesPerShift = effects(overrides.filter((o) => mine(o.shiftId)).map((o) => [o.shiftId, 0]));

  const pushes = (await genesys.requests({ method: 'POST', path: ADHERENCE_PUSH })).requests.filter(
    (r) => tookEffect(r) && mine(bodyOf(r).agentId),
  );
  const pushed = effects(
    pushes.map((r) => [`${String(bodyOf(r).agentId)}|${String(bodyOf(r).startTime)}`, answeredAt(r)]),
  );
  const pushedPerState = effects(
    pushes.map((r) => [
      JSON.stringify([bodyOf(r).agentId, bodyOf(r).adherenceState, bodyOf(r).startTime]),
      0,
    ]),
  );

  const decidedBidEvents = events.filter((e) => DECIDED_BID_EVENTS.includes(e.detailType));
  const decided = effects(
    decidedBidEvents.map((e) => [String((e.detail as { requestId?: string }).requestId), Date.parse(e.time)]),
  );
  const actions = (await cxone.requests({ method: 'POST', path: BID_ACTIONS })).requests;
  const acted = effects(
    actions.filter((r) => tookEffect(r) && r.path.includes(`soak${soak.run}`)).map((r) => [r.path, 0]),
  );
  const bids = (
    await cxone.state<{ biddingRequests: { requestId: string; status: string; shift: { id: string } }[] }>()
  ).biddingRequests.filter((b) => b.requestId.includes(`soak${soak.run}`));
  const approvedPerShift = effects(bids.filter((b) => b.status === 'APPROVED').map((b) => [b.shift.id, 0]));
  // How the bids were decided, escalations by reason: a load that drifts (every bid on one weekend, a schedule
  // read that fails) shows as a different mix here before it shows in the latencies.
  const bidDecisions = new Map<string, number>();
  for (const e of decidedBidEvents) {
    const { reason } = e.detail as { reason?: string };
    const decision = e.detailType === 'bid.escalated' ? `${e.detailType} (${reason})` : e.detailType;
    bidDecisions.set(decision, (bidDecisions.get(decision) ?? 0) + 1);
  }

  const issuedEvents = events.filter((e) => e.detailType === 'reward.issued');
  const issued = effects(
    issuedEvents.map((e) => [String((e.detail as { agentId?: string }).agentId), Date.parse(e.time)]),
  );
  const rewardFailures = new Map(
    events
      .filter((e) => e.detailType === 'reward.failed')
      .map((e) => {
        const d = e.detail as { agentId?: string; reason?: string; failure?: string };
        return [String(d.agentId), `reward.failed: ${d.reason ?? d.failure ?? 'no reason'}`];
      }),
  );
  const rewardRecords = (await rewards.state<{ rewards: { agent_id: string; status: string }[] }>()).rewards;
  const issuedPerPseudonym = effects(
    rewardRecords.filter((r) => r.status === 'ISSUED').map((r) => [r.agent_id, 0]),
  );

  return {
    appliedAt: {
      'shift-overrides': created.first,
      'adherence-sync': pushed.first,
      'shift-bids': decided.first,
      'reward-triggers': issued.first,
    } as Record<WorkflowName, Map<string, number>>,
    notApplied: { 'reward-triggers': rewardFailures } as Partial<Record<WorkflowName, Map<string, string>>>,
    duplicates: {
      'shift-overrides': overridesPerShift.duplicates,
      'adherence-sync': pushedPerState.duplicates,
      'shift-bids': acted.duplicates + approvedPerShift.duplicates,
      'reward-triggers': issued.duplicates + issuedPerPseudonym.duplicates,
    } as Record<WorkflowName, number>,
    bidDecisions,
    /** What was taken more than once, to look into. */
    duplicatedKeys: [
      ...overridesPerShift.duplicatedKeys.map((k) => `override of shift ${k}`),
      ...pushedPerState.duplicatedKeys.map((k) => `WEM event ${k}`),
      ...acted.duplicatedKeys.map((k) => `CXone action ${k}`),
      ...approvedPerShift.duplicatedKeys.map((k) => `CXone shift approved twice ${k}`),
      ...issued.duplicatedKeys.map((k) => `reward.issued twice for ${k}`),
      ...issuedPerPseudonym.duplicatedKeys.map((k) => `rewards issued twice to ${k}`),
    ],
  };
}

/** Per vendor, the calls a sprinkled fault answered, and those its own rate limit refused. */
async function faultedCalls(soak: Soak) {
  const faultAnswers: Record<Vendor, number> = { genesys: 0, cxone: 0, rewards: 0 };
  const throttled: Record<Vendor, number> = { genesys: 0, cxone: 0, rewards: 0 };
  for (const v of Object.keys(faultAnswers) as Vendor[]) {
    const log = (await soak.admin[v].requests()).requests;
    faultAnswers[v] = log.filter((r) => r.fault).length;
    throttled[v] = log.filter((r) => r.rateLimited).length;
  }
  return { faultAnswers, throttled };
}

function outcomeOf(
  s: Sent,
  applied: Map<string, number>,
  notApplied: Map<string, string> | undefined,
  dead: readonly Message[],
): Outcome {
  const at = applied.get(s.key);
  if (at !== undefined) return { kind: 'applied', at };
  if (s.ignored) return { kind: 'ignored', reason: s.ignored };
  if (s.refused) return { kind: 'ignored', reason: s.refused };
  const refusal = notApplied?.get(s.key);
  if (refusal) return { kind: 'ignored', reason: refusal };
  const letter = dead.find((m) =>
    s.eventId ? m.MessageAttributes?.eventId?.StringValue === s.eventId : (m.Body ?? '').includes(s.key),
  );
  if (letter)
    return {
      kind: 'dead-lettered',
      reason: letter.MessageAttributes?.failureReason?.StringValue ?? 'no reason attribute',
    };
  return { kind: 'unaccounted' };
}

type HeapMb = { used: number; total: number; young: number };

interface RssSample {
  readonly atMs: number;
  readonly runtimeMb: number;
  readonly sandboxesMb: number;
  readonly dynamoDbMb: number;
  /** The V8 heap of each thread of the runtime process, in MB: where its RSS goes (LocalRuntime.heaps). */
  readonly heapsMb?: Record<string, HeapMb>;
  /** The sandbox process's V8 heap, in MB. */
  readonly sandboxesHeapMb?: HeapMb;
  /** Read right after a full collection in every thread of the runtime: what it retains, not when it collected. */
  readonly collected?: boolean;
  /** DynamoDB Local's Java heap after a full collection there (jcmd), with `collected`. */
  readonly dynamoDbHeapMb?: number;
  /** Clock ticks so far: the machine's, the host's steal, the runtime process's (bench/process-memory.ts). */
  readonly cpu: CpuTicks;
}

/**
 * Items held by every table of the runtime: what the workflows store for good (the append-only audit log, the
 * reward ledger, workflow state). In memory (-inMemory, the runtime's default) DynamoDB Local's RSS grows about
 * 2 MB per 1,000 of them; the soak keeps them in a file. Read at the end of the warm-up and of the load, next to
 * its RSS.
 */
async function storedItems(runtime: RuntimeProcess): Promise<number> {
  const ddb = new DynamoDBClient({
    region: runtime.outputs.region,
    endpoint: runtime.outputs.endpoints.dynamodb,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    let items = 0;
    for (const table of Object.values(runtime.outputs.tables))
      for await (const page of paginateScan({ client: ddb }, { TableName: table, Select: 'COUNT' }))
        items += page.Count ?? 0;
    return items;
  } finally {
    ddb.destroy();
  }
}

const mb = (bytes: number) => round(bytes / 1024 / 1024);

/**
 * RSS of both processes and the runtime's heaps every RSS_SAMPLE_MS (as they are), and on demand after a full
 * collection in every thread of the runtime: the readings the growth target compares, at the end of the warm-up
 * and of the load. A V8 heap grows between collections and the collector runs when it decides, so uncollected
 * readings a minute apart differ by as much as the target (the runtime's 12-second samples in the first minutes
 * of a run ranged 756 to 874 MB), and say nothing of what is retained.
 */
function memorySampler(runtime: RuntimeProcess, sandboxes: SandboxProcess, dynamoDbPid: number | undefined) {
  const samples: RssSample[] = [];
  let last: Promise<unknown> = Promise.resolve();
  const inMb = (h: HeapUse): HeapMb => ({ used: mb(h.used), total: mb(h.total), young: mb(h.young) });
  const read = async (collect: boolean) => {
    const [heaps, sandboxesHeap, dynamoDbHeapMb] = await Promise.all([
      runtime.heaps({ collect }).catch(() => undefined),
      sandboxes.heap({ collect }).catch(() => undefined),
      collect && dynamoDbPid ? collectJvmHeap(dynamoDbPid) : undefined,
    ]);
    const sample: RssSample = {
      atMs: Date.now(),
      cpu: cpuTicks(runtime.pid),
      runtimeMb: rssMbOf(runtime.pid),
      sandboxesMb: rssMbOf(sandboxes.pid),
      dynamoDbMb: dynamoDbPid ? rssMbOf(dynamoDbPid) : NaN,
      collected: collect && heaps !== undefined,
      ...(dynamoDbHeapMb !== undefined && { dynamoDbHeapMb }),
      ...(heaps && {
        heapsMb: Object.fromEntries(Object.entries(heaps).map(([thread, h]) => [thread, inMb(h)])),
      }),
      ...(sandboxesHeap && { sandboxesHeapMb: inMb(sandboxesHeap) }),
    };
    samples.push(sample);
    return sample;
  };
  // One reading at a time, in order.
  const sample = (collect: boolean) => {
    const next = last.then(() => read(collect));
    last = next;
    return next;
  };
  void sample(false);
  const timer = setInterval(() => void sample(false), RSS_SAMPLE_MS);
  return {
    samples,
    sample,
    stop: async () => {
      clearInterval(timer);
      await sample(false);
    },
  };
}

type CpuTicks = ReturnType<typeof cpuTicks>;

/** The share of the machine (%) the host took between two readings of the clock ticks. */
const stolenPercent = (before: CpuTicks, after: CpuTicks) =>
  (100 * (after.stolen - before.stolen)) / (after.machine - before.machine);

const percent = (ratio: number) =>
  Number.isFinite(ratio) ? `${ratio >= 0 ? '+' : ''}${(100 * ratio).toFixed(1)}%` : 'n/a';

export async function run() {
  // The tables in a file, not in DynamoDB Local's memory: the workflows keep what they store for good (the audit
  // log, the ledger), and in memory the JVM's RSS would grow with it, hiding a leak or faking one.
  const dynamoDbDataDir = mkdtempSync(join(tmpdir(), 'wfm-soak-dynamodb-'));
  // The runtime and the vendor sandboxes each in a process of their own, so that the RSS read is the runtime's,
  // not the soak's records and clients, nor the vendors' data; with each thread's young generation capped low
  // enough that every thread reaches its cap in the warm-up (above).
  const nodeFlags = [`--max-semi-space-size=${SEMI_SPACE_MB}`];
  const sandboxes = await startSandboxProcess(nodeFlags);
  let runtime: RuntimeProcess | undefined;
  try {
    runtime = await startRuntimeProcess({ dynamoDbDataDir, sandboxUrl: sandboxes.url }, nodeFlags);
    const result = await soakOn(runtime, sandboxes);
    // The runtime first: its functions are the sandboxes' clients. Then the outbound requests' part of the scan.
    const scan = await runtime.stop();
    runtime = undefined;
    const outbound = await sandboxes.stop();
    const leakScan = { ...mergeScans([scan, outbound]), ...(scan.failure && { failure: scan.failure }) };
    reportLeakScan(leakScan);
    return { ...result, leakHits: leakScan.hits.length, leakScanned: leakScan.scanned };
  } catch (err) {
    await runtime?.stop().catch(() => undefined);
    await sandboxes.stop().catch(() => undefined);
    throw err;
  } finally {
    rmSync(dynamoDbDataDir, { recursive: true, force: true });
  }
}

async function soakOn(runtime: RuntimeProcess, sandboxes: SandboxProcess): Promise<Record<string, unknown>> {
  const dynamoDbPid = dynamoDbLocalPid(runtime.outputs.endpoints.dynamodb);
  const startedAt = Date.now();
  const soak = new Soak(runtime, startedAt + DURATION_MS);
  // Enough gift cards for every night of the run.
  await soak.admin.rewards.fixtures({ inventory: { gift_card_50_usd: 1_000_000 } });
  const memory = memorySampler(runtime, sandboxes, dynamoDbPid);
  const { samples } = memory;
  console.log(
    `soak: ${MINUTES} min (BENCH_SOAK_MINUTES), ${WARM_UP_MS / 1000} s of warm-up, windows of ` +
      `${WINDOW_MS / 1000} s, a fault every ${FAULT_EVERY_MS / 1000} s; DynamoDB Local pid ` +
      `${dynamoDbPid ?? 'not found'}`,
  );
  if (!ROUNDS_PER_WINDOW)
    console.log(
      `windows are the halves after warm-up, not whole rounds of the faults (${FAULT_ROUND_MS / 1000} s): the ` +
        `first and last may meet different ones; ${(2 * FAULT_ROUND_MS + Math.ceil(WARM_UP_MS / FAULT_ROUND_MS) * FAULT_ROUND_MS) / 60_000} min or more compare like with like`,
    );
  // Memory first, then the count: DynamoDB Local reads every item to count a table, and its RSS grows with that.
  const afterWarmUp = new Promise<[number, RssSample]>((resolve, reject) =>
    setTimeout(
      () =>
        memory
          .sample(true)
          .then(async (sample): Promise<[number, RssSample]> => [await storedItems(runtime), sample])
          .then(resolve, reject),
      WARM_UP_MS,
    ),
  );
  // Awaited after the load; until then a failure must not end the process as an unhandled rejection.
  afterWarmUp.catch(() => undefined);
  // The clock of the fault rounds: every load and the sprinkles start now.
  const loadStartedAt = Date.now();
  await withDeadline(
    Promise.all([
      soak.every('time-off', LOAD.timeOffEveryMs, (n) => soak.timeOff(n)),
      soak.every('agent state', LOAD.agentStateEveryMs, (n) => soak.agentState(n)),
      soak.every('bidding window', LOAD.bidWindowEveryMs, (n) => soak.bidWindow(n)),
      soak.every('reward night', LOAD.rewardNightEveryMs, (n) => soak.rewardNight(n)),
      soak.every('fault', FAULT_EVERY_MS, (n) => soak.sprinkle(n)),
    ]),
    DURATION_MS + 180_000,
    `the soak's load to be sent (${MINUTES} min)`,
  );
  const loadEndedAt = Date.now();
  const [itemsAfterWarmUp, warm] = await afterWarmUp;
  const drainError = await drained(runtime).then(
    () => undefined,
    (err: Error) => err.message,
  );
  const drainSeconds = round((Date.now() - loadEndedAt) / 1000);
  // After the drain: the collections pause every thread, which must not land on the last window's events. Before
  // the count, which grew DynamoDB Local's RSS from 214 to 226 MB (24,000 items) and its collected reading to 308.
  const end = await memory.sample(true);
  const items = { afterWarmUp: itemsAfterWarmUp, atEndOfLoad: await storedItems(runtime) };
  await memory.stop();

  const { vendor, dead, calls } = await withDeadline(
    (async () => ({
      vendor: await vendorEffects(soak),
      dead: await deadLetters(runtime),
      calls: await faultedCalls(soak),
    }))(),
    120_000,
    'the sandboxes, the bus and the DLQs to be read',
  );
  const warmedUpAt = startedAt + WARM_UP_MS;
  const windows = latencyWindows(loadStartedAt, loadEndedAt);
  // The share of the machine the host took (%) between the memory samples nearest to `from` and to `to`.
  const nearest = (at: number) =>
    samples.reduce((best, s) => (Math.abs(s.atMs - at) < Math.abs(best.atMs - at) ? s : best));
  const stolenBetween = (from: number, to: number) => stolenPercent(nearest(from).cpu, nearest(to).cpu);
  const reasons = new Map<string, number>();
  const unaccounted: string[] = [];
  const byMinute: string[] = [];
  const loadMinutes = Math.ceil((loadEndedAt - loadStartedAt) / 60_000);
  const rows = WORKFLOWS.map((w) => {
    const sent = soak.sent.filter((s) => s.workflow === w);
    const outcomes = sent.map((s) => ({
      s,
      o: outcomeOf(s, vendor.appliedAt[w], vendor.notApplied[w], dead.get(w) ?? []),
    }));
    const count = (kind: Outcome['kind']) => outcomes.filter(({ o }) => o.kind === kind).length;
    for (const { o } of outcomes)
      if (o.reason)
        reasons.set(`${w}: ${o.kind}: ${o.reason}`, (reasons.get(`${w}: ${o.kind}: ${o.reason}`) ?? 0) + 1);
    const latencies = (from: number, to: number) =>
      sortedAscending(
        outcomes
          .filter(({ s, o }) => o.at !== undefined && s.sentAt >= from && s.sentAt < to)
          .map(({ s, o }) => Math.round(o.at! - s.sentAt)),
      );
    const [warmUp, firstWindow, lastWindow] = [
      latencies(startedAt, warmedUpAt),
      latencies(...windows.first),
      latencies(...windows.last),
    ];
    const minutes = Array.from({ length: loadMinutes }, (_, k) =>
      latencies(loadStartedAt + k * 60_000, loadStartedAt + (k + 1) * 60_000),
    );
    byMinute.push(
      `  ${w}: ${minutes.map((m) => (m.length ? `${percentile(m, 50)}/${percentile(m, 99)}` : '-')).join(', ')}`,
    );
    const minutesAfterWarmUp = minutes
      .map((m, k) => ({ m, k }))
      .slice(Math.ceil(WARM_UP_MS / 60_000))
      .filter(({ m }) => m.length);
    const minuteP50sAfterWarmUp = minutesAfterWarmUp.map(({ m }) => percentile(m, 50));
    const minuteStealsAfterWarmUp = minutesAfterWarmUp.map(({ k }) =>
      stolenBetween(loadStartedAt + k * 60_000, loadStartedAt + (k + 1) * 60_000),
    );
    const first = percentile(firstWindow, 99);
    const last = percentile(lastWindow, 99);
    const accounted = count('applied') + count('ignored') + count('dead-lettered');
    unaccounted.push(...outcomes.filter(({ o }) => o.kind === 'unaccounted').map(({ s }) => `${w} ${s.key}`));
    return {
      workflow: w,
      'events in': sent.length,
      'of which redelivered': sent.filter((s) => s.redelivered).length,
      applied: count('applied'),
      ignored: count('ignored'),
      'dead-lettered': count('dead-lettered'),
      unaccounted: sent.length - accounted,
      'duplicates at vendor': vendor.duplicates[w],
      'p99 warm-up (ms)': percentile(warmUp, 99),
      'p99 first window (ms)': first,
      'p99 last window (ms)': last,
      'p99 change': percent(last / first - 1),
      'p99 change, 90% of resamples': resampledChange(firstWindow, lastWindow, 99).map(percent).join(' .. '),
      'p50 first / last (ms)': `${percentile(firstWindow, 50)} / ${percentile(lastWindow, 50)}`,
      'p50 trend by minute': percent(trendOverMean(minuteP50sAfterWarmUp)),
      'p50 by minute with host steal (r)': round(
        correlation(minuteP50sAfterWarmUp, minuteStealsAfterWarmUp),
        2,
      ),
      'events timed first / last': `${firstWindow.length} / ${lastWindow.length}`,
      ok:
        accounted === sent.length &&
        vendor.duplicates[w] === 0 &&
        Math.abs(last / first - 1) <= TARGET.p99Change,
    };
  });
  console.table(rows);
  console.log(
    'targets: unaccounted 0, duplicates 0, p99 change within ±20%; the resampled range is how far the change ' +
      "could move by which events each window happened to hold (bootstrap, bench/stats.ts), not the target's test; " +
      'the p50 trend is the least-squares line through every minute after warm-up, first minute to last, over the ' +
      "mean; r is the correlation of each minute's p50 with the share of the machine the host took (steal) in it: " +
      'near +1, the latency followed the host, not the system',
  );
  // Which minutes a slow window's tail came from: a slow stretch (a busy machine, a backlog) shows here.
  console.log(`p50/p99 (ms) of the events sent in each minute of the load:\n${byMinute.join('\n')}`);
  const decisions = [...vendor.bidDecisions].sort().map(([decision, n]) => `${decision} ${n}`);
  console.log(`bids decided: ${decisions.join(', ') || 'none'}`);
  for (const key of vendor.duplicatedKeys.slice(0, 10)) console.log(`  duplicate at the vendor: ${key}`);
  for (const key of unaccounted.slice(0, 10)) console.log(`  unaccounted: ${key}`);
  // Every dead letter, the ones whose event also reached the vendor included (a record redelivered while its first
  // invocation was still running can be both applied and redriven: docs/local-runtime.md, "Differences from AWS").
  const letters = new Map<string, number>();
  for (const w of WORKFLOWS)
    for (const m of dead.get(w) ?? []) {
      const reason =
        m.MessageAttributes?.failureReason?.StringValue ?? 'no failureReason (moved by SQS redrive)';
      letters.set(`${w}: ${reason}`, (letters.get(`${w}: ${reason}`) ?? 0) + 1);
    }
  if (letters.size)
    console.table([...letters].sort().map(([letter, messages]) => ({ 'on a DLQ': letter, messages })));
  if (reasons.size)
    console.table(
      [...reasons]
        .sort()
        .map(([reason, events]) => ({ 'ignored / dead-lettered, with reason': reason, events })),
    );

  const loaded = samples.filter((s) => s.atMs >= warm.atMs && s.atMs <= end.atMs && !s.collected);
  const rssRow = (process: string, of: (s: RssSample) => number, collected: boolean, target = true) => {
    const growth = of(end) / of(warm) - 1;
    return {
      process,
      'at start (MB)': of(samples[0]!),
      [`after warm-up${collected ? ', collected' : ''} (MB)`]: of(warm),
      'as sampled after warm-up, lowest / highest (MB)': `${Math.min(...loaded.map(of))} / ${Math.max(...loaded.map(of))}`,
      [`after load and drain${collected ? ', collected' : ''} (MB)`]: of(end),
      growth: percent(growth),
      target: target ? `< +${TARGET.rssGrowth * 100}%` : 'none: a vendor keeps what it is sent',
      ok: target ? growth < TARGET.rssGrowth : '-',
    };
  };
  const rss = [
    rssRow('runtime (gateway, functions, SQS, AWS fake)', (s) => s.runtimeMb, warm.collected === true),
    rssRow('DynamoDB Local (java)', (s) => s.dynamoDbMb, warm.dynamoDbHeapMb !== undefined),
    rssRow(
      "vendor sandboxes (the vendors' state and request logs)",
      (s) => s.sandboxesMb,
      warm.sandboxesHeapMb !== undefined,
      false,
    ),
  ];
  console.table(rss);
  const itemsStored = items.atEndOfLoad - items.afterWarmUp;
  const rssGrowthMb = end.dynamoDbMb - warm.dynamoDbMb;
  console.log(
    `DynamoDB Local keeps the tables in a file (-dbPath): ${items.afterWarmUp} items after warm-up, ${items.atEndOfLoad} after ` +
      `the load and drain (+${itemsStored}); its RSS grew ` +
      (itemsStored > 0
        ? `${round(rssGrowthMb / (itemsStored / 1000))} MB per 1,000 items stored.`
        : `${round(rssGrowthMb)} MB with no item stored after warm-up.`),
  );
  const threads = Object.keys(end.heapsMb ?? {});
  const heapOf = (s: RssSample, thread: string) =>
    thread === SANDBOXES_THREAD ? s.sandboxesHeapMb : s.heapsMb?.[thread];
  if (threads.length)
    console.table(
      [...threads, SANDBOXES_THREAD].map((thread) => {
        const [w, e] = [heapOf(warm, thread), heapOf(end, thread)];
        return {
          thread: thread,
          'heap used after warm-up / at end (MB)': `${w?.used ?? '-'} / ${e?.used}`,
          'heap total after warm-up / at end (MB)': `${w?.total ?? '-'} / ${e?.total}`,
          'of which young generation (MB)': `${w?.young ?? '-'} / ${e?.young}`,
        };
      }),
    );
  // What the runtime and the sandboxes keep on purpose for those who inspect them (GET /_local/events,
  // GET /_admin/requests), on their main threads: their share of those heaps' growth.
  const [kept, keptRequests] = await Promise.all([runtime.kept(), sandboxes.kept()]);
  console.log(
    `kept for inspection: by the runtime, ${kept.busEvents} bus events (${kept.busEventsMb} MB as JSON); by the ` +
      `sandboxes, ${keptRequests.vendorRequests} vendor requests in their logs (${keptRequests.vendorRequestsMb} MB)`,
  );
  const outsideHeaps = (s: RssSample) =>
    round(s.runtimeMb - Object.values(s.heapsMb ?? {}).reduce((sum, h) => sum + h.total, 0));
  if (threads.length)
    console.log(
      `runtime RSS outside the V8 heaps (code, buffers, native allocations): ${outsideHeaps(warm)} MB after ` +
        `warm-up, ${outsideHeaps(end)} MB at the end of the load`,
    );
  const series = (of: (s: RssSample) => number) =>
    samples.map((s) => `${of(s)}${s.collected ? ' (collected)' : ''}`).join(', ');
  console.log(
    `RSS every ${RSS_SAMPLE_MS / 1000} s (MB), runtime: ${series((s) => s.runtimeMb)}\n` +
      `RSS every ${RSS_SAMPLE_MS / 1000} s (MB), DynamoDB Local: ${series((s) => s.dynamoDbMb)}\n` +
      `RSS every ${RSS_SAMPLE_MS / 1000} s (MB), sandboxes: ${series((s) => s.sandboxesMb)}`,
  );
  // Whether a latency trend is the machine's: the share of it the host took (steal), and how busy the runtime was.
  const between = samples.slice(1).map((s, k) => {
    const before = samples[k]!.cpu;
    return {
      stolen: stolenPercent(before, s.cpu),
      runtime: (100 * cpus().length * (s.cpu.process - before.process)) / (s.cpu.machine - before.machine),
    };
  });
  const cpuSeries = (of: (b: (typeof between)[number]) => number) => {
    const values = between.map(of);
    return `${values.map((v) => round(v)).join(', ')} (trend ${percent(trendOverMean(values))})`;
  };
  console.log(
    `CPU between samples, stolen by the host (% of the machine): ${cpuSeries((b) => b.stolen)}\n` +
      `CPU between samples, the runtime process (% of one core): ${cpuSeries((b) => b.runtime)}`,
  );

  const { faultAnswers, throttled } = calls;
  console.table([
    ...[...soak.sprinkled].map(([fault, times]) => ({ figure: `sprinkled: ${fault}`, value: times })),
    ...(Object.keys(faultAnswers) as Vendor[]).map((v) => ({
      figure: `${v}: calls answered by a fault / by its rate limit`,
      value: `${faultAnswers[v]} / ${throttled[v]}`,
    })),
    { figure: 'drain after the load (s)', value: drainError ?? drainSeconds },
    { figure: 'load errors (sender side)', value: soak.errors.length },
  ]);
  for (const e of soak.errors.slice(0, 10)) console.log(`  ${e}`);
  if (drainError) console.log(drainError);

  return {
    minutes: MINUTES,
    windowSeconds: WINDOW_MS / 1000,
    workflows: rows,
    duplicatedKeys: vendor.duplicatedKeys,
    bidDecisions: Object.fromEntries(vendor.bidDecisions),
    unaccounted,
    reasons: Object.fromEntries(reasons),
    rss: { rows: rss, samples },
    storedItems: items,
    sprinkled: Object.fromEntries(soak.sprinkled),
    faultAnswers,
    throttled,
    drainSeconds,
    drainError,
    loadErrors: soak.errors,
  };
}
