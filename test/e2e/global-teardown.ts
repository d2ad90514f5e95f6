import { rmSync } from 'node:fs';
import type { LocalRuntime } from '../../local/runtime';
import { e2eInfoFile } from '../helpers/local';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __wfmRuntime?: LocalRuntime }).__wfmRuntime?.stop();
  rmSync(e2eInfoFile(process.pid), { force: true });
}
