/**
 * Resident memory and CPU time of other processes on this machine (Linux /proc), for benchmarks that watch them
 * over time.
 */
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

/**
 * Clock ticks so far (Linux /proc): the machine's in all (every state of every CPU), those the host took from this
 * virtual machine for others (steal), and `pid`'s own (user and system). Two readings apart say what share of the
 * machine the host took and how busy the process was between them.
 */
export function cpuTicks(pid: number): { machine: number; stolen: number; process: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  let own = NaN;
  try {
    // After the command's closing parenthesis: state is field 3, utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    own = Number(fields[11]) + Number(fields[12]);
  } catch {
    // gone
  }
  return { machine: cpu.reduce((sum, n) => sum + n, 0), stolen: cpu[7] ?? NaN, process: own };
}
