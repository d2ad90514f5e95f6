/**
 * A function's IAM grant, enforced locally (issue 13): a loopback proxy in front of an AWS emulator through which
 * every workflow function talks to that service, each on its own path (`/fn/<workflow>/<function id>`). A
 * JSON-protocol request its grant refuses is answered as IAM answers it (400 AccessDeniedException) and recorded,
 * so an e2e run fails on code whose calls the grant does not cover. Everything else is forwarded unchanged.
 * The grants: local/leading-keys-guard.ts (the State table's LeadingKeys, the ingress's replay-guard table),
 * local/send-message-guard.ts (queues).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The ingress's path through a guard: it is no workflow's function, and no workflow is named `ingress`. */
export const INGRESS_CALLER = { workflow: 'ingress', fnId: 'webhook' } as const;

export const isIngress = (workflow: string, fnId: string) =>
  workflow === INGRESS_CALLER.workflow && fnId === INGRESS_CALLER.fnId;

/** Why the grant of `workflow/fnId` refuses this request (its `X-Amz-Target` action and JSON body), or undefined. */
export type GrantCheck = (
  workflow: string,
  fnId: string,
  action: string,
  body: unknown,
) => string | undefined;

export interface Violation {
  readonly fn: string;
  readonly action: string;
  readonly reason: string;
}

export interface GrantGuard {
  /** The endpoint a function uses: its `AWS_ENDPOINT_URL_<SERVICE>`. */
  endpointFor(workflow: string, fnId: string): string;
  /** Every refused request since the start. */
  violations(): readonly Violation[];
  stop(): Promise<void>;
}

/** Starts the proxy in front of `target`, refusing what `check` refuses as `service:<action>` (IAM's wording). */
export async function startGrantGuard(
  target: string,
  service: string,
  check: GrantCheck,
): Promise<GrantGuard> {
  const upstream = new URL(target);
  const violations: Violation[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const [, workflow, fnId] = /^\/fn\/([^/]+)\/([^/]+)/.exec(req.url ?? '') ?? [];
      const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (workflow && fnId) {
        let reason: string | undefined;
        try {
          reason = check(workflow, fnId, action, JSON.parse(raw.toString('utf8')));
        } catch (err) {
          reason = `unreadable request: ${String(err)}`;
        }
        if (reason) {
          violations.push({ fn: `${workflow}/${fnId}`, action, reason });
          const body = JSON.stringify({
            __type: 'com.amazon.coral.service#AccessDeniedException',
            message: `${workflow}/${fnId} is not authorized to perform ${service}:${action} (${reason})`,
          });
          res.writeHead(400, {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
          return;
        }
      }
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: '/',
          headers: { ...req.headers, 'content-length': String(raw.length) },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpointFor: (workflow, fnId) => `http://127.0.0.1:${port}/fn/${workflow}/${fnId}`,
    violations: () => [...violations],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
