import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * Runs `script` (`node -e`) in a fresh Node process from the repository root, with nothing of this process's
 * environment but PATH: a region, the SDK's Node-version warning off, then `env` (a function's own). Returns
 * its stdout. How the cold-start test and the ingress bench load a handler bundle as Lambda would.
 */
export function runInFreshNode(script: string, env: Readonly<Record<string, string | undefined>>): string {
  return execFileSync(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
}
