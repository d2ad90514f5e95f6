/**
 * Issue 12 figures (spec 004): a 90-day Genesys performance export streamed through the reward ingestion, and
 * the issuance drain of the night that follows, against the local runtime.
 *
 * - The export: the Genesys sandbox's generated export (docs/sandboxes.md), 2,000 agents x 90 days = 180,000
 *   rows by default; BENCH_REWARDS_SCALE=10 gives 20,000 agents (1.8 million rows). Each run has its own agent
 *   ids, so nothing one run booked is found by the next.
 * - The ingesting process: the real `reward-export-ingest` handler (its esbuild bundle, as the runtime runs it),
 *   invoked once with the operator's range (the whole 90 days, not a dry run) in a Node process of its own
 *   (bench/function-process.cjs), so its peak RSS is its own: the kernel's VmHWM, with rss sampled every
 *   100 ms. Baselines in the same run: the process with the handler loaded and nothing invoked, and a small
 *   export (100 agents x 90 days).
 * - Ledger writes per row: the ingesting process reaches DynamoDB Local through a counting proxy
 *   (bench/dynamodb-counter.ts), which counts its requests by operation and the items they write by kind.
 * - The drain: the big run's ingestion enqueues one evaluation per agent; the reward-triggers processors (at
 *   the topology's concurrency) issue one reward each against the rewards sandbox at its rate limit. T runs
 *   from the first issue call to the last ISSUED answer; the minimum is (N - burst) / rate. Duplicates: an
 *   agent with more than one reward, or a transaction id sent again; PII: the seeded names, emails and phones
 *   searched for in every request the marketplace received, and the sandbox's own `piiReceived`.
 * - The queue's visibility timeout is AWS's (6x the processor's timeout: shared/topology.ts), not the local
 *   runtime's 5 s, which is scaled down so that tests see a failed record again quickly: with 5 s, records that
 *   waited their turn at the marketplace's limit on a loaded machine came back while still being processed.
 * - Whether the drain is held back by the marketplace's limit or by the machine: the CPU the local runtime (this
 *   process: handlers, SQS, sandboxes) and DynamoDB Local spent during the drain, per reward, next to how idle
 *   the machine's cores were (/proc/stat) and the load average.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fork } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { bundleHandler, LOCAL_LOG_DIR } from '../local/function-host';
import { DeadlineExceeded, waitUntil, withDeadline } from '../local/net';
import { sandboxAdmin } from '../local/sandboxes/admin-client';
import type { LocalRuntime } from '../local/runtime';
import type { IngestionSummary } from '../shared/domain/reward-triggers/ingest';
import { addDays, localDate } from '../shared/domain/time/local-days';
import { RewardTriggersSettingsSchema } from '../shared/config/workflows/reward-triggers';
import { vendorByName, visibilityTimeoutSeconds, workflowByName } from '../shared/topology';
import { startCountingProxy, type CountingProxy, type DynamoDbCounts } from './dynamodb-counter';
import { startBenchRuntime, stopBenchRuntime } from './bench-runtime';
import { round } from './stats';

const SCALE = Number(process.env.BENCH_REWARDS_SCALE ?? 1);
const AGENTS = Math.max(1, Math.round(2000 * SCALE));
const BASELINE_AGENTS = 20;
/** Agents crossing the threshold in the night whose issuance drain is measured (issue 12: 2,000). */
const NIGHT_AGENTS = Number(process.env.BENCH_REWARDS_NIGHT_AGENTS ?? 2000);
const DAYS = 90;
/** Raised for the bench, with the sandbox's largest page (Genesys' own largest is 100). */
const PAGE_SIZE = 1000;
/** The Genesys sandbox's general bucket, raised from 5/s so the export's pages are not what is measured. */
const GENESYS_BENCH_LIMIT = { ratePerSecond: 100, burst: 100 };
const REWARD_INVENTORY = 10_000_000;
/** AWS's rule (6x the processor's timeout), not the local runtime's 5 s for tests: see the header. A variable
 * sets another, to compare. */
const VISIBILITY_TIMEOUT_SECONDS = Number(
  process.env.BENCH_REWARDS_VISIBILITY_SECONDS ??
    visibilityTimeoutSeconds(workflowByName('reward-triggers')!),
);
const RSS_TARGET_MB = 256;
const INGESTION = { workflow: 'reward-triggers', scheduleId: 'reward-export-ingestion' } as const;
const PII = [/Agent\d+ Example/, /agent\d+@contact-center\.example/, /\+1-555-\d{4}/];

const MB = 1024 * 1024;

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** The machine's CPU time so far (/proc/stat's first line): busy and idle, in ticks. */
function machineTicks(): { busy: number; idle: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const t = fields.map(Number);
  const idle = (t[3] ?? 0) + (t[4] ?? 0); // idle + iowait
  return { busy: t.slice(0, 8).reduce((a, b) => a + b, 0) - idle, idle };
}

/** The DynamoDB Local JVM serving `endpoint` (its command line names the port). */
function dynamoDbLocalPid(endpoint: string): number | undefined {
  const port = new URL(endpoint).port;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      // The JVM itself, not the guard script whose command line carries the same arguments.
      const isJvm = args[0]?.endsWith('java') && args.includes('DynamoDBLocal.jar');
      if (isJvm && args[args.indexOf('-port') + 1] === port) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** A process's CPU time so far (utime + stime), in ms. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

interface CpuMark {
  readonly runtimeMicros: NodeJS.CpuUsage;
  readonly dynamoMs: number;
  readonly machine: { busy: number; idle: number };
  readonly at: number;
}

function cpuMark(dynamoPid: number | undefined): CpuMark {
  return {
    runtimeMicros: process.cpuUsage(),
    dynamoMs: processCpuMs(dynamoPid),
    machine: machineTicks(),
    at: performance.now(),
  };
}

/** CPU spent between two marks: this process's and DynamoDB Local's, and how idle the machine was. */
function cpuSince(start: CpuMark, dynamoPid: number | undefined) {
  const end = cpuMark(dynamoPid);
  const runtime = process.cpuUsage(start.runtimeMicros);
  const busy = end.machine.busy - start.machine.busy;
  const idle = end.machine.idle - start.machine.idle;
  return {
    wallMs: end.at - start.at,
    runtimeMs: (runtime.user + runtime.system) / 1000,
    dynamoMs: end.dynamoMs - start.dynamoMs,
    machineIdleShare: idle / Math.max(1, busy + idle),
  };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ProcessReport {
  readonly result?: IngestionSummary;
  readonly error?: string;
  readonly maxRssBytes: number;
  readonly samples: readonly [number, number, number][];
  readonly wallMs: number;
  /** The process's CPU time (user + system) over its life. */
  readonly cpuMs: number;
}

interface Ingested {
  readonly label: string;
  readonly agents: number;
  readonly summary: IngestionSummary;
  readonly report: ProcessReport;
  readonly counts: DynamoDbCounts;
  /** DynamoDB Local's CPU time during the ingestion. */
  readonly dynamoCpuMs: number;
}

/** Runs the ingestion handler once in its own process; `event` undefined loads it and invokes nothing. */
async function runInOwnProcess(
  bundle: string,
  env: Record<string, string>,
  event: unknown,
  what: string,
  deadlineMs: number,
): Promise<ProcessReport> {
  mkdirSync(LOCAL_LOG_DIR, { recursive: true });
  const log = createWriteStream(join(LOCAL_LOG_DIR, 'bench-reward-ingest.log'), { flags: 'a' });
  const child = fork(
    join(__dirname, 'function-process.cjs'),
    [bundle, event === undefined ? 'idle' : JSON.stringify(event)],
    { env, execArgv: ['--enable-source-maps'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const reported = new Promise<ProcessReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ProcessReport));
    child.once('exit', (code) =>
      reject(new Error(`the ingesting process exited (${code}) without a report`)),
    );
  });
  try {
    return await withDeadline(reported, deadlineMs, what);
  } catch (err) {
    if (err instanceof DeadlineExceeded) child.kill('SIGKILL');
    throw err;
  }
}

class Bench {
  private readonly genesys;
  private readonly rewards;
  private readonly settings;
  readonly today: string;

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly proxy: CountingProxy,
    private readonly bundle: string,
  ) {
    this.genesys = sandboxAdmin(`${runtime.urls.sandbox}/genesys`);
    this.rewards = sandboxAdmin(`${runtime.urls.sandbox}/rewards`);
    const env = this.functionEnv();
    this.settings = RewardTriggersSettingsSchema.parse(JSON.parse(env.WORKFLOW_SETTINGS ?? '{}'));
    this.today = localDate(Date.now(), this.settings.exportTimeZone);
  }

  /** The ingestion's environment as the runtime gives it, with the bench's page size and the counting proxy. */
  functionEnv(): Record<string, string> {
    const env = this.runtime.functionEnvironment(INGESTION.workflow, INGESTION.scheduleId);
    const settings = JSON.parse(env.WORKFLOW_SETTINGS ?? '{}') as Record<string, unknown>;
    return {
      ...env,
      WORKFLOW_SETTINGS: JSON.stringify({ ...settings, exportPageSize: PAGE_SIZE }),
      AWS_ENDPOINT_URL_DYNAMODB: this.proxy.url,
    };
  }

  async prepareSandboxes() {
    await this.genesys.config({
      performanceExport: { maxPageSize: PAGE_SIZE },
      rateLimits: { general: GENESYS_BENCH_LIMIT },
    });
    await this.rewards.fixtures({ inventory: { gift_card_50_usd: REWARD_INVENTORY } });
  }

  idle(): Promise<ProcessReport> {
    return runInOwnProcess(this.bundle, this.functionEnv(), undefined, 'the idle ingestion process', 60_000);
  }

  /** 90 days ending today of `agents` generated agents, through the ingestion in its own process. */
  async ingestGenerated(label: string, agents: number, run: string): Promise<Ingested> {
    const from = addDays(this.today, -(DAYS - 1));
    const agentIdPrefix = `bench-${run}-${label}-`;
    await this.genesys.config({
      performanceExport: { generated: { agents, fromDate: from, days: DAYS, agentIdPrefix } },
    });
    return this.ingest(label, agents, agents * DAYS, from);
  }

  /**
   * A night in which `agents` agents cross the threshold: one day's export (today) whose every row earns the
   * tier's 500 points (50 five-star ratings), with names, emails and phones on every row.
   */
  async ingestNight(agents: number, run: string): Promise<Ingested> {
    const performance = Array.from({ length: agents }, (_, i) => ({
      agentId: `bench-${run}-night-${String(i + 1).padStart(7, '0')}`,
      date: this.today,
      csatFiveStar: 50,
      complianceViolations: 0,
      ahtCompliancePct: 90,
      agentName: `Agent${i + 1} Example`,
      agentEmail: `agent${i + 1}@contact-center.example`,
      agentPhone: `+1-555-${String(i % 10_000).padStart(4, '0')}`,
    }));
    await this.genesys.config({ performanceExport: { generated: null } });
    await this.genesys.fixtures({ remove: { performance: true } });
    await this.genesys.fixtures({ performance });
    return this.ingest('night', agents, agents, this.today);
  }

  private async ingest(label: string, agents: number, rows: number, from: string): Promise<Ingested> {
    this.proxy.reset();
    const dynamoPid = dynamoDbLocalPid(this.runtime.outputs.endpoints.dynamodb);
    const dynamoCpuBefore = processCpuMs(dynamoPid);
    // Generous: 20 rows per second (less than this loaded 2-core machine managed) finishes within it.
    const deadlineMs = Math.max(120_000, rows * 50);
    const startedAt = Date.now();
    // Progress for the long runs (1.8 million rows take most of an hour): what DynamoDB has been written so far.
    const progress = setInterval(() => {
      const items = Object.values(this.proxy.counts.itemsWritten).reduce((a, b) => a + b, 0);
      const seconds = (Date.now() - startedAt) / 1000;
      process.stdout.write(
        `  ingestion of ${rows} rows: ${Math.round(seconds / 60)} min, ${items} items written ` +
          `(${Math.round(items / seconds)}/s)\n`,
      );
    }, 60_000);
    const report = await runInOwnProcess(
      this.bundle,
      this.functionEnv(),
      { from, to: this.today, dryRun: false },
      `the ingestion of ${rows} rows`,
      deadlineMs,
    ).finally(() => clearInterval(progress));
    if (!report.result) throw new Error(`the ingestion failed: ${report.error}`);
    const counts = structuredClone(this.proxy.counts);
    if (report.result.rowsRead !== rows)
      throw new Error(`the ingestion read ${report.result.rowsRead} rows of ${rows}`);
    const dynamoCpuMs = processCpuMs(dynamoPid) - dynamoCpuBefore;
    return { label, agents, summary: report.result, report, counts, dynamoCpuMs };
  }

  async counters(): Promise<{ issued: number; duplicateIssues: number }> {
    return (await this.rewards.state<{ counters: { issued: number; duplicateIssues: number } }>()).counters;
  }

  async issuedCount(): Promise<number> {
    return (await this.counters()).issued;
  }

  /** Waits until `expected` more rewards were issued than `before`; the drain from the log. */
  async drain(
    before: { issued: number; duplicateIssues: number; seq: number },
    expected: number,
    enqueuedAt: number,
  ) {
    const dynamoPid = dynamoDbLocalPid(this.runtime.outputs.endpoints.dynamodb);
    const cpuStart = cpuMark(dynamoPid);
    const { ratePerSecond, burst } = vendorByName('rewards').rateLimit;
    const deadlineMs = 120_000 + (expected / ratePerSecond) * 3000;
    await waitUntil(
      async () => (await this.issuedCount()) - before.issued >= expected,
      `${expected} rewards issued`,
      deadlineMs,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${(await this.issuedCount()) - before.issued} issued`);
    });
    const cpu = cpuSince(cpuStart, dynamoPid);
    await this.queueEmpty();
    const calls = (await this.rewards.requests({ since: before.seq })).requests;
    const issueCalls = calls.filter((c) => c.method === 'POST' && c.path === '/v1/rewards/issue');
    const answered = issueCalls.filter((c) => c.status === 200);
    const first = Math.min(...issueCalls.map((c) => c.atMs));
    const last = Math.max(...answered.map((c) => c.atMs + c.durationMs));
    const answeredPerId = new Map<string, number>();
    for (const c of answered) {
      const id = c.headers['x-request-id'] ?? '';
      answeredPerId.set(id, (answeredPerId.get(id) ?? 0) + 1);
    }
    const state = await this.rewards.state<{
      rewards: { agent_id: string; status: string; transaction_id: string }[];
      piiReceived: unknown[];
      counters: { issued: number; duplicateIssues: number; rejected: number };
    }>();
    // This phase's rewards: those whose transaction id it sent.
    const perAgent = new Map<string, number>();
    for (const r of state.rewards)
      if (r.status === 'ISSUED' && answeredPerId.has(r.transaction_id))
        perAgent.set(r.agent_id, (perAgent.get(r.agent_id) ?? 0) + 1);
    const piiHits = calls.filter((c) => PII.some((p) => p.test(JSON.stringify(c)))).length;
    const issueTimes = issueCalls.map((c) => c.atMs);
    const busiest10s = Math.max(
      0,
      ...issueTimes.map((t) => issueTimes.filter((u) => u >= t && u < t + 10_000).length),
    );
    return {
      agents: expected,
      issued: state.counters.issued - before.issued,
      issueCalls: issueCalls.length,
      throttled: calls.filter((c) => c.status === 429).length,
      otherCalls: calls.length - issueCalls.length,
      drainMs: last - first,
      fromEnqueuedMs: last - enqueuedAt,
      minimumMs: (Math.max(0, expected - burst) / ratePerSecond) * 1000,
      rate: { ratePerSecond, burst },
      agentsRewarded: perAgent.size,
      agentsIssuedTwice: [...perAgent.values()].filter((n) => n > 1).length,
      transactionIdsAnsweredTwice: [...answeredPerId.values()].filter((n) => n > 1).length,
      duplicateIssues: state.counters.duplicateIssues - before.duplicateIssues,
      piiRequests: piiHits,
      piiReceived: state.piiReceived.length,
      busiestTenSecondsPerSecond: busiest10s / 10,
      cpu,
    };
  }

  /** Nothing waiting, delayed or in flight on the reward-triggers queue, twice in a row a second apart. */
  async queueEmpty(): Promise<void> {
    const sqs = new SQSClient({
      region: this.runtime.outputs.region,
      endpoint: this.runtime.outputs.endpoints.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const queueUrl = this.runtime.outputs.workflows[INGESTION.workflow]!.queueUrl;
    let emptyChecks = 0;
    try {
      await waitUntil(
        async () => {
          const { Attributes: a = {} } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: [
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
                'ApproximateNumberOfMessagesDelayed',
              ],
            }),
          );
          // Deferred evaluations (RetryLater) wait as delayed messages.
          const left =
            Number(a.ApproximateNumberOfMessages ?? 0) +
            Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
            Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
          emptyChecks = left === 0 ? emptyChecks + 1 : 0;
          if (emptyChecks < 2) await sleep(1000);
          return emptyChecks >= 2;
        },
        'the reward-triggers queue to empty',
        300_000,
      );
    } finally {
      sqs.destroy();
    }
  }

  async lastSeq(): Promise<number> {
    return (await this.rewards.requests({ limit: 1 })).requests[0]?.seq ?? 0;
  }
}

const mb = (bytes: number) => round(bytes / MB, 1);

function ingestionColumns(i: Ingested) {
  const rows = i.summary.rowsRead;
  const duration = i.summary.durationMs / 1000;
  const c = i.counts;
  const writeRequests = ['TransactWriteItems', 'BatchWriteItem', 'PutItem', 'UpdateItem', 'DeleteItem']
    .map((op) => c.requests[op] ?? 0)
    .reduce((a, b) => a + b, 0);
  const readRequests = ['GetItem', 'BatchGetItem', 'Query']
    .map((op) => c.requests[op] ?? 0)
    .reduce((a, b) => a + b, 0);
  const rss = i.report.samples.map((s) => s[1]);
  const half = rss.slice(Math.floor(rss.length / 2));
  return {
    rows,
    'rows loaded': i.summary.rowsLoaded,
    'agents evaluated': i.summary.agentsEvaluated,
    'ingestion time (s)': round(duration, 1),
    'rows per second': Math.round(rows / duration),
    'CPU per row (ms): the ingesting process / DynamoDB Local': `${round(i.report.cpuMs / rows, 2)} / ${round(i.dynamoCpuMs / rows, 2)}`,
    'peak RSS, VmHWM (MB)': mb(i.report.maxRssBytes),
    'rss, median of 2nd half of samples (MB)': mb(
      half.sort((a, b) => a - b)[Math.floor(half.length / 2)] ?? 0,
    ),
    'peak heap used, sampled (MB)': mb(Math.max(...i.report.samples.map((s) => s[2]))),
    'ledger transactions (TransactWriteItems) per row': round((c.requests.TransactWriteItems ?? 0) / rows, 3),
    'ledger entries written per row (LEDGER#)': round((c.itemsWritten.LEDGER ?? 0) / rows, 3),
    'row bookings written per row (ROW#)': round((c.itemsWritten.ROW ?? 0) / rows, 3),
    'all DynamoDB write requests per row': round(writeRequests / rows, 3),
    'DynamoDB read requests per row': round(readRequests / rows, 3),
    '  of which BatchGetItem (row bookings, up to 100 a request)': round(
      (c.requests.BatchGetItem ?? 0) / rows,
      3,
    ),
    'items read per row': round(c.itemsRead / rows, 1),
    ...Object.fromEntries(
      Object.entries(c.msByOperation)
        .filter(([, ms]) => ms / rows >= 0.1)
        .map(([op, ms]) => [`  ${op} ms per row (summed over concurrent requests)`, round(ms / rows, 1)]),
    ),
  };
}

export async function run() {
  const runtime = await startBenchRuntime({
    concurrency: 'declared',
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
  });
  const proxy = await startCountingProxy(runtime.outputs.endpoints.dynamodb);
  try {
    const bundle = await bundleHandler(workflowByName('reward-triggers')!.schedules[0]!.function.entry);
    const bench = new Bench(runtime, proxy, bundle);
    await bench.prepareSandboxes();
    const run = Date.now().toString(36);
    const processors = workflowByName('reward-triggers')!.queue.maxConcurrency;
    const { ratePerSecond, burst } = vendorByName('rewards').rateLimit;
    console.log(
      `Export: ${AGENTS} agents x ${DAYS} days (BENCH_REWARDS_SCALE=${SCALE}), baseline ${BASELINE_AGENTS} agents; ` +
        `page size ${PAGE_SIZE} (Genesys' own maximum is 100; the sandbox's maxPageSize raised to match); ` +
        `Genesys sandbox general limit raised to ${GENESYS_BENCH_LIMIT.ratePerSecond}/s burst ${GENESYS_BENCH_LIMIT.burst} ` +
        `(spec 000: 5/s); rewards inventory raised to ${REWARD_INVENTORY}; rewards rate limit as documented ` +
        `(${ratePerSecond}/s burst ${burst}); reward-triggers processors: ${processors} instances, queue visibility ${VISIBILITY_TIMEOUT_SECONDS} s (BENCH_REWARDS_VISIBILITY_SECONDS; AWS: 6x the processor's timeout). ` +
        `The ingestion runs the operator's range ${addDays(bench.today, -(DAYS - 1))}..${bench.today} ` +
        `(not a dry run) in a process of its own; DynamoDB counted through a proxy.`,
    );

    const idle = await bench.idle();
    process.stdout.write('  idle process: done\n');

    const drainOf = async (ingest: () => Promise<Ingested>) => {
      const before = { ...(await bench.counters()), seq: await bench.lastSeq() };
      const ingested = await ingest();
      process.stdout.write(`  ingestion of ${ingested.summary.rowsRead} rows: done\n`);
      const drain = await bench.drain(before, ingested.summary.agentsEvaluated, Date.now());
      process.stdout.write(`  issuance of ${drain.issued} rewards: done\n`);
      return { ingested, drain };
    };
    // Each phase's rewards are issued before the next starts: the night's drain has the marketplace to itself.
    const small = await drainOf(() => bench.ingestGenerated('small', BASELINE_AGENTS, run));
    const big = await drainOf(() => bench.ingestGenerated('full', AGENTS, run));
    const night = await drainOf(() => bench.ingestNight(NIGHT_AGENTS, run));
    const phases = [small, big, night];

    const memoryRows = [
      {
        figure: 'idle function process (handler loaded, not invoked)',
        'peak RSS, VmHWM (MB)': mb(idle.maxRssBytes),
      },
    ];
    const columns = {
      [`baseline: ${BASELINE_AGENTS * DAYS} rows`]: ingestionColumns(small.ingested),
      [`${AGENTS * DAYS} rows`]: ingestionColumns(big.ingested),
      [`night: ${NIGHT_AGENTS} rows, 1 day`]: ingestionColumns(night.ingested),
    };
    const figures = Object.keys(ingestionColumns(big.ingested)) as (keyof ReturnType<
      typeof ingestionColumns
    >)[];
    const targets: Partial<Record<(typeof figures)[number], string>> = {
      'peak RSS, VmHWM (MB)': `<= ${RSS_TARGET_MB}, flat`,
    };
    const [load1, load5] = loadavg();
    console.log(
      `Load average at the end: ${load1!.toFixed(1)} (1 min), ${load5!.toFixed(1)} (5 min) on ${availableParallelism()} cores.`,
    );
    console.table(memoryRows);
    console.table(
      figures.map((figure) => ({
        figure,
        ...Object.fromEntries(Object.entries(columns).map(([name, col]) => [name, col[figure] ?? ''])),
        target: targets[figure] ?? '',
      })),
    );

    const d = night.drain;
    const sum = (f: (drain: typeof d) => number) => phases.reduce((n, p) => n + f(p.drain), 0);
    const over = (100 * (d.drainMs - d.minimumMs)) / Math.max(1, d.minimumMs);
    console.table([
      { figure: 'night: agents crossing the threshold (evaluations enqueued)', value: d.agents, target: '' },
      { figure: 'rewards issued', value: d.issued, target: `${d.agents}` },
      {
        figure: 'issue calls / 429s / other calls',
        value: `${d.issueCalls} / ${d.throttled} / ${d.otherCalls}`,
        target: '',
      },
      {
        figure: 'drain T, first issue call to last ISSUED (s)',
        value: round(d.drainMs / 1000, 1),
        target: '',
      },
      {
        figure: `minimum (N - burst) / rate at ${d.rate.ratePerSecond}/s burst ${d.rate.burst} (s)`,
        value: round(d.minimumMs / 1000, 1),
        target: '',
      },
      { figure: 'T over the minimum', value: `${over.toFixed(1)}%`, target: '<= 10%' },
      { figure: 'ingestion end to last ISSUED (s)', value: round(d.fromEnqueuedMs / 1000, 1), target: '' },
      {
        figure: 'issue calls per second: over the drain / busiest 10 s',
        value: `${round(d.issueCalls / Math.max(0.001, d.drainMs / 1000), 1)} / ${d.busiestTenSecondsPerSecond}`,
        target: `${d.rate.ratePerSecond}`,
      },
      {
        figure: 'CPU during the drain, local runtime (this process) + DynamoDB Local (core-s)',
        value: `${round(d.cpu.runtimeMs / 1000, 1)} + ${round(d.cpu.dynamoMs / 1000, 1)}`,
        target: '',
      },
      {
        figure: 'CPU per reward (ms), and the cores that takes at the marketplace rate',
        value: `${round((d.cpu.runtimeMs + d.cpu.dynamoMs) / d.agents, 1)} ms, ${round((((d.cpu.runtimeMs + d.cpu.dynamoMs) / d.agents) * d.rate.ratePerSecond) / 1000, 2)} cores`,
        target: '',
      },
      {
        figure: `machine CPU idle during the drain (${availableParallelism()} cores, shared)`,
        value: `${(100 * d.cpu.machineIdleShare).toFixed(1)}%`,
        target: '',
      },
      {
        figure: `every phase: rewards issued (${phases.map((p) => p.drain.agents).join(' + ')} agents)`,
        value: sum((x) => x.issued),
        target: `${sum((x) => x.agents)}`,
      },
      {
        figure: 'night: agents rewarded / agents issued more than one reward',
        value: `${d.agentsRewarded} / ${d.agentsIssuedTwice}`,
        target: `${d.agents} / 0`,
      },
      {
        // A redelivered evaluation of an agent with points for several rewards issues the next one; a late one
        // can land in the next phase, which is why these are not the duplicate figure (the night's is).
        figure: '90-day phases: agents issued more than one reward (points for several, redelivered)',
        value: `${small.drain.agentsIssuedTwice} of ${small.drain.agentsRewarded}, ${big.drain.agentsIssuedTwice} of ${big.drain.agentsRewarded}`,
        target: '',
      },
      {
        figure: 'every phase: transaction ids answered 200 twice / sandbox duplicateIssues',
        value: `${sum((x) => x.transactionIdsAnsweredTwice)} / ${sum((x) => x.duplicateIssues)}`,
        target: '0 / 0',
      },
      {
        figure: 'every phase: marketplace requests carrying a seeded name, email or phone',
        value: sum((x) => x.piiRequests),
        target: '0',
      },
      { figure: "every phase: the sandbox's piiReceived", value: d.piiReceived, target: '0' },
    ]);
    return {
      scale: SCALE,
      agents: AGENTS,
      pageSize: PAGE_SIZE,
      idleMaxRssBytes: idle.maxRssBytes,
      baseline: { ...ingestionColumns(small.ingested), counts: small.ingested.counts },
      full: { ...ingestionColumns(big.ingested), counts: big.ingested.counts },
      night: { ...ingestionColumns(night.ingested), counts: night.ingested.counts },
      drains: { baseline: small.drain, full: big.drain, night: night.drain },
      loadAverage: loadavg(),
    };
  } finally {
    await proxy.close();
    await stopBenchRuntime(runtime);
  }
}
