/**
 * One contract for the CXone bidding port (spec 003), run against the in-memory fake and against the real
 * adapter talking HTTP to the CXone sandbox (DESIGN section 3: every adapter paired with a fake of the same
 * behaviour).
 */
import { PermanentFailure, RetryableFailure } from '../../shared/errors';
import { CxoneBiddingAdapter } from '../../shared/adapters/cxone/bidding';
import { FakeCxoneBidding } from '../../shared/adapters/cxone/bidding.fake';
import {
  CxoneResponseInvalid,
  pendingRequests,
  rejectionsSince,
  type BidActionCommand,
  type BidActionOutcome,
  type CxoneAgent,
  type CxoneBidding,
  type CxoneShift,
  type ScheduleLock,
} from '../../shared/domain/shift-bids/ports';
import { VendorHttpError, type VendorHttpClient } from '../../shared/http/types';
import { useSandbox } from '../helpers/vendor-sandbox';

interface RequestFixture {
  requestId: string;
  siteId: string;
  agentId: string;
  shift: { id: string; date: string; startTime: string; endTime: string };
  bidType: string;
}

interface Fixture {
  shifts?: CxoneShift[];
  agents?: CxoneAgent[];
  requests?: RequestFixture[];
}

interface Subject {
  port: CxoneBidding;
  load(f: Fixture): Promise<void>;
  /** A supervisor resolves the request in the CXone UI. */
  supervisorResolves(requestId: string, status: 'APPROVED' | 'REJECTED'): Promise<void>;
  addLock(lock: ScheduleLock): Promise<void>;
  removeLock(lockId: string): Promise<void>;
  /** Actions answer 202 and stay pending until `settle`. */
  acceptActionsLater(): Promise<void>;
  settle(requestId: string, status?: 'APPROVED' | 'REJECTED'): Promise<void>;
  /** Actions CXone applied or accepted for the request (replays and refusals excluded). */
  actionsTaken(requestId: string): Promise<number>;
}

const cxone = useSandbox('cxone');

const subjects: [string, () => Promise<Subject>][] = [
  [
    'fake',
    async () => {
      const fake = new FakeCxoneBidding({ settleAfterMs: 60_000 });
      return {
        port: fake,
        load: async (f) => {
          for (const s of f.shifts ?? []) fake.shiftsById.set(s.id, s);
          for (const a of f.agents ?? []) fake.agents.set(a.id, a);
          for (const r of f.requests ?? [])
            fake.addRequest({
              ...r,
              status: 'PENDING',
              resolution: null,
              createdAt: null,
              expiresAt: null,
            });
        },
        supervisorResolves: async (id, status) => fake.resolveAs(id, status),
        addLock: async (lock) => {
          fake.locksById.set(lock.id, lock);
        },
        removeLock: async (id) => {
          fake.locksById.delete(id);
        },
        acceptActionsLater: async () => {
          fake.asyncActions = true;
        },
        settle: async (id, status) => fake.settle(id, status),
        actionsTaken: async (id) => fake.applied.filter((a) => a.requestId === id).length,
      };
    },
  ],
  [
    'adapter against the sandbox',
    async () => {
      const { admin, http } = await cxone.connect();
      await admin.reset({ seed: false });
      await cxone.connect(); // the reset restored the default rate limits
      // Two items a page, so every list the contract reads spans several pages.
      await admin.config({ pageSize: 2 });
      return {
        port: new CxoneBiddingAdapter(http),
        load: async (f) => {
          await admin.fixtures({
            shifts: f.shifts,
            agents: f.agents?.map((a) => ({
              ...a,
              name: a.name ?? undefined,
              skills: a.skills.map((id) => ({ id })),
            })),
            biddingRequests: f.requests?.map((r) => ({
              requestId: r.requestId,
              siteId: r.siteId,
              agent: { id: r.agentId },
              shift: r.shift,
              bid: { type: r.bidType },
            })),
          });
        },
        supervisorResolves: async (id, status) => {
          await admin.fixtures({
            biddingRequests: [
              {
                id,
                status,
                resolution: {
                  action: status === 'APPROVED' ? 'APPROVE' : 'REJECT',
                  reason: null,
                  by: 'supervisor',
                  at: new Date().toISOString(),
                },
              },
            ],
          });
        },
        addLock: async (lock) => {
          // The sandbox's fixtures leave unknown fields out rather than null.
          const present = Object.entries(lock).filter(([, value]) => value !== null);
          await admin.fixtures({ locks: [Object.fromEntries(present)] });
        },
        removeLock: async (id) => {
          await admin.fixtures({ remove: { locks: [id] } });
        },
        acceptActionsLater: async () => {
          await admin.config({ asyncActions: true, actionSettleMs: 60_000 });
        },
        settle: async (requestId, status) => {
          await admin.fixtures({ settleActions: [{ requestId, ...(status && { status }) }] });
        },
        actionsTaken: async (id) => {
          const state = await admin.state<{ actions: { requestId: string }[] }>();
          return state.actions.filter((a) => a.requestId === id).length;
        },
      };
    },
  ],
];

const SITE = 'site_nyc_01';
const REQUEST = 'bidding_req_8f7a2c1d';

const shift = (id: string, over: Partial<CxoneShift> = {}): CxoneShift => ({
  id,
  siteId: SITE,
  agentId: null,
  date: '2023-10-15',
  startTime: '08:00:00',
  endTime: '16:00:00',
  status: 'published',
  queueId: 'queue_billing_voice',
  requiredSkills: ['skill_billing_voice'],
  ...over,
});

const bid = (requestId: string, agentId: string, shiftId = 'shift_20231015_0800'): RequestFixture => ({
  requestId,
  siteId: SITE,
  agentId,
  shift: { id: shiftId, date: '2023-10-15', startTime: '08:00:00', endTime: '16:00:00' },
  bidType: 'swap',
});

/** Spec 003 section 3's example action. */
const approve = (requestId = REQUEST, over: Partial<BidActionCommand> = {}): BidActionCommand => ({
  requestId,
  action: 'APPROVE',
  reason: 'Auto-approved: Coverage threshold met, no schedule conflicts, agent approval rate within limits.',
  metadata: {
    approved_by: 'wfm-auto-engine',
    validation_timestamp: '2023-10-12T14:32:15Z',
    rule_version: 'v2.4.1',
  },
  ...over,
});

function expectKind<K extends BidActionOutcome['kind']>(
  outcome: BidActionOutcome,
  kind: K,
): Extract<BidActionOutcome, { kind: K }> {
  expect(outcome.kind).toBe(kind);
  return outcome as Extract<BidActionOutcome, { kind: K }>;
}

describe.each(subjects)('CXone bidding contract: %s', (_name, make) => {
  let subject: Subject;

  beforeEach(async () => {
    subject = await make();
    await subject.load({
      shifts: [
        shift('shift_20231015_0800'),
        shift('shift_20231015_1200', { agentId: 'agent_49202', startTime: '12:00:00', endTime: '20:00:00' }),
        shift('shift_20231015_2200', { startTime: '22:00:00', endTime: '06:00:00' }),
        shift('shift_20231016_0800', { date: '2023-10-16' }),
        shift('shift_20231016_1200', { date: '2023-10-16', startTime: '12:00:00', endTime: '20:00:00' }),
        shift('shift_20231016_draft', { date: '2023-10-16', status: 'draft' }),
        shift('shift_other_site', { siteId: 'site_lon_01' }),
      ],
      agents: [
        {
          id: 'agent_49201',
          siteId: SITE,
          name: 'Spec 003 agent',
          skills: ['skill_billing_voice', 'skill_english'],
          roles: ['agent'],
        },
        { id: 'agent_49202', siteId: SITE, name: null, skills: ['skill_english'], roles: ['agent'] },
      ],
      requests: [bid(REQUEST, 'agent_49201'), bid('bidding_req_rival', 'agent_49202')],
    });
  });

  describe('reads', () => {
    it('reads a bidding request in the domain terms, and null for an unknown one', async () => {
      expect(await subject.port.biddingRequest(REQUEST)).toMatchObject({
        requestId: REQUEST,
        siteId: SITE,
        agentId: 'agent_49201',
        shift: { id: 'shift_20231015_0800', date: '2023-10-15', startTime: '08:00:00', endTime: '16:00:00' },
        bidType: 'swap',
        status: 'PENDING',
        resolution: null,
        actionInProgress: null,
      });
      expect(await subject.port.biddingRequest('bidding_req_nope')).toBeNull();
    });

    it("reads an agent's skills and roles, and null for an unknown agent", async () => {
      expect(await subject.port.agent('agent_49201')).toEqual({
        id: 'agent_49201',
        siteId: SITE,
        name: 'Spec 003 agent',
        skills: ['skill_billing_voice', 'skill_english'],
        roles: ['agent'],
      });
      expect(await subject.port.agent('agent_nobody')).toBeNull();
    });

    it("reads every page of the site's published shifts for a date range, in order", async () => {
      const shifts = await subject.port.shifts({
        siteId: SITE,
        dateFrom: '2023-10-15',
        dateTo: '2023-10-16',
      });
      expect(shifts.map((s) => s.id)).toEqual([
        'shift_20231015_0800',
        'shift_20231015_1200',
        'shift_20231015_2200',
        'shift_20231016_0800',
        'shift_20231016_1200',
      ]);
      expect(shifts[2]).toMatchObject({ startTime: '22:00:00', endTime: '06:00:00', agentId: null });
      const withDrafts = await subject.port.shifts({
        siteId: SITE,
        dateFrom: '2023-10-16',
        dateTo: '2023-10-16',
        status: 'any',
      });
      expect(withDrafts.map((s) => s.id)).toContain('shift_20231016_draft');
    });

    it('lists pending requests changed since a watermark (the sweep), every page, oldest change first', async () => {
      const more = ['bidding_req_a', 'bidding_req_b', 'bidding_req_c'].map((id) => bid(id, 'agent_49201'));
      await subject.load({ requests: more });
      await subject.supervisorResolves('bidding_req_b', 'REJECTED');
      const pending = await pendingRequests(subject.port, '2000-01-01T00:00:00Z', SITE);
      expect(pending.map((r) => r.requestId).sort()).toEqual(
        [REQUEST, 'bidding_req_rival', 'bidding_req_a', 'bidding_req_c'].sort(),
      );
      const updated = pending.map((r) => Date.parse(r.updatedAt!));
      expect(updated).toEqual([...updated].sort((a, b) => a - b));
      expect(await pendingRequests(subject.port, '2999-01-01T00:00:00Z')).toEqual([]);
      const all = await subject.port.biddingRequests({ siteId: SITE });
      expect(all).toHaveLength(5);
    });

    it("lists an agent's rejections since a date (the approval-history check)", async () => {
      await subject.load({
        requests: [bid('bidding_req_old1', 'agent_49201'), bid('bidding_req_old2', 'agent_49201')],
      });
      await subject.supervisorResolves('bidding_req_old1', 'REJECTED');
      await subject.supervisorResolves('bidding_req_old2', 'APPROVED');
      const rejections = await rejectionsSince(subject.port, 'agent_49201', '2000-01-01T00:00:00Z');
      expect(rejections.map((r) => r.requestId)).toEqual(['bidding_req_old1']);
      expect(Number.isNaN(Date.parse(rejections[0]!.rejectedAt))).toBe(false);
      expect(await rejectionsSince(subject.port, 'agent_49202', '2000-01-01T00:00:00Z')).toEqual([]);
    });
  });

  describe('act', () => {
    it("approves with spec 003's idempotency key; the read-back and the schedule show it", async () => {
      const outcome = expectKind(await subject.port.act(approve()), 'final');
      expect(outcome).toMatchObject({
        status: 'APPROVED',
        httpStatus: 200,
        replayed: false,
        idempotencyKey: 'idem_bidding_8f7a2c1d_v1',
      });
      expect(outcome.cxoneRequestId).toMatch(/^req_[0-9a-f]{8}$/);
      expect(await subject.port.biddingRequest(REQUEST)).toMatchObject({
        status: 'APPROVED',
        resolution: { action: 'APPROVE', by: 'wfm-auto-engine' },
      });
      const [assigned] = await subject.port.shifts({
        siteId: SITE,
        dateFrom: '2023-10-15',
        dateTo: '2023-10-15',
      });
      expect(assigned).toMatchObject({ id: 'shift_20231015_0800', agentId: 'agent_49201' });
    });

    it('rejects with the reason', async () => {
      const outcome = await subject.port.act(
        approve(REQUEST, { action: 'REJECT', reason: 'Auto-rejected: x.' }),
      );
      expect(expectKind(outcome, 'final').status).toBe('REJECTED');
      expect((await subject.port.biddingRequest(REQUEST))?.resolution?.reason).toBe('Auto-rejected: x.');
    });

    it('replays the same action under the same key: the same answer, and no second action', async () => {
      const first = expectKind(await subject.port.act(approve()), 'final');
      const again = expectKind(await subject.port.act(approve()), 'final');
      expect(again).toMatchObject({
        status: first.status,
        idempotencyKey: first.idempotencyKey,
        replayed: true,
      });
      expect(await subject.actionsTaken(REQUEST)).toBe(1);
      // The same key for another action is refused, not applied.
      const other = expectKind(await subject.port.act(approve(REQUEST, { action: 'REJECT' })), 'refused');
      expect(other.httpStatus).toBe(422);
      expect(await subject.actionsTaken(REQUEST)).toBe(1);
    });

    it('answers a conflict after a supervisor acted, and the read-back shows their decision', async () => {
      await subject.supervisorResolves(REQUEST, 'APPROVED');
      const conflict = expectKind(await subject.port.act(approve()), 'conflict');
      expect(conflict).toMatchObject({ httpStatus: 409, currentStatus: 'APPROVED' });
      expect(conflict.vendorBody).toBeDefined();
      expect(await subject.port.biddingRequest(REQUEST)).toMatchObject({
        status: 'APPROVED',
        resolution: { by: 'supervisor' },
      });
      expect(await subject.actionsTaken(REQUEST)).toBe(0);
    });

    it('answers a conflict to a second approval for a shift already awarded (spec 003 edge case 1)', async () => {
      expectKind(await subject.port.act(approve()), 'final');
      const rival = expectKind(await subject.port.act(approve('bidding_req_rival')), 'conflict');
      expect(rival).toMatchObject({ currentStatus: 'PENDING', conflictingRequestId: REQUEST });
      expect(
        expectKind(await subject.port.act(approve('bidding_req_rival', { action: 'REJECT' })), 'final')
          .status,
      ).toBe('REJECTED');
    });

    it('answers locked with the lock while a publication holds the schedule, and acts once it is gone', async () => {
      const lock: ScheduleLock = {
        id: 'lock_publish_1',
        siteId: SITE,
        dateFrom: '2023-10-15',
        dateTo: '2023-10-21',
        operation: 'schedule.publish',
        acquiredAt: '2023-10-12T14:31:00Z',
        expiresAt: null,
      };
      await subject.addLock(lock);
      const locked = expectKind(await subject.port.act(approve()), 'locked');
      expect(locked).toMatchObject({ httpStatus: 423, lock: { id: 'lock_publish_1', siteId: SITE } });
      expect((await subject.port.locks(SITE)).map((l) => l.id)).toEqual(['lock_publish_1']);
      expect(await subject.port.locks('site_lon_01')).toEqual([]);
      await subject.removeLock('lock_publish_1');
      expect(await subject.port.locks(SITE)).toEqual([]);
      expect(expectKind(await subject.port.act(approve()), 'final').status).toBe('APPROVED');
    });

    it('refuses a malformed action (400) and an unknown request (404) with the vendor reason', async () => {
      const tooLong = expectKind(
        await subject.port.act(approve(REQUEST, { reason: 'x'.repeat(2001) })),
        'refused',
      );
      expect(tooLong.httpStatus).toBe(400);
      expect(tooLong.reason).toMatch(/^CXone 400: /);
      const unknown = expectKind(await subject.port.act(approve('bidding_req_nope')), 'refused');
      expect(unknown.httpStatus).toBe(404);
      expect(await subject.actionsTaken(REQUEST)).toBe(0);
    });

    it('answers accepted-not-final (202); the request reads PENDING until CXone settles it', async () => {
      await subject.acceptActionsLater();
      const accepted = expectKind(await subject.port.act(approve()), 'accepted');
      expect(accepted.httpStatus).toBe(202);
      expect(await subject.port.biddingRequest(REQUEST)).toMatchObject({
        status: 'PENDING',
        actionInProgress: { action: 'APPROVE' },
      });
      // A replay is the same 202; a new action meanwhile is a conflict, not a second action.
      expect(expectKind(await subject.port.act(approve()), 'accepted').replayed).toBe(true);
      expectKind(await subject.port.act(approve(REQUEST, { keyVersion: 2 })), 'conflict');
      expect(await subject.actionsTaken(REQUEST)).toBe(1);

      // CXone's own rules may decide otherwise: the read-back, not the 202, is the truth.
      await subject.settle(REQUEST, 'REJECTED');
      expect(await subject.port.biddingRequest(REQUEST)).toMatchObject({
        status: 'REJECTED',
        actionInProgress: null,
      });
    });
  });
});

describe('CXone bidding adapter: what the sandbox saw and what a vendor answered', () => {
  it("sends spec 003 section 3's headers and body", async () => {
    const { admin, http } = await cxone.connect();
    await admin.reset({ seed: true });
    await cxone.connect();
    const outcome = await new CxoneBiddingAdapter(http).act(
      approve(REQUEST, { cxoneRequestId: 'req_9c4f2a1b' }),
    );
    expect(outcome.kind).toBe('final');
    const { requests } = await admin.requests({
      method: 'POST',
      path: `/api/wfm/v2/bidding/requests/${REQUEST}/actions`,
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers).toMatchObject({
      'idempotency-key': 'idem_bidding_8f7a2c1d_v1',
      'x-cxone-request-id': 'req_9c4f2a1b',
      'content-type': 'application/json',
    });
    expect(requests[0]!.body).toEqual({
      action: 'APPROVE',
      reason:
        'Auto-approved: Coverage threshold met, no schedule conflicts, agent approval rate within limits.',
      metadata: {
        approved_by: 'wfm-auto-engine',
        validation_timestamp: '2023-10-12T14:32:15Z',
        rule_version: 'v2.4.1',
      },
    });
  });

  it('follows every page of a list (the sandbox answered several)', async () => {
    const { admin, http } = await cxone.connect();
    await admin.reset({ seed: false });
    await cxone.connect();
    await admin.config({ pageSize: 2 });
    await admin.fixtures({
      shifts: Array.from({ length: 5 }, (_, i) => shift(`shift_page_${i}`, { startTime: `0${i}:00:00` })),
    });
    const shifts = await new CxoneBiddingAdapter(http).shifts({
      siteId: SITE,
      dateFrom: '2023-10-15',
      dateTo: '2023-10-15',
    });
    expect(shifts.map((s) => s.id)).toEqual([0, 1, 2, 3, 4].map((i) => `shift_page_${i}`));
    expect((await admin.requests({ path: '/api/wfm/v2/schedule/shifts' })).count).toBe(3);
  });

  const answering = (body: unknown, status = 200): VendorHttpClient => ({
    request: async <T>() => ({ status, headers: {}, body: body as T, attempts: 1 }),
  });

  it('refuses a malformed vendor answer with a clear error naming the field', async () => {
    const bad = {
      requestId: REQUEST,
      siteId: SITE,
      agent: {},
      shift: { id: 's', date: '2023-10-15' },
      bid: { type: 'swap' },
    };
    await expect(new CxoneBiddingAdapter(answering(bad)).biddingRequest(REQUEST)).rejects.toThrow(
      CxoneResponseInvalid,
    );
    await expect(new CxoneBiddingAdapter(answering(bad)).biddingRequest(REQUEST)).rejects.toThrow(
      /agent\.id/,
    );
    // Like Genesys's broken answers: failed at once, dead-lettered as VENDOR_CONTRACT_BREACH (issue 13).
    const read = new CxoneBiddingAdapter(answering(bad)).biddingRequest(REQUEST);
    await expect(read).rejects.toBeInstanceOf(PermanentFailure);
    await expect(read).rejects.toMatchObject({
      reason: 'VENDOR_CONTRACT_BREACH',
      endpoint: 'CXone GET /api/wfm/v2/bidding/requests/{id}',
      message: expect.stringMatching(/^CXone GET \S+ answered a body that breaks its contract: .*agent\.id/),
    });
    const outOfRange = { shifts: [shift('s', { startTime: '25:00:00' })] };
    await expect(
      new CxoneBiddingAdapter(answering(outOfRange)).shifts({
        siteId: SITE,
        dateFrom: '2023-10-15',
        dateTo: '2023-10-15',
      }),
    ).rejects.toThrow(/startTime/);
    const looping = { shifts: [], nextCursor: 'same' };
    await expect(
      new CxoneBiddingAdapter(answering(looping)).shifts({
        siteId: SITE,
        dateFrom: '2023-10-15',
        dateTo: '2023-10-15',
      }),
    ).rejects.toThrow(/did not advance/);
  });

  it('treats a 200 that is not yet APPROVED or REJECTED as accepted, not final', async () => {
    const outcome = await new CxoneBiddingAdapter(answering({ status: 'PENDING' })).act(approve());
    expect(outcome.kind).toBe('accepted');
  });

  it("says CXone is unavailable (VENDOR_UNAVAILABLE) when a transient failure outlived the client's retries", async () => {
    const failing = (status: number): VendorHttpClient => ({
      request: async () => {
        throw new VendorHttpError(
          'cxone',
          status,
          { error: 'service.unavailable' },
          3,
          'failed after 3 attempt(s)',
        );
      },
    });
    const adapter = new CxoneBiddingAdapter(failing(503));
    for (const call of [() => adapter.act(approve()), () => adapter.biddingRequest(REQUEST)]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableFailure);
      expect(err).toMatchObject({ reason: 'VENDOR_UNAVAILABLE', detail: { httpStatus: 503, attempts: 3 } });
    }
    // Not transient: the action's 400 stays an outcome, a read's 400 stays the client's error.
    expect(await new CxoneBiddingAdapter(failing(400)).act(approve())).toMatchObject({ kind: 'refused' });
    await expect(new CxoneBiddingAdapter(failing(400)).biddingRequest(REQUEST)).rejects.toBeInstanceOf(
      VendorHttpError,
    );
  });
});
