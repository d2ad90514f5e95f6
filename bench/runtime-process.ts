/**
 * The local runtime in a process of its own (bench/child-process.ts), for a benchmark that reads the runtime's
 * memory (the soak). Started as the bench runtime is (bench/bench-runtime.ts: free ports, schedules on demand, the
 * outbound requests watched for the leak scan where the sandboxes run); the parent asks for what only the
 * runtime's process can answer: its threads' heaps, a schedule run, its bus events, what it keeps, and the stop
 * with its leak scan.
 */
import type { HeapUse } from '../local/function-host';
import type { BusEvent } from '../local/aws-fake';
import type { LocalOutputs, LocalRuntime, LocalRuntimeOptions } from '../local/runtime';
import { startBenchRuntime, stopAndScanBenchRuntime, type BenchLeakScan } from './bench-runtime';
import { forkChild, serveParent, type ChildProcess } from './child-process';
import { round } from './stats';

/** What the runtime keeps on purpose for the ones who inspect it, which grows with the load. */
export interface Kept {
  /** Domain events the runtime's bus delivered to its local target (GET /_local/events), and their size in MB. */
  readonly busEvents: number;
  readonly busEventsMb: number;
}

type RuntimeRequests = {
  heaps(collect: boolean): Record<string, HeapUse>;
  runSchedule(id: string): unknown;
  events(detailTypes: readonly string[]): BusEvent[];
  kept(): Kept;
  /** Stops the runtime: the leak scan of bench/bench-runtime.ts, not yet reported. */
  stop(): BenchLeakScan;
};
type Ready = { outputs: LocalOutputs; urls: LocalRuntime['urls'] };

/** What the runtime process is started with: options that survive JSON, as they travel on its command line. */
export type RuntimeProcessOptions = Pick<LocalRuntimeOptions, 'dynamoDbDataDir' | 'sandboxUrl'>;

export interface RuntimeProcess extends Ready {
  readonly pid: number;
  heaps(options?: { collect?: boolean }): Promise<Record<string, HeapUse>>;
  runSchedule(id: string): Promise<unknown>;
  events(detailTypes: readonly string[]): Promise<BusEvent[]>;
  kept(): Promise<Kept>;
  stop(): Promise<BenchLeakScan>;
}

/** `nodeFlags`: Node and V8 flags for the runtime process (its worker threads share V8's). */
export async function startRuntimeProcess(
  options: RuntimeProcessOptions = {},
  nodeFlags: readonly string[] = [],
): Promise<RuntimeProcess> {
  const child: ChildProcess<RuntimeRequests, Ready> = await forkChild({
    module: __filename,
    name: 'the runtime process',
    options,
    nodeFlags,
    startDeadlineMs: 150_000,
    deadlinesMs: { heaps: 60_000, runSchedule: 120_000, events: 60_000, kept: 60_000, stop: 240_000 },
  });
  return {
    pid: child.pid,
    ...child.ready,
    heaps: ({ collect = false } = {}) => child.ask('heaps', collect),
    runSchedule: (id) => child.ask('runSchedule', id),
    events: (detailTypes) => child.ask('events', detailTypes),
    kept: () => child.ask('kept'),
    stop: () => child.stop(),
  };
}

export const asJsonMb = (value: unknown) => round(Buffer.byteLength(JSON.stringify(value)) / 1024 / 1024);

if (require.main === module)
  serveParent<RuntimeRequests, Ready, RuntimeProcessOptions>(async (options) => {
    const runtime = await startBenchRuntime(options);
    return {
      ready: { outputs: runtime.outputs, urls: runtime.urls },
      handlers: {
        heaps: (collect) => runtime.heaps({ collect }),
        runSchedule: (id) => runtime.runSchedule(id),
        events: async (detailTypes) => runtime.events.filter((e) => detailTypes.includes(e.detailType)),
        kept: async () => ({ busEvents: runtime.events.length, busEventsMb: asJsonMb(runtime.events) }),
        stop: () => stopAndScanBenchRuntime(runtime),
      },
      orphaned: () => runtime.stop(),
    };
  });
