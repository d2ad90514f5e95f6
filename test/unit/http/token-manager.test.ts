import { TokenManager } from '../../../shared/http/token-manager';
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
