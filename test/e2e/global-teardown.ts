import { rmSync } from 'node:fs';
import { withDeadline } from '../../local/net';
import { LOCAL_LOG_DIR } from '../../local/function-host';
import type { LocalRuntime } from '../../local/runtime';
import { EDGE_HARNESS_LOG_DIR } from '../helpers/edge-harness';
import { e2eInfoFile } from '../helpers/local';
import {
  leakReport,
  mergeScans,
  scanLogs,
  scanRuntime,
  type LeakScan,
  type OutboundWitness,
} from '../helpers/leak-scan';

/**
 * Stops the runtime, after the leak scan (issue 14) has looked at everything the run produced. A hit fails the
 * run: jest reports a global teardown that throws and exits non-zero.
 */
export default async function globalTeardown(): Promise<void> {
  const { __wfmRuntime: runtime, __wfmOutboundWitness: witness } = globalThis as {
    __wfmRuntime?: LocalRuntime;
    __wfmOutboundWitness?: OutboundWitness;
  };
  const scans: LeakScan[] = [];
  // Issue 13: every State-table key a function touched fell under its dynamodb:LeadingKeys grant (the ingress:
  // only the replay guard's put and delete), and every message it sent went to a queue its sqs:SendMessage grant
  // names.
  const refused = runtime?.leadingKeyViolations() ?? [];
  const refusedSends = runtime?.sendMessageViolations() ?? [];
  try {
    if (runtime) {
      scans.push(
        await withDeadline(scanRuntime(runtime), 60_000, 'the leak scan of tables, DLQs and events'),
      );
      await withDeadline(runtime.stop(), 90_000, 'the local runtime to stop (e2e global teardown)');
    }
  } finally {
    rmSync(e2eInfoFile(process.pid), { force: true });
  }
  if (witness) scans.push(witness.scan());
  scans.push(scanLogs([LOCAL_LOG_DIR, EDGE_HARNESS_LOG_DIR]));
  const all = mergeScans(scans);
  const report = leakReport(all);
  if (all.hits.length) throw new Error(report);
  console.log(report);
  if (refused.length)
    throw new Error(
      `DynamoDB requests outside a function's grant (the State table's dynamodb:LeadingKeys, the ingress's nonce table):\n${refused
        .map((v) => `  ${v.fn} ${v.action}: ${v.reason}`)
        .join('\n')}`,
    );
  console.log("LeadingKeys guard: every DynamoDB request fell under its function's grant");
  if (refusedSends.length)
    throw new Error(
      `SQS requests outside a function's sqs:SendMessage grant:\n${refusedSends
        .map((v) => `  ${v.fn} ${v.action}: ${v.reason}`)
        .join('\n')}`,
    );
  console.log('SendMessage guard: every message a function sent went to a queue of its grant');
}
