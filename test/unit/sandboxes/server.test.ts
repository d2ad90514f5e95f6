import { startSandboxes } from '../../../local/sandboxes/server';
import { call, token } from './helpers';

describe('sandbox server', () => {
  it('serves health, routes per vendor, the seed fixtures, a global reset and a request log filter', async () => {
    const sb = await startSandboxes({ port: 0 });
    try {
      expect(sb.url).toBe(`http://127.0.0.1:${sb.port}`);
      expect((await call(sb.url, 'GET', '/health')).body.status).toBe('ok');
      expect((await call(sb.url, 'GET', '/nowhere')).status).toBe(404);

      const tok = await token(sb.urls.genesys);
      // Spec 001's example user and reason code are seeded.
      const user = await call(sb.urls.genesys, 'GET', '/api/v2/users/8f9e0d1c-2b3a-4567-8901-234567890abc', {
        token: tok,
      });
      expect(user.body.timezone).toBe('America/New_York');
      expect((await call(sb.urls.genesys, 'GET', '/api/v2/nothing', { token: tok })).status).toBe(404);
      expect((await call(sb.urls.genesys, 'PUT', '/api/v2/wfm/reasoncodes', { token: tok })).status).toBe(
        405,
      );
      expect(
        (
          await call(sb.urls.genesys, 'POST', '/api/v2/wfm/scheduling/overrides', {
            token: tok,
            body: '{nope',
          })
        ).status,
      ).toBe(400);

      const routes = await call(sb.urls.cxone, 'GET', '/_admin/routes');
      expect(routes.body.routes).toContainEqual({
        method: 'POST',
        pattern: '/api/wfm/v2/bidding/requests/:requestId/actions',
        bucket: 'general',
        scopes: ['wfm:bidding:write'],
      });

      const filtered = await call(sb.urls.genesys, 'GET', '/_admin/requests?path=/api/v2/users&method=GET');
      expect(filtered.body.count).toBe(1);
      expect(filtered.body.requests[0]).toMatchObject({
        method: 'GET',
        status: 200,
        headers: { authorization: expect.stringMatching(/^Bearer genesys-/) },
      });

      await call(sb.urls.genesys, 'POST', '/_admin/fixtures', {
        body: { users: [{ id: 'u2', timezone: 'Asia/Kolkata' }] },
      });
      expect((await call(sb.url, 'POST', '/_admin/reset')).status).toBe(200);
      const state = (await call(sb.urls.genesys, 'GET', '/_admin/state')).body;
      expect(state.users.map((u: { id: string }) => u.id)).toEqual(['8f9e0d1c-2b3a-4567-8901-234567890abc']);
      expect(state.tokens.issued).toBe(0);
      expect((await call(sb.urls.genesys, 'GET', '/_admin/requests')).body.count).toBe(0);

      await call(sb.urls.genesys, 'POST', '/_admin/reset', { body: { seed: false } });
      expect((await call(sb.urls.genesys, 'GET', '/_admin/state')).body.users).toEqual([]);
    } finally {
      await sb.close();
    }
  });

  it('scales refill rates and reports effective limits', async () => {
    const sb = await startSandboxes({ port: 0, scale: 10 });
    try {
      const config = (await call(sb.urls.genesys, 'GET', '/_admin/config')).body;
      expect(config.effectiveRateLimits.general).toEqual({ ratePerSecond: 50, burst: 5 });
      expect(config.rateLimits.adherence).toEqual({ ratePerSecond: 100, burst: 150 });
    } finally {
      await sb.close();
    }
  });

  it('takes per-vendor config defaults that survive a reset, and refuses invalid ones', async () => {
    const sb = await startSandboxes({
      port: 0,
      config: { genesys: { invalidatePreviousToken: false, tokenTtlSeconds: 60 } },
    });
    try {
      await call(sb.urls.genesys, 'POST', '/_admin/config', { body: { tokenTtlSeconds: 5 } });
      await call(sb.urls.genesys, 'POST', '/_admin/reset');
      const config = (await call(sb.urls.genesys, 'GET', '/_admin/config')).body;
      expect(config).toMatchObject({ invalidatePreviousToken: false, tokenTtlSeconds: 60 });
      expect((await call(sb.urls.cxone, 'GET', '/_admin/config')).body.tokenTtlSeconds).toBe(3600);
    } finally {
      await sb.close();
    }
    await expect(startSandboxes({ port: 0, config: { cxone: { tokenTtlSeconds: -1 } } })).rejects.toThrow(
      /Invalid sandbox config for cxone/,
    );
  });

  it('closes with requests still delayed by a fault', async () => {
    const sb = await startSandboxes({ port: 0 });
    sb.vendors.genesys.configure({ requireAuth: false });
    sb.vendors.genesys.addFaults([{ path: '/api', delayMs: 60_000 }]);
    const pending = fetch(`${sb.urls.genesys}/api/v2/wfm/reasoncodes`).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sb.close();
    expect(String(await pending)).toMatch(/fetch failed/);
  });
});
