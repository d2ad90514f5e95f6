/** Issue 11 on the local runtime: CXone shift bids decided by the rules and acted on exactly once. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { send } from '../../local/send';
import { bidActionIdempotencyKey } from '../../shared/domain/shift-bids/ports';
import {
  domainEvents,
  local,
  peekDlq,
  postWebhook,
  runSchedule,
  sandbox,
  waitFor,
  waitForQueueDrained,
} from '../helpers/local';

interface Logged {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: { action?: string; reason?: string; metadata?: Record<string, string> };
}

const cxone = sandbox('cxone');
/**
 * Sent as the file's bytes, like `npm run send` does in the README test: the gateway's replay guard answers the
 * same delivery id with another body (a re-serialisation) 409.
 */
const example = readFileSync(
  join(__dirname, '../fixtures/webhooks/cxone-bidding-request-created.json'),
  'utf8',
);
const SITE = 'site_nyc_01';
const uid = (label: string) => `${label}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Action POSTs the sandbox received for a request. */
const actionsFor = async (requestId: string) =>
  (
    (await cxone.requests({ path: `/api/wfm/v2/bidding/requests/${requestId}/actions`, method: 'POST' })) as {
      requests: Logged[];
    }
  ).requests;

const eventsFor = async (type: string, requestId: string) =>
  (await domainEvents(type)).filter((e) => (e.detail as { requestId?: string }).requestId === requestId);

const waitForEvent = (type: string, requestId: string) =>
  waitFor(async () => (await eventsFor(type, requestId))[0], {
    what: `${type} for ${requestId}`,
    timeoutMs: 30_000,
  });

interface Shift {
  id: string;
  agentId: string | null;
  queueId: string;
  date: string;
  startTime?: string;
  endTime?: string;
}

/**
 * A scenario of its own: fresh queue ids and agents, so tests never judge each other's coverage. Scenario dates
 * are 3 days apart: a bid reads (and caches, for 120 s) the schedule of the day before and after its own, and a
 * scenario's fixtures must not hide behind another's cached days.
 */
function scenario(date: string) {
  const queue = uid('q');
  const agents: string[] = [];
  const agent = (label: string) => {
    const id = uid(label);
    agents.push(id);
    return id;
  };
  const shift = (s: Shift) => ({
    siteId: SITE,
    status: 'published',
    startTime: '08:00:00',
    endTime: '16:00:00',
    requiredSkills: ['skill_billing_voice'],
    ...s,
  });
  const bidEvent = (requestId: string, agentId: string, s: Shift, type: string, timestamp: string) => ({
    eventType: 'wfm.bidding.request.created',
    eventId: uid(`evt_${requestId}`),
    timestamp,
    data: {
      requestId,
      siteId: SITE,
      agent: { id: agentId },
      shift: {
        id: s.id,
        date: s.date,
        startTime: s.startTime ?? '08:00:00',
        endTime: s.endTime ?? '16:00:00',
      },
      bid: { type, status: 'PENDING' },
      requestMetadata: { channel: 'agent-portal' },
    },
  });
  type BidEvent = ReturnType<typeof bidEvent>;
  /** What CXone sends when the request's status changes outside this workflow (a supervisor in the UI). */
  const statusChanged = (created: BidEvent, timestamp: string, status: string) => ({
    ...created,
    eventType: 'wfm.bidding.request.status_changed',
    eventId: uid(`evt_${created.data.requestId}`),
    timestamp,
    data: { ...created.data, bid: { ...created.data.bid, status } },
  });
  /** A new agent's bid for an open shift of the scenario's queue, created at 2026-08-01T10:00:00Z. */
  const openShiftBid = (label: string) => {
    const agentId = agent(`agent_${label}`);
    const open = { id: uid('open'), agentId: null, queueId: queue, date };
    const requestId = uid(`bidding_req_${label}`);
    const created = bidEvent(requestId, agentId, open, 'open_shift', '2026-08-01T10:00:00Z');
    return { agentId, open, requestId, created };
  };
  const load = async (shifts: Shift[], requests: BidEvent[], extra: Record<string, unknown> = {}) => {
    await cxone.fixtures({
      agents: agents.map((id) => ({
        id,
        siteId: SITE,
        skills: [{ id: 'skill_billing_voice' }],
        roles: ['agent'],
      })),
      shifts: shifts.map(shift),
      biddingRequests: requests.map((r) => ({ ...r.data, status: 'PENDING', createdAt: r.timestamp })),
      ...extra,
    });
  };
  return { queue, date, agent, bidEvent, statusChanged, openShiftBid, load };
}

describe('shift-bids on the local runtime', () => {
  it("approves spec 003's example bid with the idempotency key and metadata of its section 3", async () => {
    expect((await postWebhook('/webhooks/cxone/bidding', example)).status).toBe(202);
    const approved = await waitForEvent('bid.approved', 'bidding_req_8f7a2c1d');
    expect(approved.detail).toMatchObject({ shiftId: 'shift_20231015_0800', ruleVersion: 'local-v1' });
    const [action, ...more] = await actionsFor('bidding_req_8f7a2c1d');
    expect(more).toEqual([]);
    expect(action!.status).toBe(200);
    expect(action!.headers['idempotency-key']).toBe('idem_bidding_8f7a2c1d_v1');
    expect(action!.headers['x-cxone-request-id']).toMatch(/^req_[0-9a-f]{8}$/);
    expect(action!.body).toEqual({
      action: 'APPROVE',
      reason:
        'Auto-approved: Coverage threshold met, no schedule conflicts, agent approval rate within limits, skills and role match.',
      metadata: {
        approved_by: 'wfm-auto-engine',
        validation_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        rule_version: 'local-v1',
      },
    });
  });

  it('rejects a double-booked agent, the failing check as the reason', async () => {
    const s = scenario('2026-08-03');
    const { agentId, open, requestId, created } = s.openShiftBid('dbl');
    const held = {
      id: uid('held'),
      agentId,
      queueId: s.queue,
      date: s.date,
      startTime: '12:00:00',
      endTime: '20:00:00',
    };
    await s.load([held, open], [created]);
    await postWebhook('/webhooks/cxone/bidding', created);
    await waitForEvent('bid.rejected', requestId);
    const [action] = await actionsFor(requestId);
    expect(action!.body.action).toBe('REJECT');
    expect(action!.body.reason).toMatch(
      /^Auto-rejected: double_booking: agent already holds published shift/,
    );
  });

  it('escalates a swap that leaves its queue at the minimum, and never acts on it, whatever CXone says later', async () => {
    const s = scenario('2026-08-06');
    const agentId = s.agent('agent_swap');
    const others = [s.agent('c'), s.agent('c'), s.agent('c')];
    const held = { id: uid('held'), agentId, queueId: s.queue, date: s.date };
    const crew = others.map((a) => ({ id: uid('crew'), agentId: a, queueId: s.queue, date: s.date }));
    const target = { id: uid('open'), agentId: null, queueId: uid('q_other'), date: s.date };
    const requestId = uid('bidding_req_swap');
    const created = s.bidEvent(requestId, agentId, target, 'swap', '2026-08-01T10:00:00Z');
    await s.load([held, ...crew, target], [created]);
    await postWebhook('/webhooks/cxone/bidding', created);
    const escalated = await waitForEvent('bid.escalated', requestId);
    expect(escalated.detail).toMatchObject({
      failingChecks: [expect.objectContaining({ check: 'coverage_check', result: 'UNCERTAIN' })],
      deepLink: expect.stringContaining(requestId),
    });
    const notified = await waitForEvent('bid.supervisor_notification', requestId);
    expect(JSON.stringify(notified.detail)).not.toContain(agentId);
    // The supervisor looks at it, then approves it in the CXone UI: status_changed events follow.
    await postWebhook('/webhooks/cxone/bidding', s.statusChanged(created, '2026-08-01T10:05:00Z', 'PENDING'));
    await cxone.fixtures({ biddingRequests: [{ ...created.data, status: 'APPROVED' }] });
    await postWebhook(
      '/webhooks/cxone/bidding',
      s.statusChanged(created, '2026-08-01T10:10:00Z', 'APPROVED'),
    );
    await waitForEvent('bid.reconciled', requestId);
    expect(await actionsFor(requestId)).toEqual([]);
  });

  it('acts once when the same event is delivered 5 times at once', async () => {
    const s = scenario('2026-08-09');
    const { open, requestId, created } = s.openShiftBid('dup');
    await s.load([open], [created]);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => postWebhook('/webhooks/cxone/bidding', created)),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    await waitForEvent('bid.approved', requestId);
    // Every delivery handled (none left waiting or deferred) before counting the actions.
    await waitForQueueDrained('shift-bids');
    expect((await actionsFor(requestId)).filter((a) => a.status < 300)).toHaveLength(1);
    expect(await eventsFor('bid.approved', requestId)).toHaveLength(1);
  });

  it('approves exactly one of two bids for one shift sent 1 s apart; the other is refused with the reason', async () => {
    const s = scenario('2026-08-12');
    const first = s.agent('agent_first');
    const second = s.agent('agent_second');
    const open = { id: uid('open'), agentId: null, queueId: s.queue, date: s.date };
    const a = s.bidEvent(uid('bidding_req_a'), first, open, 'open_shift', '2026-08-01T10:00:00Z');
    const b = s.bidEvent(uid('bidding_req_b'), second, open, 'open_shift', '2026-08-01T10:00:01Z');
    await s.load([open], [a, b]);
    await Promise.all([postWebhook('/webhooks/cxone/bidding', a), postWebhook('/webhooks/cxone/bidding', b)]);
    const ids = [a.data.requestId, b.data.requestId];
    await waitFor(
      async () => {
        const decided = await Promise.all(
          ids.map(
            async (id) =>
              (await eventsFor('bid.approved', id)).length +
              (await eventsFor('bid.rejected', id)).length +
              (await eventsFor('bid.escalated', id)).length,
          ),
        );
        return decided.every((n) => n > 0);
      },
      { what: 'both bids decided', timeoutMs: 40_000 },
    );
    const approvals = (await Promise.all(ids.map((id) => actionsFor(id))))
      .flat()
      .filter((x) => x.body.action === 'APPROVE' && x.status === 200);
    expect(approvals).toHaveLength(1);
    const loser = ids.find((id) => !approvals[0]!.path.includes(id))!;
    const refused = await actionsFor(loser);
    const reject = refused.find((x) => x.body.action === 'REJECT' && x.status === 200);
    expect(reject?.body.reason).toMatch(/already awarded to|double_booking|coverage/);
  });

  it('adopts the state after a 409 when a supervisor approved in the UI, with no second action', async () => {
    const s = scenario('2026-08-15');
    const { open, requestId, created } = s.openShiftBid('ui');
    await s.load([open], [created]);
    await cxone.fixtures({ biddingRequests: [{ ...created.data, status: 'APPROVED' }] });
    await postWebhook('/webhooks/cxone/bidding', created);
    const reconciled = await waitForEvent('bid.reconciled', requestId);
    expect(reconciled.detail).toMatchObject({ to: 'approved', source: 'conflict' });
    await waitForQueueDrained('shift-bids');
    expect((await actionsFor(requestId)).map((x) => x.status)).toEqual([409]);
    expect(await eventsFor('bid.approved', requestId)).toEqual([]);
  });

  it('waits out a schedule lock (423) and approves once it clears, without failing', async () => {
    const s = scenario('2026-08-18');
    const { open, requestId, created } = s.openShiftBid('lock');
    const lockId = uid('lock');
    await s.load([open], [created], {
      locks: [{ id: lockId, siteId: SITE, dateFrom: s.date, dateTo: s.date, operation: 'bulk-publish' }],
    });
    await postWebhook('/webhooks/cxone/bidding', created);
    await waitFor(async () => (await actionsFor(requestId)).some((x) => x.status === 423), { what: 'a 423' });
    // The publication holds the site for a while (60 s in production; scaled down here): the workflow polls the
    // locks twice, finding it held, before it finishes.
    const since = (await cxone.requests({ limit: 1 })).requests.at(-1)?.seq ?? 0;
    await waitFor(
      async () =>
        (await cxone.requests({ since, path: '/api/wfm/v2/schedule/locks', method: 'GET' })).count >= 2,
      { what: 'two lock polls while the site is locked', timeoutMs: 30_000 },
    );
    await cxone.fixtures({ remove: { locks: [lockId] } });
    await waitForEvent('bid.approved', requestId);
    const statuses = (await actionsFor(requestId)).map((x) => x.status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(1);
    expect(statuses.every((x) => x === 423 || x === 200)).toBe(true);
  }, 60_000);

  it('rejects a pending bid a schedule publication made double-booked, not approving it from the cache', async () => {
    const s = scenario('2026-08-21');
    // A first bid on the date puts the site's schedule of the 20th to the 22nd in the cache.
    const warm = s.openShiftBid('warm');
    const { agentId, open, requestId, created } = s.openShiftBid('pub');
    await s.load([warm.open, open], [warm.created, created]);
    await postWebhook('/webhooks/cxone/bidding', warm.created);
    await waitForEvent('bid.approved', warm.requestId);
    // CXone publishes a schedule that gives the second bidder an overlapping shift, and says so.
    const held = {
      id: uid('held'),
      agentId,
      queueId: s.queue,
      date: s.date,
      startTime: '12:00:00',
      endTime: '20:00:00',
    };
    await s.load([held], []);
    const published = {
      eventType: 'wfm.schedule.published',
      eventId: uid('evt_schedule'),
      timestamp: new Date().toISOString(),
      data: { siteId: SITE, dateFrom: s.date, dateTo: s.date },
    };
    expect((await postWebhook('/webhooks/cxone/schedule', published)).status).toBe(202);
    await waitFor(
      async () =>
        (await domainEvents('schedule.cache_invalidated')).find(
          (e) => (e.detail as { eventId?: string }).eventId === published.eventId,
        ),
      { what: 'the publication recorded', timeoutMs: 30_000 },
    );
    // The publication's message handled to the end (the cache invalidated) before the bid arrives.
    await waitForQueueDrained('shift-bids');
    await postWebhook('/webhooks/cxone/bidding', created);
    await waitForEvent('bid.rejected', requestId);
    const [action, ...more] = await actionsFor(requestId);
    expect(more).toEqual([]);
    expect(action!.body.action).toBe('REJECT');
    expect(action!.body.reason).toMatch(/double_booking: agent already holds published shift/);
    expect(action!.body.reason).toContain(held.id);
  }, 60_000);

  it('decides a bid whose webhook never arrived through the pending-request sweep', async () => {
    const s = scenario('2026-08-24');
    const { open, requestId, created } = s.openShiftBid('lost');
    await s.load([open], [created]);
    // No webhook: CXone's delivery failed. The 5-minute schedule finds the request pending.
    await runSchedule('shift-bids-sweep');
    const approved = await waitForEvent('bid.approved', requestId);
    expect(approved.detail).toMatchObject({ shiftId: open.id, requestedDate: s.date });
    const [action, ...more] = await actionsFor(requestId);
    expect(more).toEqual([]);
    expect(action!.headers['idempotency-key']).toBe(bidActionIdempotencyKey(requestId));
    // The next run finds it decided (CXone says APPROVED now): nothing is sent again.
    await runSchedule('shift-bids-sweep');
    await waitForQueueDrained('shift-bids');
    expect(await actionsFor(requestId)).toHaveLength(1);
  }, 60_000);

  it("the README's three bids: approved, rejected and escalated, through `npm run send`", async () => {
    const fixture = (path: string) => join(__dirname, '../fixtures', path);
    const printed = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await cxone.fixtures(JSON.parse(readFileSync(fixture('sandbox/cxone-readme-bids.json'), 'utf8')));
    for (const file of [
      'webhooks/cxone-bidding-request-created.json',
      'webhooks/cxone-bidding-request-skill-mismatch.json',
      'webhooks/cxone-bidding-request-swap-at-minimum.json',
    ])
      expect(await send([fixture(file), '--url', local().gatewayUrl])).toBe(0);
    expect(printed).toHaveBeenCalledWith('POST /webhooks/cxone/bidding -> 202');
    printed.mockRestore();
    await waitForEvent('bid.approved', 'bidding_req_8f7a2c1d');
    const rejected = await waitForEvent('bid.rejected', 'bidding_req_3b9e0a47');
    expect(rejected.detail).toMatchObject({ reason: expect.stringMatching(/^Auto-rejected: skill_match: /) });
    const escalated = await waitForEvent('bid.escalated', 'bidding_req_c51d7e22');
    expect(escalated.detail).toMatchObject({
      failingChecks: [expect.objectContaining({ check: 'coverage_check', result: 'UNCERTAIN' })],
    });
    await waitForEvent('bid.supervisor_notification', 'bidding_req_c51d7e22');
    expect((await actionsFor('bidding_req_3b9e0a47')).map((a) => [a.status, a.body.action])).toEqual([
      [200, 'REJECT'],
    ]);
    expect(await actionsFor('bidding_req_c51d7e22')).toEqual([]);
  });

  describe('a token that expires mid-burst (spec 003 edge case 3)', () => {
    afterAll(() => cxone.config({ tokenTtlSeconds: 3600 }));

    it('fails no bid on a 401, and requests one token per expiry for every instance together', async () => {
      const s = scenario('2026-08-27');
      const bids = Array.from({ length: 30 }, (_, i) => s.openShiftBid(`tok${i}`));
      await s.load(
        bids.map((b) => b.open),
        bids.map((b) => b.created),
      );
      // Tokens issued from now on live 4 s (refreshed at half-life, while in use); the one the instances share
      // now reaches its lifetime in the middle of the burst.
      await cxone.config({ tokenTtlSeconds: 4 });
      const since = (await cxone.requests({ limit: 1 })).requests.at(-1)?.seq ?? 0;
      const started = Date.now();
      for (const [wave, slice] of [bids.slice(0, 10), bids.slice(10, 20), bids.slice(20)].entries()) {
        await Promise.all(slice.map((b) => postWebhook('/webhooks/cxone/bidding', b.created)));
        if (wave === 0) {
          // Once the first decisions are being acted on, the shared token reaches its lifetime.
          await waitFor(
            async () => (await cxone.requests({ since, path: '/api/wfm/v2/schedule/shifts' })).count > 0,
            { what: 'the burst under way', timeoutMs: 30_000 },
          );
          expect((await cxone.expireTokens()).expired).toBeGreaterThan(0);
        }
        await new Promise((r) => setTimeout(r, 2500));
      }
      const ids = bids.map((b) => b.requestId);
      await waitFor(
        async () => {
          const approved = new Set(
            (await domainEvents('bid.approved')).map((e) => (e.detail as { requestId: string }).requestId),
          );
          return ids.every((id) => approved.has(id));
        },
        { what: 'every bid approved', timeoutMs: 90_000, intervalMs: 500 },
      );
      const seconds = (Date.now() - started) / 1000;
      const escalated = (await domainEvents('bid.escalated')).filter((e) =>
        ids.includes((e.detail as { requestId: string }).requestId),
      );
      expect(escalated).toEqual([]);
      const log = (await cxone.requests({ since })).requests as unknown as Logged[];
      // The expiry really hit calls in flight, and each was answered once more with a fresh token.
      const unauthorized = log.filter((r) => r.status === 401);
      expect(unauthorized.length).toBeGreaterThan(0);
      const actions = log.filter((r) => r.method === 'POST' && r.path.endsWith('/actions'));
      expect(actions.filter((r) => r.status === 200)).toHaveLength(bids.length);
      const tokenRequests = log.filter((r) => r.path === '/oauth/token');
      expect(tokenRequests.every((r) => r.status === 200)).toBe(true);
      // One shared token: one request per expiry (the forced one after the 401s, then one per 2 s half-life
      // while in use), never one per instance or per 401.
      expect(tokenRequests.length).toBeGreaterThan(1);
      expect(tokenRequests.length).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 2);
      expect(unauthorized.length).toBeLessThan(bids.length);
      expect(
        (await peekDlq('shift-bids')).filter((m) => ids.some((id) => m.Body?.includes(id))),
      ).toHaveLength(0);
    }, 150_000);
  });
});
