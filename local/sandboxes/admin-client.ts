/**
 * The admin surface of one vendor sandbox (DESIGN section 5), for tests, benchmarks and tools:
 * `sandboxAdmin('http://127.0.0.1:4010/genesys')`. A call the sandbox refuses throws with the method, URL,
 * status and body.
 */
import type { LoggedRequest, RequestFilter } from './core/request-log';

export interface RequestLogPage {
  /** Every logged request that matches the filter. */
  readonly count: number;
  /** The matching requests, oldest first (only the newest `limit` when a limit is given). */
  readonly requests: LoggedRequest[];
}

export interface SandboxAdmin {
  reset(options?: { seed?: boolean }): Promise<unknown>;
  /** Merges JSON entities into the sandbox state. */
  fixtures(entities: unknown): Promise<unknown>;
  /** Adds faults: `{ method, path, status, times, retryAfterSeconds, delayMs }` each. */
  faults(faults: readonly unknown[]): Promise<unknown>;
  clearFaults(): Promise<unknown>;
  config(patch: unknown): Promise<unknown>;
  /** Every token issued so far expires now; answers how many were still valid. */
  expireTokens(): Promise<{ expired: number }>;
  requests(filter?: RequestFilter): Promise<RequestLogPage>;
  /** The sandbox state; its shape is the vendor's, so the caller names it. */
  state<T = unknown>(): Promise<T>;
}

/** `vendorUrl` is the sandbox URL with the vendor prefix, e.g. `http://127.0.0.1:4010/genesys`. */
export function sandboxAdmin(vendorUrl: string): SandboxAdmin {
  const base = `${vendorUrl}/_admin`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const url = `${base}${path}`;
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    reset: (options) => call('POST', '/reset', options),
    fixtures: (entities) => call('POST', '/fixtures', entities),
    faults: (faults) => call('POST', '/faults', faults),
    clearFaults: () => call('DELETE', '/faults'),
    config: (patch) => call('POST', '/config', patch),
    expireTokens: () => call('POST', '/tokens/expire'),
    requests: (filter = {}) => call('GET', `/requests${queryString(filter)}`),
    state: <T>() => call<T>('GET', '/state'),
  };
}

function queryString(filter: RequestFilter): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter))
    if (value !== undefined) params.set(name, String(value));
  const query = params.toString();
  return query ? `?${query}` : '';
}
