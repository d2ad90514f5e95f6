import { call, requestToken, startTestSandboxes, token, type TestSandboxes } from './helpers';

let t: TestSandboxes;
let genesys: string;
let cxone: string;

beforeAll(async () => {
  t = await startTestSandboxes();
  genesys = t.sb.urls.genesys;
  cxone = t.sb.urls.cxone;
});
afterAll(() => t.sb.close());
beforeEach(() => t.resetRelaxed());

const reasonCodes = (base: string, tok?: string) =>
  call(base, 'GET', '/api/v2/wfm/reasoncodes', { token: tok });

describe('OAuth client credentials', () => {
  it('issues a bearer token for the local client and accepts it', async () => {
    const res = await requestToken(genesys);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await reasonCodes(genesys, res.body.access_token)).status).toBe(200);
  });

  it('answers 401 invalid_client for a wrong secret and counts it', async () => {
    const res = await requestToken(genesys, 'not-the-secret');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    const state = await call(genesys, 'GET', '/_admin/state');
    expect(state.body.tokens).toMatchObject({ issued: 0, rejectedCredentials: 1 });
  });

  it('accepts HTTP Basic client authentication and rejects other grant types', async () => {
    const basic = Buffer.from('wfm-bridge-local:local-client-secret').toString('base64');
    const ok = await call(cxone, 'POST', '/oauth/token', {
      body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    });
    expect(ok.status).toBe(200);
    const wrongGrant = await call(cxone, 'POST', '/oauth/token', {
      body: 'grant_type=password',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    });
    expect(wrongGrant.status).toBe(400);
    expect(wrongGrant.body.error).toBe('unsupported_grant_type');
  });

  it('answers 401 without a token or with an unknown one', async () => {
    const missing = await reasonCodes(genesys);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: 'unauthorized', reason: 'missing' });
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const unknown = await reasonCodes(genesys, 'genesys-forged');
    expect(unknown.body.reason).toBe('unknown');
    // A token of one vendor means nothing to another.
    expect((await reasonCodes(genesys, await token(cxone))).status).toBe(401);
  });

  it('expires tokens after the configured lifetime', async () => {
    await call(genesys, 'POST', '/_admin/config', { body: { tokenTtlSeconds: 2 } });
    const res = await requestToken(genesys);
    expect(res.body.expires_in).toBe(2);
    t.clock.advance(1_999);
    expect((await reasonCodes(genesys, res.body.access_token)).status).toBe(200);
    t.clock.advance(1);
    const expired = await reasonCodes(genesys, res.body.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body.reason).toBe('expired');
  });

  it('expires every token issued so far on demand (_admin/tokens/expire), and issues fresh ones after', async () => {
    const before = await token(cxone);
    const expire = await call(cxone, 'POST', '/_admin/tokens/expire');
    expect(expire.body).toEqual({ expired: 1 });
    const answer = await call(cxone, 'GET', '/api/wfm/v2/schedule/locks', { token: before });
    expect(answer.status).toBe(401);
    expect(answer.body.reason).toBe('expired');
    const after = await call(cxone, 'GET', '/api/wfm/v2/schedule/locks', { token: await token(cxone) });
    expect(after.status).toBe(200);
  });

  it('genesys invalidates the previous token when a new one is issued (spec 002 trap); cxone does not', async () => {
    const first = await token(genesys);
    const second = await token(genesys);
    const old = await reasonCodes(genesys, first);
    expect(old.status).toBe(401);
    expect(old.body.reason).toBe('revoked');
    expect((await reasonCodes(genesys, second)).status).toBe(200);

    const c1 = await token(cxone);
    await token(cxone);
    expect((await call(cxone, 'GET', '/api/wfm/v2/schedule/locks', { token: c1 })).status).toBe(200);

    await call(genesys, 'POST', '/_admin/config', { body: { invalidatePreviousToken: false } });
    const a = await token(genesys);
    await token(genesys);
    expect((await reasonCodes(genesys, a)).status).toBe(200);

    const state = await call(genesys, 'GET', '/_admin/state');
    expect(state.body.tokens).toMatchObject({ issued: 4, invalidated: 1 });
    const issuances = await call(genesys, 'GET', '/_admin/requests?path=/oauth/token');
    expect(issuances.body.count).toBe(4);
    expect(issuances.body.requests[0].body.client_secret).toBe('***');
  });

  it('can reject a refresh that collides with the previous one (400 invalid_grant)', async () => {
    await call(genesys, 'POST', '/_admin/config', { body: { refreshCollisionWindowMs: 1000 } });
    expect((await requestToken(genesys)).status).toBe(200);
    const collision = await requestToken(genesys);
    expect(collision.status).toBe(400);
    expect(collision.body.error).toBe('invalid_grant');
    t.clock.advance(1000);
    expect((await requestToken(genesys)).status).toBe(200);
  });

  it('lets requireAuth be switched off', async () => {
    await call(genesys, 'POST', '/_admin/config', { body: { requireAuth: false } });
    expect((await reasonCodes(genesys)).status).toBe(200);
  });
});
