/**
 * Issue 14, "Crashes": a function instance killed at each named point of a record (local/crash-switch.ts)
 * leaves the vendor, once SQS has redelivered the record, in the state one clean delivery leaves: one effect,
 * no duplicate. The workflows run at once (their visibility timeouts overlap); the points of one workflow
 * run one after another, so a batch never holds two cases' records and each crash hits its own record.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { formatInTimeZone } from 'date-fns-tz';
import { DynamoDbRewardLedgerStore } from '../../shared/adapters/aws/reward-ledger-store';
import {
  armCrash,
  armedCrashes,
  attr,
  ddb,
  domainEvents,
  local,
  peekDlq,
  postWebhook,
  runSchedule,
  sandbox,
  waitFor,
  waitForCrashes,
  waitForQueueDrained,
} from '../helpers/local';
import { fullShiftApproval, openShiftBid, uniqueId } from '../helpers/scenarios';
import { agentStateChanged as agentState } from '../helpers/payloads';

const POINTS = ['before-vendor-call', 'after-vendor-answer', 'after-state-write'] as const;
const uid = uniqueId;

interface Logged {
  method: string;
  path: string;
  status: number;
  body?: Record<string, unknown>;
  fault?: unknown;
}

const genesys = sandbox('genesys');
const OVERRIDES = '/api/v2/wfm/scheduling/overrides';

async function shiftOverridesCrashAt(point: (typeof POINTS)[number]) {
  const { userId, shiftId, requestId, fixtures, approval } = fullShiftApproval('crash');
  await genesys.fixtures(fixtures);
  const crash = await armCrash({ workflow: 'shift-overrides', point, bodyContains: requestId });
  expect((await postWebhook('/webhooks/genesys/timeoff', approval)).status).toBe(202);

  await waitForCrashes(crash.id);
  await waitFor(
    async () =>
      (await domainEvents('override.applied')).some(
        (e) => (e.detail as { requestId?: string }).requestId === requestId,
      ),
    { what: `override.applied for ${requestId} after the redelivery`, timeoutMs: 30_000 },
  );
  await waitForQueueDrained('shift-overrides');

  const overrides = (
    (await genesys.state()) as { overrides: { userId: string; shiftId: string }[] }
  ).overrides.filter((o) => o.userId === userId);
  expect(overrides.map((o) => o.shiftId)).toEqual([shiftId]);
  const posts = ((await genesys.requests({ path: OVERRIDES })) as { requests: Logged[] }).requests.filter(
    (r) => r.method === 'POST' && r.body?.userId === userId,
  );
  // The crash before the call sent nothing; otherwise the first delivery's POST made the override, and the
  // redelivery found it (or its own state) instead of posting again.
  expect(posts.map((r) => r.status)).toEqual([201]);
  expect((await armedCrashes()).find((c) => c.id === crash.id)).toMatchObject({ fired: 1, remaining: 0 });
}

const cxone = sandbox('cxone');

/** One open-shift bid of a fresh agent on a fresh queue (test/e2e/shift-bids.test.ts has the full scenarios). */
async function shiftBidsCrashAt(point: (typeof POINTS)[number], date: string) {
  const { requestId, created, fixtures } = openShiftBid('crash', date);
  await cxone.fixtures(fixtures);
  const crash = await armCrash({ workflow: 'shift-bids', point, bodyContains: requestId });
  expect((await postWebhook('/webhooks/cxone/bidding', created)).status).toBe(202);

  await waitForCrashes(crash.id);
  await waitFor(
    async () =>
      (await domainEvents('bid.approved')).some(
        (e) => (e.detail as { requestId?: string }).requestId === requestId,
      ),
    { what: `bid.approved for ${requestId} after the redelivery`, timeoutMs: 60_000 },
  );
  await waitForQueueDrained('shift-bids');

  // The vendor's state: one action applied, the request approved. A redelivery after the crash past the
  // vendor's answer sends the same action again under the same Idempotency-Key, which CXone answers as a
  // replay without applying it twice (spec 003 section 3).
  const state = await cxone.state<{
    actions: { requestId: string; action: string; idempotencyKey: string | null }[];
    biddingRequests: { id: string; status: string }[];
  }>();
  const applied = state.actions.filter((a) => a.requestId === requestId);
  expect(applied.map((a) => a.action)).toEqual(['APPROVE']);
  expect(state.biddingRequests.find((r) => r.id === requestId)?.status).toBe('APPROVED');
  const posts = (
    (await cxone.requests({ path: `/api/wfm/v2/bidding/requests/${requestId}/actions`, method: 'POST' })) as {
      requests: (Logged & { headers: Record<string, string> })[];
    }
  ).requests;
  expect(new Set(posts.map((p) => p.headers['idempotency-key']))).toEqual(
    new Set([applied[0]!.idempotencyKey]),
  );
  expect(
    (await domainEvents('bid.approved')).filter(
      (e) => (e.detail as { requestId?: string }).requestId === requestId,
    ),
  ).toHaveLength(1);
  expect((await armedCrashes()).find((c) => c.id === crash.id)).toMatchObject({ fired: 1, remaining: 0 });
}

/** One agent-state change of a fresh agent: WEM's dashboard and event list must show it once. */
async function adherenceSyncCrashAt(point: (typeof POINTS)[number]) {
  const agentId = uid('crash-agent');
  const crash = await armCrash({ workflow: 'adherence-sync', point, bodyContains: agentId });
  await postWebhook('/webhooks/agent-state', agentState(agentId, 'on-call', '2026-05-15T14:00:00.000Z'));
  await waitForCrashes(crash.id);
  const wem = async () =>
    ((await genesys.state()) as { adherence: { agents: Record<string, AdherenceView> } }).adherence.agents[
      agentId
    ];
  await waitFor(async () => (await wem())?.dashboard.adherenceState === 'OnCall', {
    what: `OnCall on the WEM dashboard for ${agentId} after the redelivery`,
    timeoutMs: 30_000,
  });
  await waitForQueueDrained('adherence-sync');
  expect((await wem())!.events.map((e) => e.adherenceState)).toEqual(['OnCall']);
  expect((await armedCrashes()).find((c) => c.id === crash.id)).toMatchObject({ fired: 1, remaining: 0 });
}

interface AdherenceView {
  dashboard: { adherenceState: string | null };
  events: { adherenceState: string }[];
}

const rewards = sandbox('rewards');
const REWARD_ISSUE = '/v1/rewards/issue';
const TIER_POINTS = 500;

/**
 * A fresh agent whose row of today crosses the 500-point tier (510 points), ingested by the nightly schedule:
 * its evaluation (a message naming the agent) is what the crash hits (test/e2e/reward-triggers.test.ts has
 * more). A crash inside the issue leaves its Powertools in-progress record behind; the redelivery finds it
 * lapsed once the (scaled) processor timeout has passed, as in AWS once the dead invocation has timed out.
 */
async function rewardTriggersCrashAt(point: (typeof POINTS)[number]) {
  const agentId = uid('crash-agent');
  const today = formatInTimeZone(Date.now(), 'America/New_York', 'yyyy-MM-dd');
  await genesys.fixtures({
    performance: [{ agentId, date: today, csatFiveStar: 51, complianceViolations: 0, ahtCompliancePct: 90 }],
  });
  const crash = await armCrash({ workflow: 'reward-triggers', point, bodyContains: agentId });
  await runSchedule('reward-export-ingestion');

  await waitForCrashes(crash.id);
  const issued = await waitFor(
    async () =>
      (await domainEvents('reward.issued'))
        .map((e) => e.detail as { agentId: string; transactionId: string })
        .find((d) => d.agentId === agentId),
    { what: `reward.issued for ${agentId} after the redelivery`, timeoutMs: 45_000 },
  ).catch(async (err: Error) => {
    // Name the reason when the record dead-lettered (IDEMPOTENCY_IN_PROGRESS: the crashed invocation's
    // in-progress record outlived the receives).
    const dead = (await peekDlq('reward-triggers')).filter((m) => m.Body?.includes(agentId));
    throw new Error(
      `${err.message}; on the DLQ: ${JSON.stringify(dead.map((m) => attr(m, 'failureReason')))}`,
    );
  });
  await waitForQueueDrained('reward-triggers');

  // The marketplace knows the agent only by its pseudonym: one reward, ISSUED, under the transaction id every
  // issue request carried (its X-Request-ID). The crash past the answer sends the issue again under the same id, which the
  // marketplace answers as a replay of the first (spec 004: the issue is idempotent on the transaction id).
  const state = (await rewards.state()) as {
    rewards: { agent_id: string; transaction_id: string; status: string; reward_id: string | null }[];
  };
  const reward = state.rewards.find((r) => r.transaction_id === issued.transactionId);
  expect(reward?.status).toBe('ISSUED');
  expect(state.rewards.filter((r) => r.agent_id === reward!.agent_id)).toHaveLength(1);
  const issues = (
    (await rewards.requests({ method: 'POST', path: REWARD_ISSUE })) as {
      requests: (Logged & { headers: Record<string, string>; rateLimited?: boolean; authFailure?: string })[];
    }
  ).requests.filter((r) => r.body?.agent_id === reward!.agent_id);
  // At least one issue (two past the answer). Locally an invocation is not stopped at its (scaled) timeout, so on a
  // loaded machine a redelivery can overlap a slow invocation once its in-progress window lapses and send the issue
  // again: under the same transaction id, which the marketplace answers as a replay, never as a second reward.
  // Besides the 200s, only refusals made before the endpoint, which the client retries with no effect: the
  // marketplace's rate limit (today's other agents are evaluated by the same ingestion) and a lapsed token.
  const reached = issues.filter(
    (r) => !(r.status === 429 && r.rateLimited) && !(r.status === 401 && r.authFailure),
  );
  expect(reached.filter((r) => r.status !== 200).map(({ status, fault }) => ({ status, fault }))).toEqual([]);
  expect(reached.length).toBeGreaterThanOrEqual(point === 'after-vendor-answer' ? 2 : 1);
  expect(new Set(issues.map((r) => r.headers['x-request-id']))).toEqual(new Set([issued.transactionId]));

  // The points: locked once, consumed once by that transaction, the lock released.
  const ledger = new DynamoDbRewardLedgerStore(ddb(), local().tables.State!);
  const entries = await ledger.entries(agentId);
  const redemptions = entries.filter((e) => e.kind === 'redemption');
  expect(redemptions).toHaveLength(1);
  expect(redemptions[0]).toMatchObject({ transactionId: issued.transactionId, delta: -TIER_POINTS });
  expect(entries.reduce((sum, e) => sum + e.delta, 0)).toBe(510 - TIER_POINTS);
  expect(await ledger.heldLock(agentId)).toBeUndefined();

  // One reward.issued event, and the audit trail says the same: one ISSUED entry, with the marketplace's reward.
  expect(
    (await domainEvents('reward.issued')).filter(
      (e) => (e.detail as { agentId?: string }).agentId === agentId,
    ),
  ).toHaveLength(1);
  const audit =
    (
      await ddb().send(
        new QueryCommand({
          TableName: local().tables.Audit!,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `reward-triggers#reward#${issued.transactionId}` },
        }),
      )
    ).Items ?? [];
  expect(audit.map((a) => a.action)).toEqual(['ISSUED']);
  expect(audit[0]!.detail).toMatchObject({ agentId, rewardId: reward!.reward_id });
  expect((await armedCrashes()).find((c) => c.id === crash.id)).toMatchObject({ fired: 1, remaining: 0 });
}

describe('a crash at each point, then the redelivery: one vendor effect, no duplicate', () => {
  it.concurrent(
    'shift-overrides: one override',
    async () => {
      for (const point of POINTS) await shiftOverridesCrashAt(point);
    },
    120_000,
  );

  it.concurrent(
    'shift-bids: one action',
    async () => {
      // Dates 3 days apart: a bid caches the schedule of the days around its own (test/e2e/shift-bids.test.ts).
      const dates = ['2026-10-05', '2026-10-08', '2026-10-11'];
      // A crash inside the shift's claim holds the redelivery back until the claim lapses (30 s locally).
      for (const [i, point] of POINTS.entries()) await shiftBidsCrashAt(point, dates[i]!);
    },
    150_000,
  );

  it.concurrent(
    'reward-triggers: one reward',
    async () => {
      for (const point of POINTS) await rewardTriggersCrashAt(point);
    },
    150_000,
  );

  it.concurrent(
    'adherence-sync: one WEM event',
    async () => {
      for (const point of POINTS) await adherenceSyncCrashAt(point);
    },
    120_000,
  );
});
