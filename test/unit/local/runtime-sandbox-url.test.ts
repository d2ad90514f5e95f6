/**
 * The local runtime with vendor sandboxes it did not start (`sandboxUrl`, WFM_SANDBOX_URL): sandboxes that do not
 * answer are said before anything starts. (The soak runs the runtime this way: bench/soak.bench.ts.)
 */
import { createServer, type Server } from 'node:http';
import { freePort } from '../../../local/net';
import { startLocalRuntime } from '../../../local/runtime';

const listening = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );

describe('startLocalRuntime with sandboxUrl', () => {
  it('refuses to start when nothing answers there, and says how to fix it', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(startLocalRuntime({ sandboxUrl: url, log: () => {} })).rejects.toThrow(
      `No vendor sandboxes answer at ${url}/health (connect ECONNREFUSED 127.0.0.1:${url.split(':')[2]}): ` +
        'start them (npm run sandbox) or unset WFM_SANDBOX_URL',
    );
  });

  it('refuses sandboxes whose health check fails', async () => {
    const server = createServer((req, res) => res.writeHead(req.url === '/health' ? 503 : 404).end());
    const url = await listening(server);
    try {
      await expect(startLocalRuntime({ sandboxUrl: `${url}/`, log: () => {} })).rejects.toThrow(
        `The vendor sandboxes at ${url}/ are not healthy: ${url}/health answered 503`,
      );
    } finally {
      server.close();
    }
  });
});
