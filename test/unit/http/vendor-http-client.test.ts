import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenBucket } from '../../../shared/http/rate-limiter';
import { TokenManager } from '../../../shared/http/token-manager';
import { VendorHttpError } from '../../../shared/http/types';
import { createVendorHttpClient } from '../../../shared/http/vendor-http-client';
import { VirtualClock } from '../../helpers/virtual-clock';

/** A scripted vendor on 127.0.0.1: answers the next statuses in order, then 200. */
let server: Server;
let script: { status: number; headers?: Record<string, string> }[] = [];
let seen: { path: string; auth?: string }[] = [];
let tokensIssued = 0;
let baseUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/oauth/token') {
      tokensIssued++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ access_token: `t${tokensIssued}`, expires_in: 3600 }));
    }
    seen.push({ path: req.url!, auth: req.headers.authorization });
    const next = script.shift() ?? { status: 200 };
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(JSON.stringify({ ok: next.status < 300, status: next.status }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  script = [];
  seen = [];
  tokensIssued = 0;
});

function client() {
  const clock = new VirtualClock();
  const tokens = new TokenManager({
    tokenUrl: `${baseUrl}/oauth/token`,
    getCredentials: async () => ({ clientId: 'c', clientSecret: 's' }),
    clock,
  });
  const http = createVendorHttpClient({
    vendor: 'genesys',
    baseUrl,
    clock,
    tokens,
    limiter: new TokenBucket({ ratePerSecond: 1000, burst: 1000 }, clock),
    retry: { random: () => 1 },
  });
  return { clock, http, tokens };
}

describe('vendor HTTP client against a real HTTP server', () => {
  it('sends a bearer token and query, and returns parsed JSON', async () => {
    const { http } = client();
    const res = await http.request<{ ok: boolean }>({
      method: 'GET',
      path: '/api/x',
      query: { a: 1, b: undefined },
    });
    expect(res).toMatchObject({ status: 200, body: { ok: true }, attempts: 1 });
    expect(seen).toEqual([{ path: '/api/x?a=1', auth: 'Bearer t1' }]);
  });

  it('waits for Retry-After on 429 and keeps the rate-limit headers', async () => {
    const { http, clock } = client();
    script = [{ status: 429, headers: { 'retry-after': '2', 'x-ratelimit-remaining': '0' } }];
    const start = clock.now();
    const res = await http.request({ method: 'POST', path: '/api/y', body: { n: 1 } });
    expect(res.attempts).toBe(2);
    expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
    expect(http.lastRateLimitHeaders).toMatchObject({ 'retry-after': '2', 'x-ratelimit-remaining': '0' });
  });

  it('retries 503 three times, then fails with the status', async () => {
    const { http } = client();
    script = [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }];
    const err = await http.request({ method: 'GET', path: '/api/z' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorHttpError);
    expect(err).toMatchObject({ status: 503, attempts: 4 });
    expect((err as VendorHttpError).transient).toBe(true);
  });

  it('does not retry 400 or 404', async () => {
    for (const status of [400, 404]) {
      const { http } = client();
      script = [{ status }];
      await expect(http.request({ method: 'GET', path: '/api/q' })).rejects.toMatchObject({
        status,
        attempts: 1,
      });
    }
  });

  it('refreshes the token once on 401, retries once, then gives up', async () => {
    const { http } = client();
    script = [{ status: 401 }];
    const ok = await http.request({ method: 'GET', path: '/api/a' });
    expect(ok.status).toBe(200);
    expect(seen.map((s) => s.auth)).toEqual(['Bearer t1', 'Bearer t2']);
    script = [{ status: 401 }, { status: 401 }];
    const { http: second } = client();
    await expect(second.request({ method: 'GET', path: '/api/b' })).rejects.toMatchObject({ status: 401 });
  });

  it('treats a dropped connection as a network error and retries it', async () => {
    const { clock, tokens } = client();
    let calls = 0;
    const flaky = (async (url: URL, init: RequestInit) => {
      if (++calls === 1) throw new TypeError('fetch failed');
      return fetch(url, init);
    }) as unknown as typeof fetch;
    const http = createVendorHttpClient({
      vendor: 'genesys',
      baseUrl,
      clock,
      tokens,
      limiter: new TokenBucket({ ratePerSecond: 10, burst: 10 }, clock),
      fetch: flaky,
    });
    expect((await http.request({ method: 'GET', path: '/api/n' })).attempts).toBe(2);
  });
});
