/** `npm start`: the whole system in the foreground; Ctrl-C stops every component. */
import { ROUTES, WORKFLOWS } from '../shared/topology';
import { watchLaunchChain } from './lifeline';
import { withDeadline } from './net';
import { startLocalRuntime } from './runtime';

async function main() {
  // Taken before startup: a launcher killed while the emulators start must still be noticed.
  let launcherLost: string | undefined;
  let onLauncherLost = (reason: string) => void (launcherLost = reason);
  watchLaunchChain((pid) => onLauncherLost(`process ${pid} that launched the runtime has exited`));
  console.log('wfm-bridge local runtime starting...');
  const runtime = await startLocalRuntime({ logLevel: process.env.WFM_LOG_LEVEL ?? 'INFO' });
  const { gateway, sandbox } = runtime.urls;
  const o = runtime.outputs;
  console.log(`
wfm-bridge is running on loopback (started in ${(runtime.startupMs / 1000).toFixed(1)} s)

  Gateway            ${gateway}
${ROUTES.map((r) => `    ${r.method} ${gateway}${r.path}`).join('\n')}
    GET  ${gateway}/health    GET ${gateway}/_local/events    GET ${gateway}/_local/outputs
    POST ${gateway}/_local/schedules/{${WORKFLOWS.flatMap((w) => w.schedules.map((s) => s.id)).join('|')}}/run
  Vendor sandboxes   ${sandbox}/genesys  ${sandbox}/cxone  ${sandbox}/rewards   (admin: {prefix}/_admin/...)
  DynamoDB Local     ${o.endpoints.dynamodb}
  SQS                ${o.endpoints.sqs}
  Secrets/Events     ${o.endpoints.secretsManager}
  Outputs            .local/outputs.json (read by: npm run dlq -- list --local)

Try it:  npm run send -- test/fixtures/webhooks/genesys-timeoff-approved.json
Ctrl-C stops everything.
`);
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${reason}: stopping...`);
    // Each component has its own deadline inside stop(); this one only guards against a bug in stop() itself.
    await withDeadline(runtime.stop(), 60_000, 'the runtime to stop').catch((err: Error) =>
      console.error(`${err.message}; exiting anyway`),
    );
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  onLauncherLost = (reason) => void shutdown(reason);
  if (launcherLost) void shutdown(launcherLost);
}

main().catch((err: Error) => {
  console.error(`wfm-bridge local runtime failed to start: ${err.message}`);
  process.exit(1);
});
