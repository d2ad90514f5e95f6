/**
 * A part of the system under a benchmark in a process of its own (the soak's runtime and its vendor sandboxes),
 * so that the process's RSS is that part's alone, not the benchmark's records and clients. The parent forks the
 * part's module (bench/runtime-process.ts, bench/sandbox-process.ts) with the same loader (tsx, in its execArgv);
 * the child starts the part, says it is ready, and answers the parent's requests over the IPC channel, each
 * within its deadline, until asked to stop. A child whose parent goes away stops its part and exits.
 */
import { fork } from 'node:child_process';
import { withDeadline } from '../local/net';

/** The requests a child answers; `stop` is the last, and the child exits after answering it. */
export type Requests = { stop(): unknown } & Record<string, (...args: never[]) => unknown>;
type Answer<R extends Requests, K extends keyof R> = Awaited<ReturnType<R[K]>>;

type Started<Ready> = { type: 'ready'; ready: Ready } | { type: 'failed'; error: string };
type Request = { id: number; op: string; args: unknown[] };
type Reply = { id: number; value?: unknown; error?: string };

export interface ChildProcess<R extends Requests, Ready> {
  readonly pid: number;
  /** What the child said when it was ready. */
  readonly ready: Ready;
  ask<K extends keyof R & string>(op: K, ...args: Parameters<R[K]>): Promise<Answer<R, K>>;
  /** Asks `stop`, then waits for the exit; a child that does not exit in time is killed. */
  stop(): Promise<Answer<R, 'stop'>>;
}

export interface ChildSpec<R extends Requests> {
  /** The child's module (its `__filename`), which calls serveParent. */
  readonly module: string;
  /** For errors: "the runtime process". */
  readonly name: string;
  /** Travels as JSON on the child's command line. */
  readonly options: unknown;
  /** Node and V8 flags for the child, besides this process's. */
  readonly nodeFlags?: readonly string[];
  readonly startDeadlineMs: number;
  readonly deadlinesMs: { readonly [K in keyof R]: number };
}

const SERVE = '--serve-parent';

export async function forkChild<R extends Requests, Ready>(
  spec: ChildSpec<R>,
): Promise<ChildProcess<R, Ready>> {
  const child = fork(spec.module, [SERVE, JSON.stringify(spec.options)], {
    stdio: 'inherit',
    execArgv: [...process.execArgv, ...(spec.nodeFlags ?? [])],
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`exited (${signal ?? `code ${code}`})`)),
  );
  const started = await withDeadline(
    Promise.race([
      new Promise<Started<Ready>>((resolve) => child.once('message', (m) => resolve(m as Started<Ready>))),
      exited.then((how): Started<Ready> => ({
        type: 'failed',
        error: `${spec.name} ${how} before it was ready`,
      })),
    ]),
    spec.startDeadlineMs,
    `${spec.name} to start`,
  ).catch((err: Error): Started<Ready> => ({ type: 'failed', error: err.message }));
  if (started.type === 'failed') {
    child.kill('SIGKILL');
    throw new Error(started.error);
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
    for (const p of pending.values()) p.reject(new Error(`${spec.name} ${how}`));
    pending.clear();
  });
  const ask = <K extends keyof R & string>(op: K, ...args: Parameters<R[K]>) => {
    const id = ++next;
    return withDeadline(
      new Promise<Answer<R, K>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args } satisfies Request);
      }),
      spec.deadlinesMs[op],
      `${spec.name} to answer ${op}`,
    );
  };
  return {
    pid: child.pid!,
    ready: started.ready,
    ask,
    stop: () =>
      ask('stop', ...([] as unknown as Parameters<R['stop']>)).finally(() =>
        withDeadline(exited, 30_000, `${spec.name} to exit`).catch(() => child.kill('SIGKILL')),
      ),
  };
}

export interface Served<R extends Requests, Ready> {
  readonly ready: Ready;
  readonly handlers: { readonly [K in keyof R]: (...args: Parameters<R[K]>) => Promise<Answer<R, K>> };
  /** What to do when the parent goes away: stop the part, without answering anyone. */
  readonly orphaned: () => Promise<unknown>;
}

/**
 * In the child module: `if (require.main === module) serveParent(start)`. Does nothing unless the module was
 * forked by forkChild; `start` gets the options the parent gave.
 */
export function serveParent<R extends Requests, Ready, Options = unknown>(
  start: (options: Options) => Promise<Served<R, Ready>>,
): void {
  if (process.argv[2] !== SERVE || !process.send) return;
  const send = (message: Started<Ready> | Reply) =>
    new Promise<void>((resolve) => process.send!(message, undefined, {}, () => resolve()));
  void (async () => {
    let served: Served<R, Ready>;
    try {
      served = await start(JSON.parse(process.argv[3] ?? '{}') as Options);
    } catch (err) {
      await send({ type: 'failed', error: (err as Error).message });
      process.exit(1);
    }
    // Without its parent nobody reads or stops it: stop, and go.
    const orphaned = () => void served.orphaned().finally(() => process.exit(1));
    process.once('disconnect', orphaned);
    process.on('message', (m: Request) => {
      const handle = served.handlers[m.op] as ((...args: unknown[]) => Promise<unknown>) | undefined;
      if (!handle) return void send({ id: m.id, error: `no request ${m.op}` });
      void handle(...m.args).then(
        async (value) => {
          if (m.op === 'stop') process.off('disconnect', orphaned);
          await send({ id: m.id, value });
          if (m.op === 'stop') process.exit(0);
        },
        (err: Error) => void send({ id: m.id, error: err.message }),
      );
    });
    await send({ type: 'ready', ready: served.ready });
  })();
}
