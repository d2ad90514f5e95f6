import { rmSync } from 'node:fs';
import { withDeadline } from '../../local/net';
import type { LocalRuntime } from '../../local/runtime';
import { e2eInfoFile } from '../helpers/local';

export default async function globalTeardown(): Promise<void> {
  const runtime = (globalThis as { __wfmRuntime?: LocalRuntime }).__wfmRuntime;
  try {
    if (runtime)
      await withDeadline(runtime.stop(), 90_000, 'the local runtime to stop (e2e global teardown)');
  } finally {
    rmSync(e2eInfoFile(process.pid), { force: true });
  }
}
