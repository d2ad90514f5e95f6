/**
 * The CXone adapter on the HTTP client as the shift-bids processor composes it (its topology profile), against
 * the CXone sandbox: spec 003 section 3's retry table and its 401 "for scope issues".
 */
import type { SandboxAdmin } from '../../local/sandboxes/admin-client';
import { CxoneBiddingAdapter } from '../../shared/adapters/cxone/bidding';
import { RetryableFailure } from '../../shared/errors';
import { workflowByName } from '../../shared/topology';
import { useSandbox } from '../helpers/vendor-sandbox';

const profile = workflowByName('shift-bids')!.processor.vendorClient!;
const cxone = useSandbox('cxone', { seed: true, retry: profile.retry, timeouts: profile.timeouts });

const REQUEST = 'bidding_req_8f7a2c1d';
const ACTIONS = `/api/wfm/v2/bidding/requests/${REQUEST}/actions`;
const approve = {
  requestId: REQUEST,
  action: 'APPROVE' as const,
  reason: 'All checks passed',
  metadata: {
    approved_by: 'wfm-auto-engine',
    validation_timestamp: '2023-10-12T14:30:01Z',
    rule_version: 'v1',
  },
};

async function actionCalls(admin: SandboxAdmin) {
  const { requests } = await admin.requests();
  return requests.filter((r) => r.method === 'POST' && r.path === ACTIONS).map((r) => r.status);
}

describe('CXone client with the shift-bids profile, against the sandbox', () => {
  it("refuses the action on a 401 that a refreshed token gets again, with CXone's reason", async () => {
    const { admin, http } = await cxone.connect();
    const scope = { error: 'insufficient_scope', message: 'The token lacks the wfm.bidding.write scope' };
    await admin.faults([{ method: 'POST', path: ACTIONS, status: 401, times: 2, body: scope }]);
    const outcome = await new CxoneBiddingAdapter(http).act(approve);
    expect(outcome).toMatchObject({
      kind: 'refused',
      httpStatus: 401,
      attempts: 2,
      reason: 'CXone 401: The token lacks the wfm.bidding.write scope',
    });
    expect(await actionCalls(admin)).toEqual([401, 401]);
  });

  it('does not retry a 502: the workflow gets it at once, as transient', async () => {
    const { admin, http } = await cxone.connect();
    await admin.faults([{ method: 'POST', path: ACTIONS, status: 502, times: 1 }]);
    const err = await new CxoneBiddingAdapter(http).act(approve).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableFailure);
    expect(err).toMatchObject({ reason: 'VENDOR_UNAVAILABLE', detail: { httpStatus: 502, attempts: 1 } });
    expect(await actionCalls(admin)).toEqual([502]);
  });

  it('says CXone is unavailable (VENDOR_UNAVAILABLE) when an action gets 503 on all 3 attempts', async () => {
    const { admin, http } = await cxone.connect();
    await admin.faults([{ method: 'POST', path: ACTIONS, status: 503, times: 3 }]);
    const err = await new CxoneBiddingAdapter(http).act(approve).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableFailure);
    expect(err).toMatchObject({ reason: 'VENDOR_UNAVAILABLE', detail: { httpStatus: 503, attempts: 3 } });
    expect((err as Error).message).toMatch(new RegExp(`^CXone POST ${ACTIONS}: `));
    expect(await actionCalls(admin)).toEqual([503, 503, 503]);
  });

  it('retries a 503 and acts once it clears', async () => {
    const { admin, http } = await cxone.connect();
    await admin.faults([{ method: 'POST', path: ACTIONS, status: 503, times: 2 }]);
    const outcome = await new CxoneBiddingAdapter(http).act(approve);
    expect(outcome).toMatchObject({ kind: 'final', status: 'APPROVED', attempts: 3 });
    expect(await actionCalls(admin)).toEqual([503, 503, 200]);
  });
});
