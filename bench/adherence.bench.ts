/**
 * Issue 4 figures (spec 002), all in one run:
 *
 * 1. Bursts against the Genesys sandbox's WEM limit (100 requests/s, burst 150): 500 agents changing state
 *    within 10 s, and a 2,000-agent shift change (all within 10 s). Each burst goes through three clients, side
 *    by side: the whole system (signed webhooks -> gateway -> ingress -> SQS -> adherence-sync at its configured
 *    concurrency -> sandbox); the workflow's vendor path alone (its WEM adapter, HTTP client and shared DynamoDB
 *    bucket, in this process, as many requests in flight), which takes the local runtime's capacity on this
 *    machine out of the figure; and a naive client that posts straight to the sandbox with as many connections
 *    and retries every 429 after a fixed 2 s (spec 002's trap). Reported: events delivered, duplicates at the
 *    vendor, 429s as a share of calls, drain time T against the theoretical minimum T* for the same arrival
 *    curve (efficiency T* over T), p99 from webhook to vendor acceptance.
 * 2. Nominal load, 20 events/s through the system: p99 from webhook to vendor acceptance.
 * 3. Call reduction on a generated day of agent-state traffic (see `generateDay`), through the domain logic
 *    with the in-memory fakes: vendor calls against one call per event.
 *
 * The system is warmed up with 100 events first (instances loaded, tokens fetched), as a running workflow is.
 * Schedule types are cached before a burst (agents looked them up at login, on Genesys' 300/min org limit;
 * the cache is shared by every instance), so a burst measures the adherence endpoint alone.
 * BENCH_ADHERENCE_SCALE (default 1) scales the burst sizes, e.g. 0.2 for a quick look.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { LOCAL_VENDOR_CREDENTIALS, localClientCredentials } from '../local/provision';
import type { LoggedRequest } from '../local/sandboxes/core/request-log';
import { sandboxAdmin, type SandboxAdmin } from '../local/sandboxes/admin-client';
import { sendSignedWebhook } from '../local/webhook-sender';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { DynamoDbAgentStateStore } from '../shared/adapters/aws/agent-state-store';
import { InMemoryAgentStateStore } from '../shared/adapters/aws/agent-state-store.fake';
import { InMemoryAuditLog, InMemoryLockManager } from '../shared/adapters/aws/platform.fake';
import { GenesysWemAdapter } from '../shared/adapters/genesys/adherence';
import { FakeGenesysWem } from '../shared/adapters/genesys/adherence.fake';
import { loadStageConfig } from '../shared/config/stage';
import { idempotencyKeyOf, processAgentState } from '../shared/domain/adherence-sync/process-agent-state';
import { TokenManager } from '../shared/http/token-manager';
import { composeVendorClient } from '../shared/runtime/vendor-client';
import { systemClock } from '../shared/ports/clock';
import {
  GENESYS_ADHERENCE_RATE_LIMIT,
  oauthTokenCredentialsId,
  PROCESSOR_ID,
  workflowByName,
  workflowFunction,
} from '../shared/topology';
import { agentStateChanged } from '../test/helpers/payloads';
import { percentile, round, sortedAscending } from './stats';

const ADHERENCE_CLIENT = workflowFunction('adherence-sync', PROCESSOR_ID).oauthClient;

const SCALE = Number(process.env.BENCH_ADHERENCE_SCALE ?? 1);
const BURSTS = [500, 2000].map((n) => {
  const agents = Math.max(1, Math.round(n * SCALE));
  return { name: `${agents} agents within 10 s`, agents, windowMs: 10_000 };
});
const HEARTBEAT_SECONDS = 60;
const NOMINAL = { perSecond: 20, seconds: 15 };
const WARM_UP = { events: 100, seconds: 5 };
const NAIVE_RETRY_MS = 2000;
const MAX_IN_FLIGHT = 64;
/** Records one processor instance works on at once (the sqs-processor default). */
const PER_INSTANCE = 5;
const DRAIN_DEADLINE_MS = 5 * 60_000;

interface Arrival {
  readonly agentId: string;
  /** When the webhook was sent (ms since epoch). */
  readonly sentAt: number;
  /** When the arrival curve wanted it sent; later than that when intake fell behind. */
  readonly scheduledAt: number;
}

interface BurstResult {
  readonly agents: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly calls: number;
  readonly throttled: number;
  readonly drainMs: number;
  readonly minimumMs: number;
  /** T* had the webhooks arrived as scheduled (the intake kept up). */
  readonly scheduledMinimumMs: number;
  /** Webhooks accepted per second while the burst was being sent. */
  readonly intakePerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * T*: when the last of these arrivals could be accepted at the earliest, one call each, if every call went
 * out the moment both it had arrived and the vendor's bucket (full at the start) had a token.
 */
export function theoreticalDrainMs(
  arrivals: readonly number[],
  limit: { ratePerSecond: number; burst: number },
): number {
  const sorted = sortedAscending(arrivals);
  if (!sorted.length) return 0;
  const interval = 1000 / limit.ratePerSecond;
  let tat = -Infinity; // GCRA: a call at t conforms when tat - t <= (burst - 1) * interval
  let last = sorted[0]!;
  for (const at of sorted) {
    const sendAt = Math.max(at, tat - (limit.burst - 1) * interval);
    tat = Math.max(tat, sendAt) + interval;
    last = sendAt;
  }
  return last - sorted[0]!;
}

class Sandbox {
  private readonly genesys: SandboxAdmin;

  constructor(sandboxUrl: string) {
    this.genesys = sandboxAdmin(`${sandboxUrl}/genesys`);
  }

  async lastSeq(): Promise<number> {
    const { requests } = await this.genesys.requests({ limit: 1 });
    return requests[0]?.seq ?? 0;
  }

  /** Adherence POSTs for agents whose ids start with `prefix`, logged after `since`. */
  async adherencePosts(prefix: string, since: number): Promise<LoggedRequest[]> {
    return (await this.adherenceQuery(prefix, since)).requests;
  }

  /** How many of those were answered `status` (the log is not shipped: polling stays cheap). */
  async countAdherencePosts(prefix: string, since: number, status: number): Promise<number> {
    return (await this.adherenceQuery(prefix, since, { status, limit: 0 })).count;
  }

  private adherenceQuery(prefix: string, since: number, extra: { status?: number; limit?: number } = {}) {
    const path = `/api/v2/wem/adherence/agents/${prefix}`;
    return this.genesys.requests({ method: 'POST', path, since, ...extra });
  }
}

const agentOf = (path: string) => decodeURIComponent(path.split('/')[6] ?? '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `send` for agent i at `start + i * windowMs / n`, at most `MAX_IN_FLIGHT` at once (a vendor's webhook
 * sender has a bounded connection pool too); resolves with when each was sent.
 */
async function play(
  agentIds: readonly string[],
  windowMs: number,
  send: (agentId: string) => Promise<void>,
): Promise<Arrival[]> {
  const start = Date.now() + 50;
  let inFlight = 0;
  const slotFreed: (() => void)[] = [];
  return Promise.all(
    agentIds.map(async (agentId, i) => {
      const scheduledAt = start + (i * windowMs) / agentIds.length;
      await sleep(Math.max(0, scheduledAt - Date.now()));
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => slotFreed.push(r));
      inFlight++;
      const sentAt = Date.now();
      try {
        await send(agentId);
      } finally {
        inFlight--;
        slotFreed.shift()?.();
      }
      return { agentId, sentAt, scheduledAt };
    }),
  );
}

/** Waits until every agent's event was accepted (or the deadline), then reads the figures off the log. */
async function measure(
  sandbox: Sandbox,
  prefix: string,
  since: number,
  arrivals: readonly Arrival[],
): Promise<BurstResult> {
  const deadline = Date.now() + DRAIN_DEADLINE_MS;
  let calls: LoggedRequest[] = [];
  for (;;) {
    const created = await sandbox.countAdherencePosts(prefix, since, 201);
    if (created >= arrivals.length || Date.now() > deadline) {
      calls = await sandbox.adherencePosts(prefix, since);
      const accepted = new Set(calls.filter((c) => c.status < 300).map((c) => agentOf(c.path)));
      if (accepted.size >= arrivals.length || Date.now() > deadline) break;
    }
    await sleep(250);
  }
  const acceptedAt = new Map<string, number>();
  let recorded = 0;
  for (const c of calls) {
    if (c.status >= 300) continue;
    if (c.responseHeaders['idempotent-replayed'] !== 'true') recorded++;
    const agentId = agentOf(c.path);
    if (!acceptedAt.has(agentId)) acceptedAt.set(agentId, c.atMs + c.durationMs);
  }
  const sent = new Map(arrivals.map((a) => [a.agentId, a.sentAt]));
  const latencies = sortedAscending([...acceptedAt].map(([agentId, at]) => at - sent.get(agentId)!));
  const first = Math.min(...arrivals.map((a) => a.sentAt));
  return {
    agents: arrivals.length,
    delivered: acceptedAt.size,
    duplicates: recorded - acceptedAt.size,
    calls: calls.length,
    throttled: calls.filter((c) => c.status === 429).length,
    drainMs: Math.max(...acceptedAt.values()) - first,
    minimumMs: theoreticalDrainMs(
      arrivals.map((a) => a.sentAt),
      GENESYS_ADHERENCE_RATE_LIMIT,
    ),
    scheduledMinimumMs: theoreticalDrainMs(
      arrivals.map((a) => a.scheduledAt),
      GENESYS_ADHERENCE_RATE_LIMIT,
    ),
    intakePerSecond:
      arrivals.length / Math.max(0.001, (Math.max(...arrivals.map((a) => a.sentAt)) - first) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** Through the system: a signed webhook per agent. */
async function throughWorkflow(
  runtime: LocalRuntime,
  store: DynamoDbAgentStateStore,
  prefix: string,
  count: number,
  windowMs: number,
) {
  const agentIds = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const now = Date.now();
  await Promise.all(agentIds.map((id) => store.rememberScheduleType(id, 'Regular', now)));
  return play(agentIds, windowMs, async (agentId) => {
    const event = agentStateChanged(agentId, 'available', new Date().toISOString());
    const res = await sendSignedWebhook(`${runtime.urls.gateway}/webhooks/agent-state`, event);
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
  });
}

/**
 * Agents arrive on the burst's curve into an in-memory queue that `workers` drain, each calling `deliver`
 * (with its worker number) until it resolves.
 */
async function throughWorkers(
  prefix: string,
  count: number,
  windowMs: number,
  workers: number,
  deliver: (agentId: string, worker: number) => Promise<void>,
) {
  const queue: string[] = [];
  const idle: (() => void)[] = [];
  let arrived = 0;
  const work = async (worker: number) => {
    for (;;) {
      const agentId = queue.shift();
      if (agentId !== undefined) await deliver(agentId, worker);
      else if (arrived === count) return;
      else await new Promise<void>((r) => idle.push(r));
    }
  };
  const running = Array.from({ length: workers }, (_, w) => work(w));
  const agentIds = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const arrivals = await play(agentIds, windowMs, async (agentId) => {
    queue.push(agentId);
    arrived++;
    // The last arrival wakes every idle worker so they can finish; before that, one per arrival.
    for (const resume of arrived === count ? idle.splice(0) : idle.splice(0, 1)) resume();
  });
  await Promise.all(running);
  return arrivals;
}

const inSessionNow = (agentId: string) => {
  const at = new Date().toISOString();
  return {
    event: {
      agentId,
      adherenceState: 'InSession' as const,
      scheduleType: 'Regular',
      startTime: at,
      endTime: at,
      reasonCode: 'NONE',
    },
    key: idempotencyKeyOf(agentId, 'InSession', at),
  };
};

/** Spec 002's trap: no shared limiter, every 429 retried after a fixed 2 s. */
async function throughNaiveClient(
  runtime: LocalRuntime,
  prefix: string,
  count: number,
  windowMs: number,
  connections: number,
) {
  const token = await new TokenManager({
    tokenUrl: `${runtime.urls.sandbox}/genesys/oauth/token`,
    getCredentials: async () => LOCAL_VENDOR_CREDENTIALS,
    clock: systemClock,
  }).getToken();
  return throughWorkers(prefix, count, windowMs, connections, async (agentId) => {
    const { event, key } = inSessionNow(agentId);
    const body = JSON.stringify(event);
    for (;;) {
      const res = await fetch(
        `${runtime.urls.sandbox}/genesys/api/v2/wem/adherence/agents/${agentId}/adherence-events`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'X-Request-Id': randomUUID(),
            'X-Timestamp-Dispatch': new Date().toISOString(),
            'X-Payload-Hash': createHash('sha256').update(body).digest('hex'),
            'X-Genesys-Idempotency-Key': key,
          },
          body,
        },
      );
      await res.arrayBuffer();
      if (res.status !== 429) return;
      await sleep(NAIVE_RETRY_MS);
    }
  });
}

/**
 * The workflow's vendor path alone, in this process: per instance the adherence composition root's WEM adapter,
 * HTTP client (retry table, breaker, adaptive brake), token manager and the DynamoDB bucket shared by all
 * instances, at 95% of the limit; no webhook, queue or state table in front, so the runtime's own capacity on
 * this machine is out of the figure.
 */
async function throughVendorPath(
  runtime: LocalRuntime,
  doc: DynamoDBDocumentClient,
  prefix: string,
  count: number,
  windowMs: number,
  instances: number,
  perInstance: number,
) {
  const adapters = Array.from({ length: instances }, () => {
    const { http } = composeVendorClient({
      vendor: 'genesys',
      baseUrl: `${runtime.urls.sandbox}/genesys`,
      // adherence-sync's client, as the runtime's functions use it: one token for the client (Genesys revokes the
      // previous one on every new token).
      getCredentials: async () => localClientCredentials(ADHERENCE_CLIENT.name),
      credentialsId: oauthTokenCredentialsId(ADHERENCE_CLIENT),
      scopes: ADHERENCE_CLIENT.scopes,
      clock: systemClock,
      doc,
      tableName: runtime.outputs.tables.State!,
      limit: GENESYS_ADHERENCE_RATE_LIMIT,
      limiterName: `${prefix}bucket`,
      leaseSize: 5,
    });
    return new GenesysWemAdapter(http, http, systemClock, new InMemoryAgentStateStore());
  });
  return throughWorkers(prefix, count, windowMs, instances * perInstance, async (agentId, worker) => {
    const { event, key } = inSessionNow(agentId);
    await adapters[worker % instances]!.push(event, key);
  });
}

/**
 * A day of one agent's ACD feed, 08:00-16:30 local (UTC here): call cycles of on-call, after-call-work and
 * available or idle (sub-states WEM sees as InSession), two breaks and a lunch, a meeting; a heartbeat restating
 * the current state every `heartbeatSeconds`; and 2% of events delivered twice. Deterministic per seed.
 */
export function generateDay(agentId: string, seed: number, heartbeatSeconds = HEARTBEAT_SECONDS) {
  let x = seed;
  const random = () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const day = Date.parse('2026-12-01T08:00:00Z');
  const end = day + 8.5 * 3_600_000;
  const changes: { at: number; state: string; reason?: string }[] = [{ at: day, state: 'logged-in' }];
  const pauses = [
    { at: day + 2 * 3_600_000, state: 'break', reason: 'break-15', minutes: 15 },
    { at: day + 4 * 3_600_000, state: 'lunch', reason: 'lunch', minutes: 30 },
    { at: day + 5.5 * 3_600_000, state: 'aux', reason: 'meeting', minutes: 30 },
    { at: day + 6.5 * 3_600_000, state: 'break', reason: 'break-15', minutes: 15 },
  ];
  let t = day + between(2, 6) * 60_000;
  changes.push({ at: t, state: 'available' });
  while (t < end - 10 * 60_000) {
    const pause = pauses[0];
    if (pause && t >= pause.at) {
      pauses.shift();
      changes.push({ at: t, state: pause.state, reason: pause.reason });
      t += pause.minutes * 60_000;
      changes.push({ at: t, state: 'available' });
      continue;
    }
    t += between(0.2, 3) * 60_000; // waiting for a call
    changes.push({ at: t, state: random() < 0.3 ? 'idle' : 'available' });
    t += between(10, 60) * 1000;
    changes.push({ at: t, state: 'on-call' });
    t += between(2, 8) * 60_000;
    changes.push({ at: t, state: 'after-call-work' });
    t += between(0.5, 1.5) * 60_000;
    changes.push({ at: t, state: 'available' });
  }
  changes.push({ at: end, state: 'logged-out' });

  const events: { at: number; state: string; reason?: string }[] = [];
  for (const [i, change] of changes.entries()) {
    events.push(change);
    const next = changes[i + 1]?.at ?? change.at;
    for (let h = change.at + heartbeatSeconds * 1000; h < next; h += heartbeatSeconds * 1000)
      events.push({ at: h, state: change.state, reason: change.reason });
  }
  const delivered = events.flatMap((e) => (random() < 0.02 ? [e, e] : [e]));
  return delivered.map((e) => ({
    timestamp: new Date(Math.round(e.at)).toISOString(),
    data: { agent_id: agentId, new_state: e.state, reason_code: e.reason ?? null },
  }));
}

async function callReduction(agents = 50) {
  const settings = loadStageConfig('local').workflows['adherence-sync'];
  const wem = new FakeGenesysWem();
  const deps = {
    wem,
    store: new InMemoryAgentStateStore(),
    locks: new InMemoryLockManager(systemClock),
    audit: new InMemoryAuditLog(),
    settings,
  };
  let events = 0;
  let transitions = 0;
  for (let a = 0; a < agents; a++) {
    let previous: string | undefined;
    for (const event of generateDay(`agent-${a}`, a + 1)) {
      events++;
      const wemState = settings.stateMap[event.data.new_state];
      if (wemState !== previous) transitions++;
      previous = wemState;
      await processAgentState(event, deps);
    }
  }
  const pushes = wem.calls.filter((c) => c.kind === 'push').length;
  const lookups = wem.calls.filter((c) => c.kind === 'schedule').length;
  return { agents, events, transitions, pushes, lookups };
}

const CLIENTS = {
  system: 'webhook -> WEM (system)',
  vendorPath: 'vendor path only',
  naive: 'naive, fixed 2 s retry',
} as const;
type Client = keyof typeof CLIENTS;

function burstRows(name: string, targetAgents: number, results: Record<Client, BurstResult>) {
  const s = (ms: number) => round(ms / 1000, 2);
  const figures: [string, (r: BurstResult) => number | string, string][] = [
    ['events delivered', (r) => r.delivered, `all ${targetAgents}`],
    ['duplicates at the vendor', (r) => r.duplicates, '0'],
    ['vendor calls', (r) => r.calls, ''],
    ['429s as share of calls', (r) => `${((100 * r.throttled) / Math.max(1, r.calls)).toFixed(2)}%`, '<= 1%'],
    ['drain time T (s)', (r) => s(r.drainMs), ''],
    ['theoretical minimum T* (s)', (r) => s(r.minimumMs), ''],
    ['efficiency T*/T', (r) => round(r.minimumMs / Math.max(1, r.drainMs), 2), '>= 0.9'],
    ['webhooks sent per second', (r) => round(r.intakePerSecond), ''],
    ['T* had they arrived on schedule (s)', (r) => s(r.scheduledMinimumMs), ''],
    ['webhook -> accepted p50 (s)', (r) => s(r.p50Ms), ''],
    ['webhook -> accepted p99 (s)', (r) => s(r.p99Ms), ''],
  ];
  return figures.map(([figure, value, target]) => ({
    burst: name,
    figure,
    ...Object.fromEntries((Object.keys(CLIENTS) as Client[]).map((c) => [CLIENTS[c], value(results[c])])),
    target,
  }));
}

export async function run() {
  const instances = workflowByName('adherence-sync')!.queue.maxConcurrency;
  const runtime = await startLocalRuntime({
    port: 0,
    sandboxPort: 0,
    timers: false,
    concurrency: 'declared',
    log: () => {},
    logLevel: 'ERROR',
  });
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: runtime.outputs.region,
      endpoint: runtime.outputs.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const store = new DynamoDbAgentStateStore(doc, runtime.outputs.tables.State!);
  const sandbox = new Sandbox(runtime.urls.sandbox);
  const run = Date.now().toString(36);
  try {
    // Warm-up: every instance has loaded its clients, fetched its token and met the shared bucket, as in a
    // workflow already running when a burst comes.
    const warmPrefix = `bench-${run}-warm-`;
    const warmSince = await sandbox.lastSeq();
    const warm = await throughWorkflow(runtime, store, warmPrefix, WARM_UP.events, WARM_UP.seconds * 1000);
    await measure(sandbox, warmPrefix, warmSince, warm);

    const results: Record<string, Record<Client, BurstResult>> = {};
    const rows: ReturnType<typeof burstRows> = [];
    for (const [b, burst] of BURSTS.entries()) {
      const measured = {} as Record<Client, BurstResult>;
      for (const client of Object.keys(CLIENTS) as Client[]) {
        await sleep(2000); // the vendor's bucket refills between runs
        const prefix = `bench-${run}-b${b}-${client}-`;
        const since = await sandbox.lastSeq();
        const { agents, windowMs } = burst;
        const arrivals =
          client === 'system'
            ? await throughWorkflow(runtime, store, prefix, agents, windowMs)
            : client === 'vendorPath'
              ? await throughVendorPath(runtime, doc, prefix, agents, windowMs, instances, PER_INSTANCE)
              : await throughNaiveClient(runtime, prefix, agents, windowMs, instances * PER_INSTANCE);
        measured[client] = await measure(sandbox, prefix, since, arrivals);
        process.stdout.write(`  ${burst.name}, ${CLIENTS[client]}: done\n`);
      }
      results[burst.name] = measured;
      rows.push(...burstRows(burst.name, burst.agents, measured));
    }
    console.log(
      `WEM limit ${GENESYS_ADHERENCE_RATE_LIMIT.ratePerSecond}/s burst ${GENESYS_ADHERENCE_RATE_LIMIT.burst}; ` +
        `adherence-sync at ${instances} instances x ${PER_INSTANCE} records at once; the vendor path and the ` +
        `naive client with as many requests in flight`,
    );
    console.table(rows);

    await sleep(2000);
    const nominalPrefix = `bench-${run}-nominal-`;
    const since = await sandbox.lastSeq();
    const count = NOMINAL.perSecond * NOMINAL.seconds;
    const arrivals = await throughWorkflow(runtime, store, nominalPrefix, count, NOMINAL.seconds * 1000);
    const nominal = await measure(sandbox, nominalPrefix, since, arrivals);

    const day = await callReduction();
    const reduction = 1 - day.pushes / day.events;
    console.table([
      {
        figure: `nominal ${NOMINAL.perSecond} events/s: delivered`,
        value: `${nominal.delivered} / ${count}`,
        target: 'all',
      },
      { figure: 'nominal: webhook -> accepted p50 (s)', value: round(nominal.p50Ms / 1000, 2), target: '' },
      {
        figure: 'nominal: webhook -> accepted p99 (s)',
        value: round(nominal.p99Ms / 1000, 2),
        target: '<= 2 s',
      },
      {
        figure: `generated day (heartbeat every ${HEARTBEAT_SECONDS} s): agents / events`,
        value: `${day.agents} / ${day.events}`,
        target: '',
      },
      { figure: 'generated day: WEM state changes in the feed', value: day.transitions, target: '' },
      { figure: 'generated day: vendor calls (pushes incl. bridges)', value: day.pushes, target: '' },
      {
        figure: 'call reduction vs one call per event',
        value: `${(100 * reduction).toFixed(1)}%`,
        target: '>= 75%',
      },
    ]);
    return { bursts: results, nominal, day: { ...day, reduction } };
  } finally {
    doc.destroy();
    await runtime.stop();
  }
}
