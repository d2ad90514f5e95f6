/** Resident memory of other processes on this machine (Linux /proc), for benchmarks that watch it over time. */
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
