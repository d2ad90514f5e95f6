import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CircuitBreaker } from '../../../shared/http/circuit-breaker';
import { AdaptiveThrottle, TokenBucket } from '../../../shared/http/rate-limiter';
import { TokenManager } from '../../../shared/http/token-manager';
import { InProcessTokenStore } from '../../../shared/ports/token-store';
import { VendorHttpError } from '../../../shared/http/types';
import {
  createVendorHttpClient,
  DEFAULT_TIMEOUTS,
  type CallInfo,
  type VendorHttpClientOptions,
} from '../../../shared/http/vendor-http-client';
import { workflowByName } from '../../../shared/topology';
import { VirtualClock } from '../../helpers/virtual-clock';
import { FakeClock } from '../../helpers/fake-clock';

type Step =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { stall: 'headers' | 'body'; ms: number }
  | { drop: true };

/** A scripted vendor on 127.0.0.1: answers the next steps in order, then 200. */
let server: Server;
let script: Step[] = [];
let seen: { method: string; path: string; auth?: string; contentType?: string; body: string }[] = [];
let tokensIssued = 0;
let tokenScript: number[] = [];
let rejectToken: string | undefined;
/** Tokens the vendor no longer accepts (revoked or expired all at once). */
let rejectTokens = new Set<string>();
let baseUrl = '';
const open = new Set<ServerResponse>();

function answer(req: IncomingMessage, res: ServerResponse, body: string) {
  if (req.url === '/oauth/token') {
    const status = tokenScript.shift();
    if (status) {
      res.writeHead(status, { 'content-type': 'application/json' });
      return res.end('{"error":"server_error"}');
    }
    tokensIssued++;
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ access_token: `t${tokensIssued}`, expires_in: 3600 }));
  }
  seen.push({
    method: req.method!,
    path: req.url!,
    auth: req.headers.authorization,
    contentType: req.headers['content-type'],
    body,
  });
  const bearer = req.headers.authorization?.replace(/^Bearer /, '');
  if ((rejectToken && bearer === rejectToken) || (bearer && rejectTokens.has(bearer))) {
    res.writeHead(401, { 'content-type': 'application/json' });
    return res.end('{"message":"token revoked"}');
  }
  const next = script.shift() ?? { status: 200 };
  if ('drop' in next) return req.socket.destroy();
  if ('stall' in next) {
    open.add(res);
    const release = () => {
      open.delete(res);
      if (!res.writableEnded) res.end('"late"}');
    };
    if (next.stall === 'body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    }
    setTimeout(release, next.ms).unref();
    return;
  }
  res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
  res.end(
    JSON.stringify(next.body ?? { ok: next.status < 300, status: next.status, echo: body || undefined }),
  );
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => answer(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  script = [];
  seen = [];
  tokensIssued = 0;
  tokenScript = [];
  rejectToken = undefined;
  rejectTokens = new Set();
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

/** The same on the fake clock, with every call's info collected. */
function fakeClockClient(extra: Partial<VendorHttpClientOptions> = {}) {
  const clock = new FakeClock();
  return { clock, ...fakeClockClientOn(clock, extra) };
}

function fakeClockClientOn(clock: FakeClock, extra: Partial<VendorHttpClientOptions>) {
  const calls: CallInfo[] = [];
  const tokens = new TokenManager({
    tokenUrl: `${baseUrl}/oauth/token`,
    getCredentials: async () => ({ clientId: 'c', clientSecret: 's' }),
    clock,
    random: () => 1,
  });
  const http = createVendorHttpClient({
    vendor: 'genesys',
    baseUrl,
    clock,
    tokens,
    limiter: new TokenBucket({ ratePerSecond: 1000, burst: 1000 }, clock),
    retry: { random: () => 1 },
    onCall: (c) => calls.push(c),
    ...extra,
  });
  return { http, tokens, calls };
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
    expect(seen).toMatchObject([{ path: '/api/x?a=1', auth: 'Bearer t1' }]);
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

describe('vendor HTTP client on a fake clock', () => {
  it('waits for a Retry-After given as an HTTP-date, relative to the clock', async () => {
    const { clock, http, calls } = fakeClockClient();
    script = [{ status: 429, headers: { 'retry-after': new Date(clock.now() + 7000).toUTCString() } }];
    const start = clock.now();
    const res = await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/date' }));
    expect(res.attempts).toBe(2);
    expect(calls[1]!.dispatchedAt - start).toBeGreaterThanOrEqual(7000);
    expect(calls[1]!.dispatchedAt - start).toBeLessThan(8000);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[0]!.rateLimitHeaders).toEqual({ 'retry-after': expect.any(String) });
  });

  it('retries 502 and 504 with growing backoff, at most three times', async () => {
    const { clock, http } = fakeClockClient();
    script = [{ status: 502 }, { status: 504 }, { status: 502 }, { status: 504 }];
    const err = await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/gw' })).catch((e) => e);
    expect(err).toMatchObject({ name: 'VendorHttpError', status: 504, attempts: 4, transient: true });
    expect(clock.sleeps.filter((ms) => ms >= 1000)).toEqual([1000, 2000, 4000]);
  });

  it('a second 401 right after a refresh is reported as transient (token revoked by a peer)', async () => {
    const { clock, http } = fakeClockClient();
    script = [{ status: 401 }, { status: 401 }];
    const err = await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/r' })).catch((e) => e);
    expect(err).toMatchObject({ status: 401, attempts: 2, transient: true });
    expect(tokensIssued).toBe(2);
  });

  describe("with the shift-bids processor's CXone profile (spec 003 section 3)", () => {
    const profile = workflowByName('shift-bids')!.processor.vendorClient!;
    const cxoneClient = () =>
      fakeClockClient({ vendor: 'cxone', retry: { ...profile.retry, random: () => 1 } });

    it('retries 503 and 500 with backoff, three attempts at most', async () => {
      const { clock, http, calls } = cxoneClient();
      script = [{ status: 503 }, { status: 500 }, { status: 503 }];
      const err = await clock
        .runUntilSettled(http.request({ method: 'GET', path: '/api/s' }))
        .catch((e) => e);
      expect(err).toMatchObject({ name: 'VendorHttpError', status: 503, attempts: 3, transient: true });
      expect(calls.map((c) => c.status)).toEqual([503, 500, 503]);
      expect(clock.sleeps.filter((ms) => ms >= 1000)).toEqual([1000, 2000]);
    });

    it('does not retry 502 or 504: the workflow gets them at once', async () => {
      for (const status of [502, 504]) {
        const { clock, http, calls } = cxoneClient();
        script = [{ status }, { status: 200 }];
        const err = await clock
          .runUntilSettled(http.request({ method: 'GET', path: '/api/gw' }))
          .catch((e) => e);
        expect(err).toMatchObject({ name: 'VendorHttpError', status, attempts: 1 });
        expect(calls).toHaveLength(1);
        script = [];
      }
    });

    it('a newer stored token rejected too (every token expired at once) is replaced, not taken for a refresh', async () => {
      const clock = new FakeClock();
      const store = new InProcessTokenStore();
      const manager = () =>
        new TokenManager({
          tokenUrl: `${baseUrl}/oauth/token`,
          getCredentials: async () => ({ clientId: 'c', clientSecret: 's' }),
          clock,
          random: () => 1,
          store,
        });
      const mine = manager();
      const other = manager();
      expect(await clock.runUntilSettled(mine.getToken())).toBe('t1');
      // Another instance is answered 401 (t1 is revoked) and stores t2; this one still holds t1.
      other.invalidate(await clock.runUntilSettled(other.getToken()));
      expect(await clock.runUntilSettled(other.getToken())).toBe('t2');
      await clock.advance(1000);
      rejectTokens = new Set(['t1', 't2']); // then CXone expires every token issued so far
      const { http, calls } = fakeClockClientOn(clock, {
        vendor: 'cxone',
        tokens: mine,
        retry: { ...profile.retry, random: () => 1 },
      });
      const res = await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/all-expired' }));
      expect(res.attempts).toBe(3);
      expect(calls.map((c) => c.status)).toEqual([401, 401, 200]);
      expect(tokensIssued).toBe(3);
      expect(seen.map((r) => r.auth)).toEqual(['Bearer t1', 'Bearer t2', 'Bearer t3']);
    });

    it("fails a 401 after one refresh as permanent, with the vendor's reason", async () => {
      const { clock, http, calls } = cxoneClient();
      const refusal = { error: 'insufficient_scope', message: 'The token lacks the wfm.bidding.write scope' };
      script = [
        { status: 401, body: refusal },
        { status: 401, body: refusal },
      ];
      const err = await clock
        .runUntilSettled(http.request({ method: 'POST', path: '/api/act', body: {} }))
        .catch((e) => e);
      expect(err).toMatchObject({ status: 401, attempts: 2, transient: false, body: refusal });
      expect(err.message).toContain('The token lacks the wfm.bidding.write scope');
      expect(tokensIssued).toBe(2);
      expect(calls).toHaveLength(2);
    });
  });

  it('20 concurrent requests hitting 401 with the same token cause one refresh', async () => {
    const { clock, http, tokens } = fakeClockClient();
    await clock.runUntilSettled(tokens.getToken());
    rejectToken = 't1'; // the vendor revoked it
    const all = Promise.all(
      Array.from({ length: 20 }, (_, i) => http.request({ method: 'GET', path: `/api/c${i}` })),
    );
    const results = await clock.runUntilSettled(all);
    expect(results.every((r) => r.status === 200 && r.attempts === 2)).toBe(true);
    expect(tokensIssued).toBe(2);
    expect(seen.filter((s) => s.auth === 'Bearer t2')).toHaveLength(20);
  });

  describe('with a pause after a 401 (spec 003: CXone)', () => {
    function pausingClient(clock: FakeClock) {
      const refreshes: { at: number; durationMs: number }[] = [];
      const dispatched: { path: string; at: number; status: number | 'network' }[] = [];
      const tokens = new TokenManager({
        tokenUrl: `${baseUrl}/oauth/token`,
        getCredentials: async () => ({ clientId: 'c', clientSecret: 's' }),
        clock,
        pauseAfterUnauthorizedMs: 5000,
        onRefresh: (r) => refreshes.push({ at: clock.now(), durationMs: r.durationMs }),
      });
      const http = createVendorHttpClient({
        vendor: 'cxone',
        baseUrl,
        clock,
        tokens,
        limiter: new TokenBucket({ ratePerSecond: 1000, burst: 1000 }, clock),
        retry: { random: () => 1 },
        onCall: (c) => dispatched.push({ path: c.path, at: c.dispatchedAt, status: c.status }),
      });
      return { http, tokens, refreshes, dispatched };
    }

    it('refreshes once at once, then holds every request of the client 5 s before resuming', async () => {
      const clock = new FakeClock();
      const { http, tokens, refreshes, dispatched } = pausingClient(clock);
      await clock.runUntilSettled(tokens.getToken());
      const start = clock.now();
      rejectToken = 't1'; // the token expired on the vendor's side mid-burst
      const burst = Promise.all(
        Array.from({ length: 20 }, (_, i) => http.request({ method: 'GET', path: `/api/p${i}` })),
      );
      const results = await clock.runUntilSettled(burst);
      expect(results.every((r) => r.status === 200 && r.attempts === 2)).toBe(true);
      expect(tokensIssued).toBe(2);
      // The one refresh started straight after the 401, not after the pause (the fake clock may jump to the
      // pause's end while the loopback token request is in flight, so its start is what is compared).
      expect(refreshes).toHaveLength(2);
      expect(refreshes[1]!.at - refreshes[1]!.durationMs).toBe(start);
      const retries = dispatched.filter((d) => d.status === 200);
      expect(retries).toHaveLength(20);
      expect(Math.min(...retries.map((d) => d.at))).toBeGreaterThanOrEqual(start + 5000);
      // A request begun during the pause, never answered 401, waits for it too.
      rejectToken = undefined;
      const late = await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/late' }));
      expect(late.status).toBe(200);
    });

    it('a request started during the pause waits for its end', async () => {
      const clock = new FakeClock();
      const { http, tokens, dispatched } = pausingClient(clock);
      await clock.runUntilSettled(tokens.getToken());
      rejectToken = 't1';
      const start = clock.now();
      const first = http.request({ method: 'GET', path: '/api/first' });
      await clock.runUntilSettled(
        (async () => {
          while (!dispatched.some((d) => d.status === 401)) await new Promise((r) => setImmediate(r));
        })(),
      );
      await clock.advance(1000);
      const during = http.request({ method: 'GET', path: '/api/during' });
      await clock.runUntilSettled(Promise.all([first, during]));
      const duringCall = dispatched.find((d) => d.path === '/api/during')!;
      expect(duringCall).toMatchObject({ status: 200 });
      expect(duringCall.at).toBeGreaterThanOrEqual(start + 5000);
      expect(tokensIssued).toBe(2);
    });
  });

  it('20 concurrent requests while the token is due for refresh cause one token request', async () => {
    const { clock, http, tokens } = fakeClockClient();
    await clock.runUntilSettled(tokens.getToken());
    await clock.advance(3300_000);
    const all = Promise.all(
      Array.from({ length: 20 }, () => http.request({ method: 'GET', path: '/api/d' })),
    );
    await clock.runUntilSettled(all);
    expect(tokensIssued).toBe(2);
    expect(new Set(seen.map((s) => s.auth))).toEqual(new Set(['Bearer t2']));
  });

  it('a failing token endpoint is a transient VendorHttpError and does not leave the breaker stuck', async () => {
    const clock = new FakeClock();
    const shared = new CircuitBreaker({ clock, minCalls: 1, pauseMs: 5000 });
    const { http: guarded } = fakeClockClientOn(clock, { breaker: shared });
    shared.record(false);
    expect(shared.state).toBe('open');
    tokenScript = [500, 500, 500];
    const failed = await clock
      .runUntilSettled(guarded.request({ method: 'GET', path: '/api/t' }))
      .catch((e) => e);
    expect(failed).toMatchObject({ name: 'VendorHttpError', status: 500, transient: true });
    expect(shared.state).toBe('half-open');
    // The probe was handed back: the next request becomes the probe and closes the breaker.
    const ok = await clock.runUntilSettled(guarded.request({ method: 'GET', path: '/api/t' }));
    expect(ok.status).toBe(200);
    expect(shared.state).toBe('closed');
  });

  it('waits while the breaker is open instead of failing', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, minCalls: 5, pauseMs: 5000 });
    const { http, calls } = fakeClockClientOn(clock, { breaker, retry: { random: () => 0 } });
    script = Array.from({ length: 5 }, () => ({ status: 500 }));
    const failing = Array.from({ length: 5 }, () =>
      http.request({ method: 'GET', path: '/api/b', timeoutMs: 5000 }),
    );
    const later = http.request({ method: 'GET', path: '/api/b' });
    const results = await clock.runUntilSettled(Promise.all([...failing, later]));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const opened = calls.findIndex((c, i) => i > 0 && c.dispatchedAt - calls[0]!.dispatchedAt >= 5000);
    expect(opened).toBeGreaterThan(0); // calls after the five 500s went out only after the pause
    expect(breaker.state).toBe('closed');
  });

  it('times out waiting for headers, retries with a longer timeout, and reports the cause', async () => {
    const { clock, http, calls } = fakeClockClient({ timeouts: { connectMs: 20, responseHeadersMs: 60 } });
    script = [
      { stall: 'headers', ms: 2000 },
      { stall: 'headers', ms: 2000 },
      { stall: 'headers', ms: 2000 },
    ];
    const err = await clock
      .runUntilSettled(http.request({ method: 'GET', path: '/api/slow' }))
      .catch((e) => e);
    expect(err).toMatchObject({ name: 'VendorHttpError', status: 0, attempts: 3, transient: true });
    expect(calls.map((c) => c.error)).toEqual([
      'TimeoutError: no response headers within 80 ms',
      'TimeoutError: no response headers within 120 ms',
      'TimeoutError: no response headers within 180 ms',
    ]);
  });

  it('times out a body that stops arriving (read timeout), then succeeds on retry', async () => {
    const { clock, http, calls } = fakeClockClient({ timeouts: { connectMs: 50, bodyIdleMs: 80 } });
    script = [{ stall: 'body', ms: 2000 }];
    const res = await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/body' }));
    expect(res.attempts).toBe(2);
    expect(calls[0]!.error).toBe('TimeoutError: no body data within 80 ms');
  });

  it('keeps the default budgets: 3 s connect + 7 s headers, 7 s body idle, no whole-call deadline', () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ connectMs: 3000, responseHeadersMs: 7000, bodyIdleMs: 7000 });
  });

  describe('whole-call deadline (timeouts.totalMs)', () => {
    it('fails as a timeout instead of sleeping a retry wait that would end past it', async () => {
      const { clock, http, calls } = fakeClockClient({ timeouts: { totalMs: 500 } });
      script = [{ status: 503 }];
      const err = await clock
        .runUntilSettled(http.request({ method: 'GET', path: '/api/d' }))
        .catch((e) => e);
      expect(err).toMatchObject({ name: 'VendorHttpError', status: 0, attempts: 1, transient: true });
      expect(err.message).toMatch(/timed out: no result within its 500 ms deadline .*last: HTTP 503/);
      expect(err.cause).toMatchObject({ name: 'TimeoutError' });
      expect(calls).toHaveLength(1);
      expect(clock.sleeps).not.toContain(1000); // the 1 s backoff (random 1) was not slept
    });

    it('lets retries run while they fit before it', async () => {
      const { clock, http } = fakeClockClient({ timeouts: { totalMs: 5000 } });
      script = [{ status: 503 }];
      const res = await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/d' }));
      expect(res.attempts).toBe(2);
      expect(clock.sleeps).toContain(1000);
    });

    it('cuts an attempt that is still waiting when it passes, and does not retry', async () => {
      const { clock, http, calls } = fakeClockClient({
        timeouts: { connectMs: 1000, responseHeadersMs: 1000, totalMs: 60 },
      });
      script = [{ stall: 'headers', ms: 2000 }];
      const err = await clock
        .runUntilSettled(http.request({ method: 'GET', path: '/api/slow' }))
        .catch((e) => e);
      expect(err).toMatchObject({ status: 0, attempts: 1, transient: true });
      expect(calls.map((c) => c.error)).toEqual(['TimeoutError: the call did not finish within 60 ms']);
    });

    it('does not wait for a breaker that reopens after it', async () => {
      const clock = new FakeClock();
      const breaker = new CircuitBreaker({ clock, minCalls: 1, pauseMs: 5000 });
      breaker.record(false);
      expect(breaker.state).toBe('open');
      const { http } = fakeClockClientOn(clock, { breaker, timeouts: { totalMs: 1000 } });
      const err = await clock
        .runUntilSettled(http.request({ method: 'GET', path: '/api/b' }))
        .catch((e) => e);
      expect(err).toMatchObject({ status: 0, attempts: 0, transient: true });
      expect(err.message).toContain('circuit breaker open');
      expect(clock.sleeps).toEqual([]);
      expect(seen).toHaveLength(0);
    });
  });

  it('reports a connection reset as a network error with its cause', async () => {
    const { clock, http, calls } = fakeClockClient();
    script = [{ drop: true }];
    const res = await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/drop' }));
    expect(res.attempts).toBe(2);
    expect(calls[0]).toMatchObject({ status: 'network', error: expect.stringMatching(/fetch failed/) });
  });

  it('sends JSON bodies with the caller headers, the content type and the bearer token', async () => {
    const { clock, http } = fakeClockClient();
    const res = await clock.runUntilSettled(
      http.request<{ echo: string }>({
        method: 'POST',
        path: '/api/e',
        body: { agentId: 'a1', n: 2 },
        headers: { 'X-Request-Id': 'r-1', Authorization: 'Bearer caller-cannot-override' },
      }),
    );
    expect(JSON.parse(res.body.echo)).toEqual({ agentId: 'a1', n: 2 });
    expect(seen[0]).toMatchObject({ method: 'POST', auth: 'Bearer t1', contentType: 'application/json' });
  });

  it('engages the adaptive brake when 429s pass 10% and reports how long it held calls', async () => {
    const clock = new FakeClock();
    const throttle = new AdaptiveThrottle({ clock, minCalls: 5, random: () => 0 });
    const { http, calls } = fakeClockClientOn(clock, { adaptiveBackoff: throttle });
    script = [
      { status: 429, headers: { 'retry-after-ms': '10' } },
      { status: 200 },
      { status: 200 },
      { status: 200 },
    ];
    for (let i = 0; i < 4; i++) await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/a' }));
    // 5 calls, 1 of them 429 = 20% > 10%
    expect(http.throttle?.engaged).toBe(true);
    await clock.runUntilSettled(http.request({ method: 'GET', path: '/api/a' }));
    expect(calls.at(-1)!.throttledForMs).toBe(100 + 100);
  });
});
