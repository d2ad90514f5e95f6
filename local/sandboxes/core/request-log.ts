/** The request log behind `GET {prefix}/_admin/requests`: what clients sent and what they were answered. */
import type { IncomingHttpHeaders } from 'node:http';
import { pathMatcher } from './faults';

export interface LoggedRequest {
  readonly seq: number;
  /** ISO time from the sandbox clock. */
  readonly at: string;
  readonly atMs: number;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** `authorization` (shortened), `content-type`, `idempotency-key` and every `x-*` header. */
  readonly headers: Record<string, string>;
  /** Parsed JSON, a parsed form (secrets masked), the raw text, or null. */
  readonly body: unknown;
  status: number;
  durationMs: number;
  /** `retry-after`, `retry-after-ms`, `x-ratelimit-*` and `idempotent-replayed` of the answer. */
  responseHeaders: Record<string, string>;
  responseBody?: unknown;
  fault?: { id: number; status?: number; delayMs?: number; dropConnection?: boolean; commitFirst?: boolean };
  rateLimited?: boolean;
  /** Why a bearer token was refused. */
  authFailure?: string;
}

export interface RequestFilter {
  path?: string;
  method?: string;
  status?: number;
  since?: number;
  limit?: number;
}

const MAX_ENTRIES = 100_000;
const RESPONSE_HEADERS = /^(retry-after|retry-after-ms|x-ratelimit-.*|idempotent-replayed)$/;
const SECRET_FIELDS = new Set(['client_secret', 'clientSecret', 'password']);

export function headersOfInterest(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (value === undefined) continue;
    if (name === 'authorization') out[name] = value.length > 18 ? `${value.slice(0, 18)}…` : value;
    else if (name === 'content-type' || name === 'idempotency-key' || name.startsWith('x-'))
      out[name] = value;
  }
  return out;
}

export function loggableBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return null;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const form: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(raw)) form[k] = SECRET_FIELDS.has(k) ? '***' : v;
    return form;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export function responseHeadersOfInterest(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (RESPONSE_HEADERS.test(name.toLowerCase())) out[name.toLowerCase()] = value;
  }
  return out;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  append(entry: Omit<LoggedRequest, 'seq'>): LoggedRequest {
    const logged: LoggedRequest = { seq: ++this.seq, ...entry };
    this.entries.push(logged);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    return logged;
  }

  clear(): void {
    this.entries = [];
  }

  query(filter: RequestFilter = {}): LoggedRequest[] {
    const matches = filter.path ? pathMatcher(filter.path) : undefined;
    const method = filter.method?.toUpperCase();
    const found = this.entries.filter(
      (e) =>
        (!matches || matches(e.path)) &&
        (!method || e.method === method) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.since === undefined || e.seq > filter.since),
    );
    return filter.limit !== undefined ? found.slice(-filter.limit) : found;
  }
}
