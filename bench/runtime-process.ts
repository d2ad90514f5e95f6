/**
 * The local runtime in a process of its own, for a benchmark that reads the runtime's memory (the soak): what the
 * benchmark keeps (its record of every event it sent, its HTTP and AWS clients, the vendors' logs it reads back)
 * stays in the benchmark's process, out of the RSS it measures. Started as the bench runtime is
 * (bench/bench-runtime.ts: free ports, schedules on demand, the outbound requests watched for the leak scan), with
 * fork(); the parent asks over the IPC channel for what only the runtime's process can answer (its threads' heaps,
 * a schedule run, its bus events, what it keeps) and for the stop with its leak scan. The child stops its runtime
 * and exits if the parent goes away.
 */
import { fork } from 'node:child_process';
import { withDeadline } from '../local/net';
import type { HeapUse } from '../local/function-host';
import type { BusEvent } from '../local/aws-fake';
import type { LocalOutputs, LocalRuntime, LocalRuntimeOptions } from '../local/runtime';
import { startBenchRuntime, stopBenchRuntime } from './bench-runtime';
import { round } from './stats';

/** What the runtime process holds on purpose for the ones who inspect it, which grows with the load. */
export interface Kept {
  /** Vendor requests in the sandboxes' request logs, and their size as JSON in MB. */
  readonly vendorRequests: number;
  readonly vendorRequestsMb: number;
  /** Domain events the runtime's bus delivered to its local target (GET /_local/events). */
  readonly busEvents: number;
  readonly busEventsMb: number;
}

interface Requests {
  heaps(collect: boolean): Record<string, HeapUse>;
  runSchedule(id: string): unknown;
  events(detailTypes: readonly string[]): BusEvent[];
  kept(): Kept;
  /** Stops the runtime with the leak scan of bench/bench-runtime.ts: its hit count and what it scanned. */
  stop(): { leakHits: number; leakScanned: Record<string, number> };
}

type Op = keyof Requests;
type Request = { id: number; op: Op; args: unknown[] };
type Reply = { id: number; value?: unknown; error?: string };
type Ready =
  { type: 'ready'; outputs: LocalOutputs; urls: LocalRuntime['urls'] } | { type: 'failed'; error: string };

export interface RuntimeProcess {
  readonly pid: number;
  readonly outputs: LocalOutputs;
  readonly urls: LocalRuntime['urls'];
  heaps(options?: { collect?: boolean }): Promise<Record<string, HeapUse>>;
  runSchedule(id: string): Promise<unknown>;
  events(detailTypes: readonly string[]): Promise<BusEvent[]>;
  kept(): Promise<Kept>;
  stop(): Promise<ReturnType<Requests['stop']>>;
}

const DEADLINE_MS: Record<Op, number> = {
  heaps: 60_000,
  runSchedule: 120_000,
  events: 60_000,
  kept: 60_000,
  stop: 240_000,
};

/** What the runtime process is started with: options that survive JSON, as they travel on its command line. */
export type RuntimeProcessOptions = Pick<LocalRuntimeOptions, 'dynamoDbDataDir'>;

/** `nodeFlags`: Node and V8 flags for the runtime process (its worker threads share V8's), besides this one's. */
export async function startRuntimeProcess(
  options: RuntimeProcessOptions = {},
  nodeFlags: readonly string[] = [],
): Promise<RuntimeProcess> {
  // The same loader (tsx) as this process, which is in its execArgv.
  const child = fork(__filename, [SERVE, JSON.stringify(options)], {
    stdio: 'inherit',
    execArgv: [...process.execArgv, ...nodeFlags],
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`exited (${signal ?? `code ${code}`})`)),
  );
  const ready = await withDeadline(
    Promise.race([
      new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready))),
      exited.then((how): Ready => ({
        type: 'failed',
        error: `the runtime process ${how} before it was ready`,
      })),
    ]),
    150_000,
    'the runtime process to start the local runtime',
  ).catch((err: Error) => ({ type: 'failed', error: err.message }) as const);
  if (ready.type === 'failed') {
    child.kill('SIGKILL');
    throw new Error(ready.error);
  }

  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.value);
  });
  void exited.then((how) => {
    for (const p of pending.values()) p.reject(new Error(`the runtime process ${how}`));
    pending.clear();
  });
  const ask = <K extends Op>(op: K, ...args: Parameters<Requests[K]>): Promise<ReturnType<Requests[K]>> => {
    const id = ++next;
    return withDeadline(
      new Promise<ReturnType<Requests[K]>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args } satisfies Request);
      }),
      DEADLINE_MS[op],
      `the runtime process to answer ${op}`,
    );
  };
  return {
    pid: child.pid!,
    outputs: ready.outputs,
    urls: ready.urls,
    heaps: ({ collect = false } = {}) => ask('heaps', collect),
    runSchedule: (id) => ask('runSchedule', id),
    events: (detailTypes) => ask('events', detailTypes),
    kept: () => ask('kept'),
    stop: async () => {
      try {
        return await ask('stop');
      } finally {
        await withDeadline(exited, 30_000, 'the runtime process to exit').catch(() => child.kill('SIGKILL'));
      }
    },
  };
}

const SERVE = '--serve-runtime';
const asJsonMb = (value: unknown) => round(Buffer.byteLength(JSON.stringify(value)) / 1024 / 1024);

/** The child: starts the runtime, tells the parent, then answers its requests until asked to stop. */
async function serve(options: RuntimeProcessOptions): Promise<void> {
  const send = (message: Ready | Reply) =>
    new Promise<void>((resolve) => process.send!(message, undefined, {}, () => resolve()));
  let runtime: LocalRuntime;
  try {
    runtime = await startBenchRuntime(options);
  } catch (err) {
    await send({ type: 'failed', error: (err as Error).message });
    process.exit(1);
  }
  // Without its parent nobody reads or stops it: stop, and go.
  const orphaned = () => void runtime.stop().finally(() => process.exit(1));
  process.once('disconnect', orphaned);
  const handlers: { [K in Op]: (...args: Parameters<Requests[K]>) => Promise<ReturnType<Requests[K]>> } = {
    heaps: (collect) => runtime.heaps({ collect }),
    runSchedule: (id) => runtime.runSchedule(id),
    events: async (detailTypes) => runtime.events.filter((e) => detailTypes.includes(e.detailType)),
    kept: async () => {
      const requests = Object.values(runtime.sandboxes.vendors).flatMap((v) => v.requests());
      return {
        vendorRequests: requests.length,
        vendorRequestsMb: asJsonMb(requests),
        busEvents: runtime.events.length,
        busEventsMb: asJsonMb(runtime.events),
      };
    },
    stop: async () => {
      const scan = await stopBenchRuntime(runtime);
      return { leakHits: scan.hits.length, leakScanned: scan.scanned };
    },
  };
  process.on('message', (m: Request) => {
    const handle = handlers[m.op] as (...args: unknown[]) => Promise<unknown>;
    void handle(...m.args).then(
      async (value) => {
        if (m.op === 'stop') process.off('disconnect', orphaned);
        await send({ id: m.id, value });
        if (m.op === 'stop') process.exit(0);
      },
      (err: Error) => void send({ id: m.id, error: err.message }),
    );
  });
  await send({ type: 'ready', outputs: runtime.outputs, urls: runtime.urls });
}

if (require.main === module && process.argv[2] === SERVE)
  void serve(JSON.parse(process.argv[3] ?? '{}') as RuntimeProcessOptions);
