import { InMemoryTokenStore } from '../../../shared/adapters/aws/dynamodb-token-store.fake';
import { TokenManager, type TokenManagerOptions } from '../../../shared/http/token-manager';
import { FakeClock } from '../../helpers/fake-clock';
import { VirtualClock } from '../../helpers/virtual-clock';

function setup(expiresIn = 3600) {
  const clock = new VirtualClock();
  let issued = 0;
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const fakeFetch = jest.fn(async () => {
    await gate;
    issued++;
    return new Response(JSON.stringify({ access_token: `token-${issued}`, expires_in: expiresIn }), {
      status: 200,
    });
  }) as unknown as typeof fetch;
  const tokens = new TokenManager({
    tokenUrl: 'http://127.0.0.1/oauth/token',
    getCredentials: async () => ({ clientId: 'id', clientSecret: 'secret' }),
    clock,
    refreshBeforeSeconds: 300,
    fetch: fakeFetch,
  });
  const hold = () => {
    gate = new Promise((r) => (release = r));
  };
  return { clock, tokens, fakeFetch, hold, release: () => release() };
}

describe('TokenManager', () => {
  it('caches the token and refreshes 300 s before expiry, never per request', async () => {
    const { clock, tokens, fakeFetch } = setup();
    expect(await tokens.getToken()).toBe('token-1');
    clock.advance(3299_000);
    expect(await tokens.getToken()).toBe('token-1');
    clock.advance(1000);
    expect(await tokens.getToken()).toBe('token-2');
    expect(fakeFetch).toHaveBeenCalledTimes(2);
    expect(tokens.lastRefreshAt).toBe(clock.now());
  });

  it("sends the client's scopes space-separated as the form's `scope`, and no `scope` when it has none", async () => {
    const bodies: URLSearchParams[] = [];
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      bodies.push(new URLSearchParams(String(init.body)));
      return new Response(JSON.stringify({ access_token: 't', expires_in: 3600 }), { status: 200 });
    }) as unknown as typeof fetch;
    const manager = (scopes?: readonly string[]) =>
      new TokenManager({
        tokenUrl: 'http://127.0.0.1/oauth/token',
        getCredentials: async () => ({ clientId: 'id', clientSecret: 'secret' }),
        clock: new VirtualClock(),
        fetch: fakeFetch,
        ...(scopes && { scopes }),
      });
    await manager(['wem:adherence:view', 'wem:adherence:edit', 'wem:agent:view']).getToken();
    await manager([]).getToken();
    await manager().getToken();
    expect(bodies.map((b) => Object.fromEntries(b))).toEqual([
      {
        grant_type: 'client_credentials',
        client_id: 'id',
        client_secret: 'secret',
        scope: 'wem:adherence:view wem:adherence:edit wem:agent:view',
      },
      { grant_type: 'client_credentials', client_id: 'id', client_secret: 'secret' },
      { grant_type: 'client_credentials', client_id: 'id', client_secret: 'secret' },
    ]);
    // Space-separated (RFC 6749 3.3), form-encoded as `+`.
    expect(bodies[0]!.toString()).toContain(
      'scope=wem%3Aadherence%3Aview+wem%3Aadherence%3Aedit+wem%3Aagent%3Aview',
    );
  });

  it('names the OAuth error of a refused token request, and nothing else of its body', async () => {
    const tokens = new TokenManager({
      tokenUrl: 'http://127.0.0.1/oauth/token',
      getCredentials: async () => ({ clientId: 'id', clientSecret: 'secret' }),
      clock: new VirtualClock(),
      scopes: ['wfm:scheduling:override:write'],
      fetch: (async () =>
        new Response(
          JSON.stringify({
            error: 'invalid_scope',
            error_description: 'not granted: wfm:scheduling:override:write',
          }),
          { status: 400 },
        )) as unknown as typeof fetch,
      maxAttempts: 1,
    });
    const failed = await tokens.getToken().catch((err: Error) => err);
    expect((failed as Error).message).toBe(
      'Token request to http://127.0.0.1/oauth/token failed with 400 (invalid_scope)',
    );
  });

  it('serves 20 concurrent callers during a refresh with a single token request', async () => {
    const { tokens, fakeFetch, hold, release } = setup();
    hold();
    const callers = Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    await Promise.resolve();
    release();
    expect(new Set(await callers)).toEqual(new Set(['token-1']));
    expect(fakeFetch).toHaveBeenCalledTimes(1);
  });

  it('refreshes once when 20 callers report a 401 with the same token', async () => {
    const { tokens, fakeFetch } = setup();
    const stale = await tokens.getToken();
    for (let i = 0; i < 20; i++) tokens.invalidate(stale);
    const fresh = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    for (let i = 0; i < 20; i++) tokens.invalidate(stale); // late reports of the old token change nothing
    expect(new Set(fresh)).toEqual(new Set(['token-2']));
    expect(await tokens.getToken()).toBe('token-2');
    expect(fakeFetch).toHaveBeenCalledTimes(2);
  });

  it('reports every refresh with its duration (retries included) and, with a pause, holds callers after a 401', async () => {
    const clock = new FakeClock();
    const refreshes: { durationMs: number; ok: boolean }[] = [];
    let answers = [503, 200, 200];
    let issued = 0;
    const tokens = new TokenManager({
      tokenUrl: 'http://127.0.0.1/oauth/token',
      getCredentials: async () => ({ clientId: 'id', clientSecret: 'secret' }),
      clock,
      random: () => 1,
      retryBaseMs: 500,
      pauseAfterUnauthorizedMs: 5000,
      onRefresh: (r) => refreshes.push(r),
      fetch: (async () => {
        await clock.sleep(300); // the token endpoint's own latency
        const status = answers.shift() ?? 200;
        if (status !== 200) return new Response('{}', { status });
        return new Response(JSON.stringify({ access_token: `token-${++issued}`, expires_in: 3600 }));
      }) as unknown as typeof fetch,
    });
    expect(await clock.runUntilSettled(tokens.getToken())).toBe('token-1');
    // 300 ms, a 500 ms backoff, 300 ms again.
    expect(refreshes).toEqual([{ durationMs: 1100, ok: true }]);
    answers = [200];
    const rejectedAt = clock.now();
    tokens.invalidate('token-1');
    expect(tokens.pauseRemainingMs).toBe(5000);
    const after = await clock.runUntilSettled(tokens.getToken());
    expect(after).toBe('token-2');
    expect(clock.now()).toBe(rejectedAt + 5000);
    expect(refreshes).toEqual([
      { durationMs: 1100, ok: true },
      { durationMs: 300, ok: true },
    ]);
    // The pause is over: the next caller gets the token at once.
    const before = clock.now();
    expect(await clock.runUntilSettled(tokens.getToken())).toBe('token-2');
    expect(clock.now()).toBe(before);
  });

  it('sends client credentials form-encoded and reports a failed token request', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const tokens = new TokenManager({
      tokenUrl: 'http://127.0.0.1/oauth/token',
      getCredentials: async () => ({ clientId: 'id', clientSecret: 'wrong' }),
      clock,
      fetch: (async (_url: string, init: RequestInit) => {
        seen.push(String(init.body));
        return new Response('{"error":"invalid_client"}', { status: 401 });
      }) as unknown as typeof fetch,
    });
    await expect(tokens.getToken()).rejects.toThrow(/failed with 401/);
    expect(seen[0]).toBe('grant_type=client_credentials&client_id=id&client_secret=wrong');
  });
});

describe('TokenManager with short-lived tokens', () => {
  it('refreshes at half the lifetime when the lifetime is shorter than twice the refresh margin', async () => {
    const { clock, tokens, fakeFetch } = setup(60);
    await tokens.getToken();
    clock.advance(29_000);
    await tokens.getToken();
    expect(fakeFetch).toHaveBeenCalledTimes(1);
    clock.advance(1_000);
    expect(await tokens.getToken()).toBe('token-2');
  });
});

/** A token endpoint scripted per request: a status, or a token with its lifetime. */
function scripted(
  clock: FakeClock,
  answers: ({ status: number; retryAfter?: string } | { expiresIn: number })[],
) {
  const forced: boolean[] = [];
  let issued = 0;
  const fakeFetch = jest.fn(async () => {
    const next = answers.shift() ?? { expiresIn: 3600 };
    if ('status' in next)
      return new Response('{"error":"nope"}', {
        status: next.status,
        headers: next.retryAfter ? { 'retry-after': next.retryAfter } : {},
      });
    issued++;
    return new Response(JSON.stringify({ access_token: `token-${issued}`, expires_in: next.expiresIn }));
  }) as unknown as jest.Mock & typeof fetch;
  const tokens = new TokenManager({
    tokenUrl: 'http://127.0.0.1/oauth/token',
    getCredentials: async (req) => {
      forced.push(req?.forceFetch ?? false);
      return { clientId: 'id', clientSecret: 'secret' };
    },
    clock,
    refreshBeforeSeconds: 300,
    random: () => 1,
    fetch: fakeFetch,
  });
  return { tokens, fakeFetch, forced };
}

describe('TokenManager on a fake clock', () => {
  it('20 callers arriving when the token is due for refresh cause exactly one token request', async () => {
    const clock = new FakeClock();
    const { tokens, fakeFetch } = scripted(clock, []);
    expect(await tokens.getToken()).toBe('token-1');
    await clock.advance(3300_000);
    const callers = Array.from({ length: 20 }, () => tokens.getToken());
    expect(new Set(await Promise.all(callers))).toEqual(new Set(['token-2']));
    expect(fakeFetch).toHaveBeenCalledTimes(1 + 1);
    expect(tokens.refreshCount).toBe(2);
  });

  it('keeps serving the still-valid token when a refresh fails, and tries again 5 s later', async () => {
    const clock = new FakeClock();
    const { tokens, fakeFetch } = scripted(clock, [{ expiresIn: 3600 }, { status: 400 }]);
    await tokens.getToken();
    await clock.advance(3300_000);
    expect(await tokens.getToken()).toBe('token-1'); // refresh refused (400, not retried)
    expect(await tokens.getToken()).toBe('token-1'); // no new request within 5 s
    expect(fakeFetch).toHaveBeenCalledTimes(2);
    await clock.advance(5000);
    expect(await tokens.getToken()).toBe('token-2');
    expect(fakeFetch).toHaveBeenCalledTimes(3);
    expect(tokens.failedRequests).toBe(1);
  });

  it('fails when there is no valid token to fall back on', async () => {
    const clock = new FakeClock();
    const { tokens } = scripted(clock, [{ expiresIn: 60 }, { status: 403 }]);
    await tokens.getToken();
    await clock.advance(61_000);
    await expect(tokens.getToken()).rejects.toMatchObject({
      name: 'TokenRequestError',
      status: 403,
      transient: false,
    });
  });

  it('retries a failing token endpoint on the clock, honouring its Retry-After', async () => {
    const clock = new FakeClock();
    const { tokens, fakeFetch } = scripted(clock, [{ status: 503 }, { status: 429, retryAfter: '3' }]);
    const token = clock.runUntilSettled(tokens.getToken());
    expect(await token).toBe('token-1');
    expect(fakeFetch).toHaveBeenCalledTimes(3);
    expect(clock.sleeps).toEqual([500, 3000]); // backoff (random = 1), then the endpoint's Retry-After
  });

  it('gives up after three attempts with a transient error', async () => {
    const clock = new FakeClock();
    const { tokens } = scripted(clock, [{ status: 502 }, { status: 502 }, { status: 502 }]);
    await expect(clock.runUntilSettled(tokens.getToken())).rejects.toMatchObject({
      status: 502,
      transient: true,
    });
  });

  it('re-reads rotated credentials once, bypassing their cache, when the token endpoint answers 401', async () => {
    const clock = new FakeClock();
    const { tokens, forced } = scripted(clock, [{ status: 401 }]);
    expect(await tokens.getToken()).toBe('token-1');
    expect(forced).toEqual([false, true]);
  });

  it('reports a network failure of the token endpoint as status 0 and transient', async () => {
    const clock = new FakeClock();
    const tokens = new TokenManager({
      tokenUrl: 'http://127.0.0.1:9/oauth/token',
      getCredentials: async () => ({ clientId: 'id', clientSecret: 'secret' }),
      clock,
      maxAttempts: 1,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ status: 0, transient: true });
  });

  it('a 401 reported with a token already replaced during a refresh triggers no second refresh', async () => {
    const clock = new FakeClock();
    const { tokens, fakeFetch } = scripted(clock, []);
    const first = await tokens.getToken();
    tokens.invalidate(first);
    const refreshing = tokens.getToken();
    tokens.invalidate(first); // a late 401 of the same old token, while the refresh is in flight
    const second = await refreshing;
    tokens.invalidate(first);
    expect(await tokens.getToken()).toBe(second);
    expect(fakeFetch).toHaveBeenCalledTimes(2);
  });
});

/**
 * A token endpoint like spec 002's Genesys: each new token revokes the client's previous one. `check` is the
 * vendor's answer to a call made with a token.
 */
class RevokingVendor {
  readonly issued: string[] = [];
  private readonly expiry = new Map<string, number>();
  constructor(
    private readonly clock: FakeClock,
    private readonly lifetimeSeconds = 3600,
  ) {}

  /** The endpoint as one instance's fetch: `hang` never answers, `status` refuses every request. */
  endpoint(opts: { hang?: boolean; status?: number } = {}): jest.Mock & typeof fetch {
    return jest.fn(async () => {
      if (opts.hang) return new Promise<Response>(() => {});
      if (opts.status) return new Response('{"error":"nope"}', { status: opts.status });
      const value = `token-${this.issued.length + 1}`;
      this.issued.push(value);
      this.expiry.set(value, this.clock.now() + this.lifetimeSeconds * 1000);
      return new Response(JSON.stringify({ access_token: value, expires_in: this.lifetimeSeconds }));
    }) as unknown as jest.Mock & typeof fetch;
  }

  check(token: string): 200 | 401 {
    const latest = this.issued.at(-1);
    return token === latest && this.clock.now() < this.expiry.get(token)! ? 200 : 401;
  }
}

function instance(
  clock: FakeClock,
  store: InMemoryTokenStore,
  fetchImpl: typeof fetch,
  more: Partial<TokenManagerOptions> = {},
) {
  return new TokenManager({
    tokenUrl: 'http://127.0.0.1/oauth/token',
    getCredentials: async () => ({ clientId: 'id', clientSecret: 'secret' }),
    clock,
    refreshBeforeSeconds: 300,
    random: () => 1,
    store,
    fetch: fetchImpl,
    ...more,
  });
}

/** One vendor call as the HTTP client makes it: on a 401, report the token and try once more. */
async function call(tokens: TokenManager, vendor: RevokingVendor): Promise<200 | 401> {
  const token = await tokens.getToken();
  if (vendor.check(token) === 200) return 200;
  tokens.invalidate(token);
  return vendor.check(await tokens.getToken());
}

describe('TokenManager instances sharing one token store', () => {
  it('make one token request per refresh however many instances call, and none is refused', async () => {
    const clock = new FakeClock();
    const vendor = new RevokingVendor(clock);
    const store = new InMemoryTokenStore();
    const fetches = Array.from({ length: 6 }, () => vendor.endpoint());
    const instances = fetches.map((f) => instance(clock, store, f));
    const answers: number[] = [];
    // Instances that find another one refreshing with no token of their own poll the store on the clock.
    const burst = async () =>
      answers.push(
        ...(await clock.runUntilSettled(
          Promise.all(instances.flatMap((i) => [call(i, vendor), call(i, vendor)])),
        )),
      );
    await burst(); // cold start of every instance at once
    expect(vendor.issued).toHaveLength(1);
    // Five refresh periods (3300 s each), every instance calling throughout.
    for (let step = 0; step < 5 * 33; step++) {
      await clock.advance(100_000);
      await burst();
    }
    expect(vendor.issued).toHaveLength(1 + 5);
    expect(answers.every((a) => a === 200)).toBe(true);
    expect(fetches.reduce((n, f) => n + f.mock.calls.length, 0)).toBe(6);
    expect(new Set(await Promise.all(instances.map((i) => i.getToken())))).toEqual(new Set(['token-6']));
  });

  it('on a 401 with a token another instance replaced, reads the store instead of refreshing', async () => {
    const clock = new FakeClock();
    const vendor = new RevokingVendor(clock);
    const store = new InMemoryTokenStore();
    const [a, b] = [instance(clock, store, vendor.endpoint()), instance(clock, store, vendor.endpoint())];
    expect(await call(a, vendor)).toBe(200);
    expect(await call(b, vendor)).toBe(200);
    a.invalidate('token-1'); // the vendor refused token-1 to a: a replaces it, which revokes b's copy
    expect(await call(a, vendor)).toBe(200);
    const readsBefore = store.calls.read;
    expect(await call(b, vendor)).toBe(200); // 401 with token-1, then token-2 from the store
    expect(await b.getToken()).toBe('token-2');
    expect(vendor.issued).toEqual(['token-1', 'token-2']);
    expect(store.calls.read).toBe(readsBefore + 1);
    expect(store.calls.leasesTaken).toBe(2);
  });

  it("on a 401 during another instance's refresh, waits for its token instead of refreshing again", async () => {
    const clock = new FakeClock();
    const vendor = new RevokingVendor(clock, 60);
    const store = new InMemoryTokenStore();
    const issue = vendor.endpoint();
    let answerReached: Promise<void> = Promise.resolve();
    let deliver: () => void = () => {};
    const delayed = (async (...args: Parameters<typeof fetch>) => {
      const answer = await issue(...args); // the vendor has issued (and revoked the old token)...
      await answerReached; // ...but its answer is still on the way to the refresher
      return answer;
    }) as typeof fetch;
    const [a, b] = [instance(clock, store, delayed), instance(clock, store, vendor.endpoint())];
    expect(await a.getToken()).toBe('token-1');
    expect(await b.getToken()).toBe('token-1');
    await clock.advance(30_000); // half of 60 s: due
    answerReached = new Promise((r) => (deliver = r));
    const refreshing = a.getToken();
    await clock.advance(0);
    expect(vendor.issued).toEqual(['token-1', 'token-2']);
    expect(vendor.check('token-1')).toBe(401); // revoked, and the store still holds it
    b.invalidate('token-1');
    const leaseAttempts = store.calls.tryLease;
    const waiting = b.getToken();
    await clock.advance(600); // b polls the store while a holds the lease
    deliver();
    expect(await refreshing).toBe('token-2');
    expect(await clock.runUntilSettled(waiting)).toBe('token-2');
    expect(vendor.issued).toEqual(['token-1', 'token-2']);
    expect(store.calls.tryLease).toBe(leaseAttempts); // b never contested a's live lease
  });

  it('a refresher that dies holding the lease is superseded once the lease expires', async () => {
    const clock = new FakeClock();
    const vendor = new RevokingVendor(clock);
    const store = new InMemoryTokenStore();
    const dying = instance(clock, store, vendor.endpoint({ hang: true }), { refreshLeaseMs: 15_000 });
    const other = instance(clock, store, vendor.endpoint(), { refreshLeaseMs: 15_000 });
    void dying.getToken(); // takes the lease, then its token request never ends
    await clock.advance(0);
    expect((await store.read()).lease).toBeDefined();
    const started = clock.now();
    const waited = clock.runUntilSettled(other.getToken());
    expect(await waited).toBe('token-1');
    expect(clock.now() - started).toBeGreaterThan(15_000);
    expect(clock.now() - started).toBeLessThan(15_500);
    expect(vendor.issued).toEqual(['token-1']);
  });

  it('while a dead refresher holds the lease, the others keep the still-valid token and request none', async () => {
    const clock = new FakeClock();
    const vendor = new RevokingVendor(clock);
    const store = new InMemoryTokenStore();
    const first = instance(clock, store, vendor.endpoint());
    await first.getToken();
    await clock.advance(3300_000);
    const dying = instance(clock, store, vendor.endpoint({ hang: true }));
    void dying.getToken();
    await clock.advance(0);
    for (let s = 0; s < 14; s++) {
      expect(await call(first, vendor)).toBe(200);
      await clock.advance(1000);
    }
    expect(vendor.issued).toEqual(['token-1']);
    await clock.advance(1001);
    expect(await first.getToken()).toBe('token-2');
    expect(vendor.issued).toEqual(['token-1', 'token-2']);
  });

  it('a failed refresh frees the lease at once, so another instance can refresh', async () => {
    const clock = new FakeClock();
    const vendor = new RevokingVendor(clock);
    const store = new InMemoryTokenStore();
    const refusing = instance(clock, store, vendor.endpoint({ status: 400 }));
    const healthy = instance(clock, store, vendor.endpoint());
    await expect(refusing.getToken()).rejects.toMatchObject({ status: 400 });
    expect((await store.read()).lease).toBeUndefined();
    expect(await healthy.getToken()).toBe('token-1');
  });

  it('fails as transient when the store cannot be reached and no valid token is held', async () => {
    const clock = new FakeClock();
    const store = new InMemoryTokenStore();
    jest.spyOn(store, 'read').mockRejectedValue(new Error('ProvisionedThroughputExceeded'));
    const tokens = instance(clock, store, new RevokingVendor(clock).endpoint());
    await expect(tokens.getToken()).rejects.toMatchObject({ name: 'TokenRequestError', transient: true });
  });
});
