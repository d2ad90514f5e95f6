import { TokenManager } from '../../../shared/http/token-manager';
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
