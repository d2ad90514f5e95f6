/** Starts the local runtime once for the e2e project, on free ports, and tells the tests where it is. */
import { writeFileSync } from 'node:fs';
import { withDeadline } from '../../local/net';
import { startLocalRuntime } from '../../local/runtime';
import { e2eInfoFile } from '../helpers/local';
import { OutboundWitness } from '../helpers/leak-scan';

export default async function globalSetup(): Promise<void> {
  const runtime = await withDeadline(
    startLocalRuntime({
      port: 0,
      sandboxPort: 0,
      visibilityTimeoutSeconds: 4,
      timers: false,
      logLevel: process.env.WFM_LOG_LEVEL ?? 'ERROR',
      log: process.env.E2E_VERBOSE ? console.log : () => {},
    }),
    120_000,
    'the local runtime to start (e2e global setup)',
  );
  // The leak scan (global teardown) looks at every request the system makes to a vendor as it is made.
  const witness = new OutboundWitness();
  witness.watch(runtime.sandboxes!);
  Object.assign(globalThis, { __wfmRuntime: runtime, __wfmOutboundWitness: witness });
  writeFileSync(e2eInfoFile(process.pid), JSON.stringify(runtime.outputs));
}
