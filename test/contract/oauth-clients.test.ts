/**
 * Issue 13, one OAuth client per workflow and vendor (docs/decisions/0013-oauth-client-per-workflow.md), against
 * the sandboxes with Genesys's revocation on: each function's vendor client, composed as its workflow composes it
 * (its client's credentials and scopes, the shared token in DynamoDB Local), asks its declared scopes and gets
 * them; a token of one workflow's client does not revoke another workflow's; a call outside the token's scopes is
 * refused as the vendor refuses it (Genesys 403, CXone 401), and a scope the client was never granted is refused
 * at the token endpoint (400 invalid_scope).
 */
import { LOCAL_VENDOR_CREDENTIALS, localClientCredentials } from '../../local/provision';
import { sandboxAdmin } from '../../local/sandboxes/admin-client';
import type { LoggedRequest } from '../../local/sandboxes/core/request-log';
import { startSandboxes, type RunningSandboxes } from '../../local/sandboxes/server';
import { InMemoryAgentStateStore } from '../../shared/adapters/aws/agent-state-store.fake';
import { CxoneBiddingAdapter } from '../../shared/adapters/cxone/bidding';
import { GenesysWemAdapter } from '../../shared/adapters/genesys/adherence';
import { GenesysSchedulingAdapter } from '../../shared/adapters/genesys/scheduling';
import { OverrideRejected } from '../../shared/domain/shift-overrides/ports';
import { PermanentFailure, RetryableFailure } from '../../shared/errors';
import { VendorHttpError } from '../../shared/http/types';
import { systemClock } from '../../shared/ports/clock';
import { composeVendorClient } from '../../shared/runtime/vendor-client';
import {
  functionsOf,
  oauthClients,
  oauthTokenCredentialsId,
  workflowFunction,
  WORKFLOWS,
  type OAuthClientDeclaration,
  type VendorName,
} from '../../shared/topology';
import { useDynamoDbLocal } from '../helpers/dynamodb-local';

const dynamo = useDynamoDbLocal();
let sandboxes: RunningSandboxes;
let tableName: string;

beforeAll(async () => {
  sandboxes = await startSandboxes({ port: 0, seed: false });
});
afterAll(() => sandboxes?.close());

beforeEach(async () => {
  sandboxes.reset();
  const relaxed = { ratePerSecond: 1000, burst: 1000 };
  sandboxes.vendors.genesys.configure({
    rateLimits: { general: relaxed, adherence: relaxed, oauth: relaxed },
  });
  sandboxes.vendors.cxone.configure({ rateLimits: { general: relaxed, oauth: relaxed } });
  sandboxes.vendors.rewards.configure({ rateLimits: { general: relaxed, oauth: relaxed } });
  tableName = await dynamo.table('State');
});

/** A vendor client as `buildVendorClient` composes it for a function with this declaration. */
function clientOf(
  vendor: VendorName,
  client: OAuthClientDeclaration,
  credentials = localClientCredentials(client.name),
) {
  const declared = WORKFLOWS.flatMap(functionsOf).find(
    (f) => f.declaration.vendor === vendor && f.declaration.oauthClient.name === client.name,
  )!.declaration;
  return composeVendorClient({
    vendor,
    baseUrl: sandboxes.urls[vendor],
    getCredentials: async () => credentials,
    credentialsId: oauthTokenCredentialsId(client),
    scopes: client.scopes,
    clock: systemClock,
    doc: dynamo.doc(),
    tableName,
    scale: 0.01,
    retry: declared.vendorClient?.retry,
  });
}

const clientOfFunction = (workflow: string, fn: string) => {
  const declared = workflowFunction(workflow, fn);
  return clientOf(declared.vendor, declared.oauthClient);
};

async function tokenRequests(vendor: VendorName): Promise<LoggedRequest[]> {
  const { requests } = await sandboxAdmin(sandboxes.urls[vendor]).requests({
    path: '/oauth/token',
    method: 'POST',
  });
  return requests;
}

async function rawToken(vendor: VendorName, clientId: string, scope?: string) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: LOCAL_VENDOR_CREDENTIALS.clientSecret,
    ...(scope !== undefined && { scope }),
  });
  const res = await fetch(`${sandboxes.urls[vendor]}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const call = async (vendor: VendorName, token: string, method: string, path: string, body?: unknown) =>
  (
    await fetch(`${sandboxes.urls[vendor]}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
  ).status;

const SHIFTS =
  '/api/v2/wfm/scheduling/shifts?userId=u-1&startTime=2026-05-15T00:00:00Z&endTime=2026-05-16T00:00:00Z';

describe('OAuth clients per workflow, at the sandboxes', () => {
  it.each(oauthClients().map((c) => [`${c.vendor}/${c.name}`, c] as const))(
    '%s: the token request sends its declared scopes, and the vendor grants exactly them',
    async (_name, client) => {
      const { tokens } = clientOf(client.vendor, client);
      await tokens.getToken();
      const [request] = await tokenRequests(client.vendor);
      const form = request!.body as Record<string, string>;
      expect(form.client_id).toBe(localClientCredentials(client.name).clientId);
      if (client.scopes.length === 0) expect(form).not.toHaveProperty('scope');
      else expect(form.scope).toBe(client.scopes.join(' '));
      expect(request!.status).toBe(200);
    },
  );

  it("a token for one workflow's Genesys client revokes none of another workflow's; a client's own next one does", async () => {
    const overrides = clientOfFunction('shift-overrides', 'processor');
    const adherence = clientOfFunction('adherence-sync', 'processor');
    const exportIngestion = clientOfFunction('reward-triggers', 'reward-export-ingestion');
    const overridesToken = await overrides.tokens.getToken();
    const adherenceToken = await adherence.tokens.getToken();
    await exportIngestion.tokens.getToken();

    expect(await call('genesys', overridesToken, 'GET', SHIFTS)).toBe(200);
    expect(await call('genesys', adherenceToken, 'GET', '/api/v2/wem/adherence/agents/a-1/state')).toBe(200);
    const state = await sandboxAdmin(sandboxes.urls.genesys).state<{ tokens: { invalidated: number } }>();
    expect(state.tokens.invalidated).toBe(0);

    // Spec 002's trap stays per client: a second token for shift-overrides' client revokes its first.
    const again = await rawToken('genesys', localClientCredentials('shift-overrides').clientId);
    expect(again.status).toBe(200);
    expect(await call('genesys', overridesToken, 'GET', SHIFTS)).toBe(401);
    expect(await call('genesys', adherenceToken, 'GET', '/api/v2/wem/adherence/agents/a-1/state')).toBe(200);
  });

  it('each workflow keeps one shared token item of its own in the State table', async () => {
    const a = clientOfFunction('adherence-sync', 'processor');
    const b = clientOfFunction('adherence-sync', 'adherence-reconciliation');
    const c = clientOfFunction('shift-overrides', 'processor');
    expect(await a.tokens.getToken()).toBe(await b.tokens.getToken());
    expect(await c.tokens.getToken()).not.toBe(await a.tokens.getToken());
    expect(await tokenRequests('genesys')).toHaveLength(2);
  });

  it('Genesys answers 403 to a call outside the token scopes; the adapters fail the record for good', async () => {
    const overrides = clientOfFunction('shift-overrides', 'processor');
    const adherence = clientOfFunction('adherence-sync', 'processor');
    const exportIngestion = clientOfFunction('reward-triggers', 'reward-export-ingestion');

    // shift-overrides' client pushing adherence: Genesys's 403, not retried, not redelivered.
    const push = overrides.http.request({
      method: 'POST',
      path: '/api/v2/wem/adherence/agents/a-1/adherence-events',
      body: {},
    });
    await expect(push).rejects.toBeInstanceOf(VendorHttpError);
    await expect(push).rejects.toMatchObject({
      status: 403,
      transient: false,
      body: { error: 'missing.any.scopes', requiredScopes: ['wem:adherence:edit'] },
    });

    // The WEM adapter on shift-overrides' client: VENDOR_REJECTED, the 403 and its message in the detail.
    const wem = new GenesysWemAdapter(
      overrides.http,
      overrides.http,
      systemClock,
      new InMemoryAgentStateStore(),
    );
    const dashboard = wem.dashboard('a-1');
    await expect(dashboard).rejects.toBeInstanceOf(PermanentFailure);
    await expect(dashboard).rejects.toMatchObject({ reason: 'VENDOR_REJECTED', message: /^WEM 403: / });

    // The scheduling adapter on adherence-sync's or the export ingestion's client: refused the same way
    // (OverrideRejected, which shift-overrides dead-letters as VENDOR_REJECTED).
    for (const { http } of [adherence, exportIngestion]) {
      const scheduling = new GenesysSchedulingAdapter(http, systemClock);
      const read = scheduling.reasonCodeIds();
      await expect(read).rejects.toBeInstanceOf(OverrideRejected);
      await expect(read).rejects.toMatchObject({ status: 403, message: /^Genesys 403: / });
    }
    const refused = (await sandboxAdmin(sandboxes.urls.genesys).requests({ status: 403 })).requests;
    expect(refused.map((r) => r.authFailure)).toEqual(['scope', 'scope', 'scope', 'scope']);
  });

  it('CXone answers 401 to a call outside the token scopes; after its one refresh the action is refused', async () => {
    // A token of the catch-all client narrowed to one scope, as an under-granted service account would hold.
    const narrowed: OAuthClientDeclaration = { name: 'shift-bids', scopes: ['wfm:site:read'] };
    const bids = clientOf('cxone', narrowed, LOCAL_VENDOR_CREDENTIALS);
    const adapter = new CxoneBiddingAdapter(bids.http);
    const outcome = await adapter.act({
      requestId: 'bidding_req_scope',
      action: 'APPROVE',
      reason: 'scope test',
      metadata: {},
    } as unknown as Parameters<CxoneBiddingAdapter['act']>[0]);
    expect(outcome).toMatchObject({ kind: 'refused', httpStatus: 401, reason: /^CXone 401: / });
    const refused = (await sandboxAdmin(sandboxes.urls.cxone).requests({ status: 401 })).requests;
    expect(refused).toHaveLength(2);
    expect(refused.every((r) => r.authFailure === 'scope')).toBe(true);
    expect(await tokenRequests('cxone')).toHaveLength(2);

    // shift-bids' own client holds the scope the action needs.
    const own = clientOfFunction('shift-bids', 'processor');
    expect(await call('cxone', await own.tokens.getToken(), 'GET', '/api/wfm/v2/sites')).toBe(200);
  });

  it('a scope the client was never granted is refused at the token endpoint with 400 invalid_scope', async () => {
    const asked = await rawToken(
      'genesys',
      localClientCredentials('adherence-sync').clientId,
      'wem:adherence:edit wfm:scheduling:override:write',
    );
    expect(asked).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(
      (await rawToken('cxone', localClientCredentials('shift-bids').clientId, 'wfm:bidding:read')).status,
    ).toBe(400);

    // Through the workflow's client: transient (fixing the grant at the vendor lets a redelivery through), the
    // OAuth error named in the record's failure detail.
    const overAsking = clientOf('genesys', {
      name: 'adherence-sync',
      scopes: ['wem:adherence:edit', 'wfm:scheduling:override:write'],
    });
    const wem = new GenesysWemAdapter(
      overAsking.http,
      overAsking.http,
      systemClock,
      new InMemoryAgentStateStore(),
    );
    const dashboard = wem.dashboard('a-1');
    await expect(dashboard).rejects.toBeInstanceOf(RetryableFailure);
    await expect(dashboard).rejects.toMatchObject({
      reason: 'VENDOR_UNAVAILABLE',
      message: /failed with 400 \(invalid_scope\)/,
    });
  });
});
