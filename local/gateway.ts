/**
 * API Gateway, locally: each request on a topology route becomes a REST proxy event for the same ingress
 * handler as AWS. Also the local control surface: /health, /_local/events, /_local/outputs,
 * /_local/topology, POST /_local/schedules/{id}/run and the test-only fault switches /_local/faults/crash and
 * /_local/faults/dynamodb.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export interface GatewayRoute {
  readonly method: string;
  readonly path: string;
}

export interface GatewayDeps {
  readonly routes: readonly GatewayRoute[];
  readonly invokeIngress: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  readonly health: () => { ready: boolean; components: Record<string, boolean> };
  readonly control: Record<string, (req: { url: URL; body: string; method: string }) => Promise<unknown>>;
  readonly stage: string;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body, null, 2));
};

export function toProxyEvent(
  req: IncomingMessage,
  url: URL,
  body: string,
  resource: string,
  stage: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    // As API Gateway's REST proxy event: `headers` holds a repeated header's last value, `multiValueHeaders` all.
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = Object.fromEntries(url.searchParams);
  const now = Date.now();
  return {
    resource,
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: req.method ?? 'GET',
      path: `/${stage}${url.pathname}`,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: resource,
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
      } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  };
}

export async function startGateway(deps: GatewayDeps, port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      if (url.pathname === '/health') {
        const h = deps.health();
        return json(res, h.ready ? 200 : 503, {
          status: h.ready ? 'ok' : 'starting',
          components: h.components,
        });
      }
      const route = deps.routes.find((r) => r.path === url.pathname);
      if (route) {
        if (req.method !== route.method)
          return json(res, 405, {
            error: 'method_not_allowed',
            message: `Use ${route.method} ${route.path}`,
          });
        let result: APIGatewayProxyResult;
        try {
          result = await deps.invokeIngress(toProxyEvent(req, url, body, route.path, deps.stage));
        } catch (err) {
          // API Gateway's answer when its Lambda integration fails: the caller learns nothing of the error, which
          // goes to the function's log in AWS and to this console here.
          process.stderr.write(
            `${route.method} ${route.path}: the ingress failed: ${(err as Error).message}\n`,
          );
          return json(res, 502, { message: 'Internal server error' });
        }
        res.writeHead(result.statusCode, (result.headers ?? {}) as Record<string, string>);
        return res.end(result.body);
      }
      const control = Object.entries(deps.control).find(([pattern]) =>
        matches(pattern, req.method ?? 'GET', url.pathname),
      );
      if (control) return json(res, 200, await control[1]({ url, body, method: req.method ?? 'GET' }));
      json(res, 404, {
        error: 'route_not_found',
        message: `No route ${req.method} ${url.pathname}. Webhook routes: ${deps.routes.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      });
    } catch (err) {
      json(res, 500, { error: 'local_runtime_error', message: (err as Error).message.split('\n')[0] });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** `GET /_local/schedules/:id/run`-style patterns: `METHOD /path/with/:params`. */
function matches(pattern: string, method: string, path: string): boolean {
  const [m, p] = pattern.split(' ');
  if (m !== method) return false;
  const re = new RegExp(`^${p!.replace(/:[a-zA-Z]+/g, '[^/]+')}$`);
  return re.test(path);
}
