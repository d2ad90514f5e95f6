/**
 * The small HTTP vocabulary the sandboxes share: a parsed request, a response value, JSON error bodies in the
 * `{ "error": "...", "message": "..." }` shape every sandbox answers with.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface SandboxRequest {
  readonly method: string;
  /** Path below the vendor prefix, e.g. `/api/v2/users/u1` for `/genesys/api/v2/users/u1`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** Route parameters (`:name` segments). */
  readonly params: Readonly<Record<string, string>>;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless undefined (e.g. 204). */
  body?: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, body, headers };
}

export function errorResponse(
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): SandboxResponse {
  return { status, body: { error, message, status, ...extra }, headers };
}

export const notFound = (message: string): SandboxResponse => errorResponse(404, 'not.found', message);
export const badRequest = (message: string, extra: Record<string, unknown> = {}): SandboxResponse =>
  errorResponse(400, 'bad.request', message, extra);

/** A request body that is not what the endpoint accepts; thrown by `parseJsonBody` and route handlers. */
export class RequestRejected extends Error {
  constructor(readonly response: SandboxResponse) {
    super(typeof response.body === 'object' ? JSON.stringify(response.body) : String(response.status));
  }
}

export function parseJsonBody(req: SandboxRequest): unknown {
  if (req.rawBody.trim() === '') throw new RequestRejected(badRequest('Request body is required'));
  try {
    return JSON.parse(req.rawBody) as unknown;
  } catch {
    throw new RequestRejected(badRequest('Request body is not valid JSON'));
  }
}

export function parseJsonObject(req: SandboxRequest): Record<string, unknown> {
  const body = parseJsonBody(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestRejected(badRequest('Request body must be a JSON object'));
  }
  return body as Record<string, unknown>;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const CODES: Record<number, string> = {
  400: 'bad.request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not.found',
  408: 'request.timeout',
  409: 'conflict',
  422: 'unprocessable.entity',
  423: 'locked',
  429: 'too.many.requests',
  500: 'internal.server.error',
  502: 'bad.gateway',
  503: 'service.unavailable',
  504: 'gateway.timeout',
};

export function errorCodeForStatus(status: number): string {
  return CODES[status] ?? `http.${status}`;
}
