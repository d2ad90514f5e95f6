/** `npm run sandbox`: the vendor sandboxes alone, on `WFM_SANDBOX_PORT` (default 4010), until Ctrl-C. */
import { DEFAULT_SANDBOX_PORT, startSandboxes } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.WFM_SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`WFM_SANDBOX_PORT must be a port number (got "${process.env.WFM_SANDBOX_PORT}")`);
  }
  const scale = Number(process.env.WFM_SANDBOX_SCALE ?? 1);
  // e.g. WFM_SANDBOX_CONFIG='{"genesys":{"invalidatePreviousToken":false}}'
  const config = process.env.WFM_SANDBOX_CONFIG
    ? (JSON.parse(process.env.WFM_SANDBOX_CONFIG) as Record<string, Record<string, unknown>>)
    : undefined;
  const sandboxes = await startSandboxes({ port, scale, ...(config && { config }) });
  const lines = [
    `Vendor sandboxes listening on ${sandboxes.url}`,
    ...Object.entries(sandboxes.urls).map(
      ([name, url]) =>
        `  ${name.padEnd(8)} ${url}   (token: POST ${url}/oauth/token, admin: ${url}/_admin/state)`,
    ),
    `  client credentials: client_id=wfm-bridge-local (every scope) or wfm-bridge-local-<workflow> (its spec's scopes), client_secret=local-client-secret`,
    `  try: curl -s -X POST ${sandboxes.urls.genesys}/oauth/token -d grant_type=client_credentials -d client_id=wfm-bridge-local -d client_secret=local-client-secret`,
    'Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandboxes`);
    sandboxes.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `Port ${process.env.WFM_SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT} is in use: set WFM_SANDBOX_PORT to a free port.`
      : err,
  );
  process.exit(1);
});
