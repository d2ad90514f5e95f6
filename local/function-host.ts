/**
 * Runs a handler the way Lambda does: N concurrent instances (worker threads), each with its own module
 * state and its own environment, each serving one invocation at a time.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { build, type BuildOptions } from 'esbuild';
import { HANDLER_BUNDLE } from '../shared/config/handler-bundle';
import { functionLogGroupName } from '../shared/config/resource-names';
import type { FunctionDeclaration } from '../shared/topology';
import type { CrashPoint } from './crash-switch';
import type { DynamoDbFault } from './dynamodb-fault-switch';
import { withDeadline } from './net';

const REPO_ROOT = resolve(__dirname, '..');
const BUNDLE_DIR = join(REPO_ROOT, '.local', 'bundles');
const bundles = new Map<string, Promise<string>>();

/** esbuild options of a handler bundle: the stack's (shared/config/handler-bundle.ts), plus where it goes. */
export function handlerBuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [resolve(REPO_ROOT, entry)],
    bundle: true,
    platform: 'node',
    ...HANDLER_BUNDLE,
    mainFields: [...HANDLER_BUNDLE.mainFields],
    external: [...HANDLER_BUNDLE.external],
    outfile,
    logLevel: 'silent',
  } satisfies BuildOptions;
}

/**
 * Bundles a handler the way the CDK stack does (shared/config/handler-bundle.ts), once per run:
 * the instances load the same kind of artefact Lambda runs, and start in tens of milliseconds instead of
 * compiling TypeScript module by module.
 */
export function bundleHandler(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (!bundled) {
    const outfile = join(BUNDLE_DIR, `${entry.replace(/[/\\]/g, '_').replace(/\.ts$/, '')}.js`);
    mkdirSync(BUNDLE_DIR, { recursive: true });
    bundled = build({ ...handlerBuildOptions(entry, outfile), sourcemap: 'inline' }).then(() => outfile);
    bundles.set(entry, bundled);
  }
  return bundled;
}

/** Where the local runtime writes each function's log lines: one file per log group, as CloudWatch has them. */
export const LOCAL_LOG_DIR = process.env.WFM_LOCAL_LOG_DIR ?? join(REPO_ROOT, '.local', 'logs');

/** The log group a function writes to, from its environment: the name the stack gives it in AWS. */
export function logGroupOf(env: Record<string, string>): string {
  return env.WORKFLOW
    ? functionLogGroupName(env.STAGE ?? 'local', { workflow: env.WORKFLOW, id: env.WORKFLOW_FUNCTION ?? '' })
    : functionLogGroupName(env.STAGE ?? 'local', 'ingress');
}

export const logFileOf = (logGroup: string) => join(LOCAL_LOG_DIR, `${logGroup}.log`);

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

/**
 * Every line a function instance writes goes to its log group's file; the console shows only lines at or
 * above `echoLevel` (and anything that is not a JSON log line), so test runs stay quiet.
 */
function captureOutput(stream: Readable, file: WriteStream, echo: NodeJS.WriteStream, echoLevel: string) {
  const threshold = LEVELS.indexOf(echoLevel.toUpperCase());
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    file.write(`${line}\n`);
    let level: string | undefined;
    try {
      level = (JSON.parse(line) as { level?: string }).level;
    } catch {
      level = undefined;
    }
    if (level === undefined || LEVELS.indexOf(level) >= threshold) echo.write(`${line}\n`);
  });
}

/** A thread's V8 heap, in bytes: what it holds, and what it has taken from the system for it. */
export interface HeapUse {
  readonly used: number;
  readonly total: number;
  /** Of `total`, the young generation's (new space): it grows with the allocation rate, not with what is kept. */
  readonly young: number;
}

const addHeaps = (heaps: readonly HeapUse[]): HeapUse => ({
  used: heaps.reduce((sum, h) => sum + h.used, 0),
  total: heaps.reduce((sum, h) => sum + h.total, 0),
  young: heaps.reduce((sum, h) => sum + h.young, 0),
});

/** This thread's heap, after a full collection if `collect` (local/thread-heap.cjs, which the workers use too). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { heapOfThisThread } = require('./thread-heap.cjs') as {
  heapOfThisThread(collect?: boolean): HeapUse;
};

/**
 * A worker thread's heap, after a full collection there if `collect` (local/function-worker.cjs and
 * local/sqs-worker.cjs answer `{ type: 'heap' }`): what the runtime process's RSS is made of, thread by thread.
 */
export function heapOfThread(worker: Worker, collect: boolean, thread: string): Promise<HeapUse> {
  let answer: ((m: { type?: string } & Partial<HeapUse>) => void) | undefined;
  return withDeadline(
    new Promise<HeapUse>((resolve) => {
      answer = (m) => {
        if (m?.type === 'heap')
          resolve({ used: m.used ?? NaN, total: m.total ?? NaN, young: m.young ?? NaN });
      };
      worker.on('message', answer);
      worker.postMessage({ type: 'heap', collect });
    }),
    10_000,
    `${thread} to report its heap`,
  ).finally(() => worker.off('message', answer!));
}

interface Instance {
  worker: Worker;
  busy: boolean;
  /** The id of the invocation it is running. */
  invocation?: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** An instance died during an invocation (a crash, the crash switch, or stop()). */
export class InstanceExited extends Error {
  constructor(
    functionName: string,
    readonly exitCode: number,
  ) {
    super(`${functionName} instance exited (code ${exitCode}) during an invocation`);
    this.name = 'InstanceExited';
  }
}

export interface PoolOptions {
  /** Where the instances' log lines go. Default: the log group's file under LOCAL_LOG_DIR. */
  readonly logFile?: string;
  /**
   * Multiplies the declared timeout the instances' context reports (`getRemainingTimeInMillis`). Default 1.
   * The local runtime gives a queue processor the scale of its waits (WFM_RETRY_SCALE, 0.1): the record's
   * visibility timeout and the leases are scaled, and Powertools idempotency lets an in-progress record lapse
   * when the invocation that wrote it would have timed out, so a record whose instance died is taken up again
   * within its receives, as in AWS. The instance is not stopped at that time.
   */
  readonly timeoutScale?: number;
}

export class FunctionPool {
  private readonly instances: Instance[] = [];
  private readonly waiting: ((i: Instance) => void)[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  private logFile?: WriteStream;
  private stopping = false;
  /** Instances that died and were replaced, for tests and /health. */
  restarts = 0;

  private constructor(
    readonly name: string,
    private readonly declaration: FunctionDeclaration,
    private readonly env: Record<string, string>,
    /** The timeout each invocation's context counts down from. */
    readonly timeoutMs: number,
  ) {}

  static async start(
    name: string,
    declaration: FunctionDeclaration,
    env: Record<string, string>,
    concurrency: number,
    { logFile = logFileOf(logGroupOf(env)), timeoutScale = 1 }: PoolOptions = {},
  ): Promise<FunctionPool> {
    const timeoutMs = Math.round(declaration.timeoutSeconds * 1000 * timeoutScale);
    const pool = new FunctionPool(name, declaration, env, timeoutMs);
    mkdirSync(dirname(logFile), { recursive: true });
    pool.logFile = createWriteStream(logFile, { flags: 'w' });
    await Promise.all(Array.from({ length: concurrency }, () => pool.spawn()));
    return pool;
  }

  private async spawn(): Promise<Instance> {
    const { declaration, env } = this;
    const worker = new Worker(join(__dirname, 'function-worker.cjs'), {
      env,
      execArgv: ['--enable-source-maps'],
      stdout: true,
      stderr: true,
      workerData: {
        entry: await bundleHandler(declaration.entry),
        functionName: this.name,
        logGroupName: logGroupOf(env),
        timeoutMs: this.timeoutMs,
        dynamoDbFaultInjector: await bundleHandler('local/dynamodb-fault-injector.ts'),
      },
    });
    const echoLevel = env.WFM_LOCAL_ECHO_LEVEL ?? 'WARN';
    captureOutput(worker.stdout, this.logFile!, process.stdout, echoLevel);
    captureOutput(worker.stderr, this.logFile!, process.stderr, echoLevel);
    await withDeadline(
      new Promise<void>((ready, fail) => {
        worker.once('error', fail);
        worker.once('message', (m: { type: string; error?: string }) =>
          m.type === 'ready' ? ready() : fail(new Error(`${this.name} failed to load: ${m.error}`)),
        );
      }),
      30_000,
      `an instance of ${this.name} to load ${declaration.entry}`,
    ).catch(async (err: Error) => {
      await worker.terminate();
      throw err;
    });
    const instance: Instance = { worker, busy: false };
    worker.on('message', (m: { id?: number; result?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      instance.invocation = undefined;
      this.release(instance);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
    // An instance that dies (a crash, or stop()) fails its invocation instead of leaving its caller waiting,
    // and, unless the pool is stopping, a fresh instance takes its place, as Lambda starts a new one.
    worker.once('exit', (code) => {
      const id = instance.invocation;
      if (id !== undefined) {
        this.pending.get(id)?.reject(new InstanceExited(this.name, code));
        this.pending.delete(id);
      }
      this.instances.splice(this.instances.indexOf(instance), 1);
      if (!this.stopping) this.replace();
    });
    this.instances.push(instance);
    return instance;
  }

  private replace(): void {
    this.restarts += 1;
    this.spawn().then(
      (fresh) => {
        if (this.stopping) return void fresh.worker.terminate();
        fresh.busy = true;
        this.release(fresh);
      },
      (err: Error) =>
        process.stderr.write(`${this.name}: could not replace a dead instance: ${err.message}\n`),
    );
  }

  private release(instance: Instance): void {
    const next = this.waiting.shift();
    if (next) next(instance);
    else instance.busy = false;
  }

  private acquire(): Promise<Instance> {
    const idle = this.instances.find((i) => !i.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    return new Promise((r) => this.waiting.push(r));
  }

  /**
   * Invokes on a free instance (waiting for one if all are busy); rejects if the handler throws, or with
   * `InstanceExited` if the instance dies. Test-only: `crashAt` (local/crash-switch.ts), where it dies;
   * `dynamoDbFaults` (local/dynamodb-fault-switch.ts), which of its DynamoDB calls fail.
   */
  async invoke<T>(
    event: unknown,
    options: { crashAt?: CrashPoint; dynamoDbFaults?: readonly DynamoDbFault[] } = {},
  ): Promise<T> {
    const instance = await this.acquire();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      instance.invocation = id;
      instance.worker.postMessage({
        id,
        event,
        ...(options.crashAt && { crashAt: options.crashAt }),
        ...(options.dynamoDbFaults?.length && { dynamoDbFaults: options.dynamoDbFaults }),
      });
    });
  }

  /** The heaps of all its instances, added (after a full collection in each if `collect`). */
  async heap(collect = false): Promise<HeapUse> {
    return addHeaps(await Promise.all(this.instances.map((i) => heapOfThread(i.worker, collect, this.name))));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.instances.map((i) => i.worker.terminate()));
    await new Promise<void>((done) => (this.logFile ? this.logFile.end(done) : done()));
  }
}
