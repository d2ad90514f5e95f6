/**
 * Runs a handler the way Lambda does: N concurrent instances (worker threads), each with its own module
 * state and its own environment, each serving one invocation at a time.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import type { FunctionDeclaration } from '../shared/topology';

const REPO_ROOT = resolve(__dirname, '..');
const BUNDLE_DIR = join(REPO_ROOT, '.local', 'bundles');
const bundles = new Map<string, Promise<string>>();

/**
 * Bundles a handler the way the CDK stack does (esbuild, @aws-sdk external, ESM entry points), once per run:
 * the instances load the same kind of artefact Lambda runs, and start in tens of milliseconds instead of
 * compiling TypeScript module by module.
 */
export function bundleHandler(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (!bundled) {
    const outfile = join(BUNDLE_DIR, `${entry.replace(/[/\\]/g, '_').replace(/\.ts$/, '')}.js`);
    mkdirSync(BUNDLE_DIR, { recursive: true });
    bundled = build({
      entryPoints: [join(REPO_ROOT, entry)],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      mainFields: ['module', 'main'],
      external: ['@aws-sdk/*'],
      sourcemap: 'inline',
      outfile,
      logLevel: 'silent',
    }).then(() => outfile);
    bundles.set(entry, bundled);
  }
  return bundled;
}

interface Instance {
  worker: Worker;
  busy: boolean;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class FunctionPool {
  private readonly instances: Instance[] = [];
  private readonly waiting: ((i: Instance) => void)[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  private constructor(readonly name: string) {}

  static async start(
    name: string,
    declaration: FunctionDeclaration,
    env: Record<string, string>,
    concurrency: number,
  ): Promise<FunctionPool> {
    const pool = new FunctionPool(name);
    await Promise.all(Array.from({ length: concurrency }, () => pool.spawn(declaration, env)));
    return pool;
  }

  private async spawn(declaration: FunctionDeclaration, env: Record<string, string>): Promise<void> {
    const worker = new Worker(join(__dirname, 'function-worker.cjs'), {
      env,
      execArgv: ['--enable-source-maps'],
      workerData: {
        entry: await bundleHandler(declaration.entry),
        functionName: this.name,
        timeoutMs: declaration.timeoutSeconds * 1000,
      },
    });
    await new Promise<void>((ready, fail) => {
      worker.once('error', fail);
      worker.once('message', (m: { type: string; error?: string }) =>
        m.type === 'ready' ? ready() : fail(new Error(`${this.name} failed to load: ${m.error}`)),
      );
    });
    const instance: Instance = { worker, busy: false };
    worker.on('message', (m: { id?: number; result?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      this.release(instance);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
    this.instances.push(instance);
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

  /** Invokes on a free instance (waiting for one if all are busy); rejects if the handler throws. */
  async invoke<T>(event: unknown): Promise<T> {
    const instance = await this.acquire();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      instance.worker.postMessage({ id, event });
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.worker.terminate()));
  }
}
