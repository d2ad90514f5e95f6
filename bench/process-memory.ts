/** Resident memory of other processes on this machine (Linux /proc), for benchmarks that watch it over time. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';

const MB = 1024 * 1024;

/** The process's resident set now (VmRSS), in MB; NaN once it is gone. */
export function rssMbOf(pid: number): number {
  try {
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return rss ? Math.round((Number(rss[1]) * 1024 * 10) / MB) / 10 : NaN;
  } catch {
    return NaN;
  }
}

/** The first process whose arguments satisfy `matches` (from /proc/<pid>/cmdline). */
export function findProcess(matches: (args: readonly string[]) => boolean): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (matches(args)) return Number(entry);
    } catch {
      // it ended meanwhile
    }
  }
  return undefined;
}

/** DynamoDB Local's JVM serving `endpoint` (the runtime starts it through local/parent-guard.sh). */
export function dynamoDbLocalPid(endpoint: string): number | undefined {
  const port = new URL(endpoint).port;
  return findProcess(
    (args) =>
      args[0]?.endsWith('java') === true &&
      args.includes('DynamoDBLocal.jar') &&
      args[args.indexOf('-port') + 1] === port,
  );
}

/**
 * A full collection in a JVM (`jcmd <pid> GC.run`, from the JDK), then what its heap holds, in MB: the sum of
 * the generations' `used` in `GC.heap_info`. Undefined without jcmd (a JRE only) or when the JVM does not answer.
 */
export async function collectJvmHeap(pid: number): Promise<number | undefined> {
  const jcmd = (command: string) => promisify(execFile)('jcmd', [String(pid), command], { timeout: 30_000 });
  try {
    await jcmd('GC.run');
    const { stdout: info } = await jcmd('GC.heap_info');
    const used = [...info.matchAll(/generation\s+total \d+K, used (\d+)K/g)].map((m) => Number(m[1]));
    return used.length ? Math.round((used.reduce((a, b) => a + b, 0) * 10) / 1024) / 10 : undefined;
  } catch {
    return undefined;
  }
}
