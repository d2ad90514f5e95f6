/**
 * The local runtime as the benchmarks start and stop it. Started within a deadline, on free ports, schedules on
 * demand, functions logging at ERROR (options override any of these); every request the system makes to a vendor
 * sandbox is watched from the start (where the sandboxes run: in the runtime's process, or in their own,
 * bench/sandbox-process.ts). Stopped with the leak scan of issue 14, the e2e teardown's
 * (test/helpers/leak-scan.ts): tables, DLQs and domain events while the runtime is up, the outbound vendor
 * requests, then the log files this run wrote. The hit count is printed as a row (target 0), and the hits.
 */
import { LOCAL_LOG_DIR } from '../local/function-host';
import { withDeadline } from '../local/net';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../local/runtime';
import {
  leakReport,
  mergeScans,
  OutboundWitness,
  scanLogs,
  scanRuntime,
  type LeakScan,
} from '../test/helpers/leak-scan';

/** A leak scan, and why part of it could not be done (a failed part is reported, never hides a stop). */
export type BenchLeakScan = LeakScan & { readonly failure?: string };

const watched = new WeakMap<LocalRuntime, { witness?: OutboundWitness; startedAt: number }>();

export async function startBenchRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const startedAt = Date.now();
  const runtime = await withDeadline(
    startLocalRuntime({
      port: 0,
      sandboxPort: 0,
      timers: false,
      log: () => {},
      logLevel: 'ERROR',
      ...options,
    }),
    120_000,
    'the local runtime to start',
  );
  let witness: OutboundWitness | undefined;
  if (runtime.sandboxes) {
    witness = new OutboundWitness();
    witness.watch(runtime.sandboxes);
  }
  watched.set(runtime, { witness, startedAt });
  return runtime;
}

/** Scans, stops the runtime, scans its logs: the scan, not yet reported (reportLeakScan). */
export async function stopAndScanBenchRuntime(runtime: LocalRuntime): Promise<BenchLeakScan> {
  const { witness, startedAt } = watched.get(runtime) ?? {};
  const scans: LeakScan[] = [];
  let failure: string | undefined;
  try {
    scans.push(await withDeadline(scanRuntime(runtime), 120_000, 'the leak scan of tables, DLQs and events'));
  } catch (err) {
    failure = (err as Error).message;
  } finally {
    await withDeadline(runtime.stop(), 90_000, 'the local runtime to stop');
  }
  if (witness) scans.push(witness.scan());
  scans.push(scanLogs([LOCAL_LOG_DIR], startedAt));
  return { ...mergeScans(scans), ...(failure && { failure }) };
}

/** Prints the hit count as a row (target 0), and the hits. */
export function reportLeakScan(scan: BenchLeakScan): void {
  console.table([
    {
      figure: 'leak scan: PII or secret hits',
      value: scan.failure ? `scan failed: ${scan.failure}` : scan.hits.length,
      target: 0,
    },
  ]);
  console.log(leakReport(scan));
}

export async function stopBenchRuntime(runtime: LocalRuntime): Promise<BenchLeakScan> {
  const scan = await stopAndScanBenchRuntime(runtime);
  reportLeakScan(scan);
  return scan;
}
