/**
 * Issue 12 on the local runtime: a performance export becomes points, and 500 points one reward, once.
 *
 * Every scenario puts today's row of a fresh agent in the Genesys export and runs the nightly ingestion
 * (`runSchedule`); the watermark is today after the first run, so each run reads today's rows again (an
 * unchanged row books nothing). Absence is asserted only after a positive signal: an event on the bus, the
 * run's own summary (it says nothing was enqueued), or the reward-triggers queue drained.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { LOCAL_LOG_DIR } from '../../local/function-host';
import { formatInTimeZone } from 'date-fns-tz';
import { DynamoDbRewardLedgerStore } from '../../shared/adapters/aws/reward-ledger-store';
import type { IngestionSummary } from '../../shared/domain/reward-triggers/ingest';
import type { LoggedRequest } from '../../local/sandboxes/core/request-log';
import {
  attr,
  ddb,
  domainEvents,
  local,
  peekDlq,
  runSchedule,
  sandbox,
  sendToQueue,
  sqs,
  waitFor,
} from '../helpers/local';

const genesys = sandbox('genesys');
const rewards = sandbox('rewards');
const today = formatInTimeZone(Date.now(), 'America/New_York', 'yyyy-MM-dd');
const uid = (label: string) =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
const ISSUE_PATH = '/v1/rewards/issue';
const TIER_POINTS = 500;

interface RewardRecord {
  agent_id: string;
  reward_type: string;
  status: string;
  transaction_id: string;
  reversed_at?: string;
}
interface RewardsState {
  rewards: RewardRecord[];
  catalog: { rewardType: string; inventory: number }[];
}
interface RewardEventDetail {
  agentId: string;
  transactionId: string;
  rewardType?: string;
  reason?: string;
  failure?: string;
}

const ledger = () => new DynamoDbRewardLedgerStore(ddb(), local().tables.State!);
const rewardsState = async () => (await rewards.state()) as RewardsState;

/** Today's export row of an agent: `csat` five-star ratings are worth 10 points each (local rules). */
const exportRow = (agentId: string, csat: number, extra: Record<string, unknown> = {}) => ({
  agentId,
  date: today,
  csatFiveStar: csat,
  complianceViolations: 0,
  ahtCompliancePct: 90,
  ...extra,
});

/** An agent whose row of today crosses the 500-point tier (510 points). */
async function agentCrossingTheTier(label: string): Promise<string> {
  const agentId = uid(label);
  await genesys.fixtures({ performance: [exportRow(agentId, 51)] });
  return agentId;
}

/** Runs the ingestion schedule; a failed run answers `{ error, message }` (the local gateway's 500). */
async function ingest(): Promise<{ result?: IngestionSummary; error?: string; message?: string }> {
  return (await runSchedule('reward-export-ingestion')) as {
    result?: IngestionSummary;
    error?: string;
    message?: string;
  };
}

async function eventsOf(type: string, agentId: string): Promise<RewardEventDetail[]> {
  return (await domainEvents(type))
    .map((e) => e.detail as RewardEventDetail)
    .filter((d) => d.agentId === agentId);
}

function eventOf(type: string, agentId: string, timeoutMs = 30_000): Promise<RewardEventDetail> {
  return waitFor(async () => (await eventsOf(type, agentId))[0], {
    timeoutMs,
    what: `${type} for ${agentId}`,
  });
}

/** The marketplace calls made under one transaction id (the `X-Request-ID` header), oldest first. */
async function callsFor(transactionId: string, method: string, path: string): Promise<LoggedRequest[]> {
  const { requests } = await rewards.requests({ method, path });
  return requests.filter((r) =>
    method === 'POST' ? r.headers['x-request-id'] === transactionId : r.path.endsWith(transactionId),
  );
}

/** Every issue request the marketplace received for the agent behind a reward record (its pseudonym). */
async function issueRequestsForAgentOf(transactionId: string): Promise<LoggedRequest[]> {
  const record = (await rewardsState()).rewards.find((r) => r.transaction_id === transactionId);
  if (!record) throw new Error(`the marketplace has no record of ${transactionId}`);
  const { requests } = await rewards.requests({ method: 'POST', path: ISSUE_PATH });
  return requests.filter((r) => (r.body as { agent_id?: string } | undefined)?.agent_id === record.agent_id);
}

/** Positive signal that every evaluation the runs enqueued was handled: the queue holds nothing. */
async function evaluationsDrained(): Promise<void> {
  await waitFor(
    async () => {
      const { Attributes } = await sqs().send(
        new GetQueueAttributesCommand({
          QueueUrl: local().workflows['reward-triggers']!.queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return Object.values(Attributes ?? {}).every((v) => v === '0');
    },
    { timeoutMs: 30_000, what: 'the reward-triggers queue to drain' },
  );
}

/** The newest request-log sequence number of the marketplace: `since` for the requests of what follows. */
async function rewardsLogMark(): Promise<number> {
  return (await rewards.requests({ limit: 1 })).requests[0]?.seq ?? 0;
}

/** The processor's JSON log lines (its log group, written locally under .local/logs) about one agent. */
function processorLogLines(agentId: string): { level: string; message: string; clawback?: unknown }[] {
  const file = join(LOCAL_LOG_DIR, 'wfm-bridge', 'local', 'reward-triggers', 'processor.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(agentId))
    .map((line) => JSON.parse(line) as { level: string; message: string; clawback?: unknown });
}

describe('reward-triggers on the local runtime', () => {
  afterEach(async () => {
    await rewards.clearFaults();
  });

  it('an agent crossing 500 points gets exactly one gift_card_50_usd, with no PII sent; a second run changes nothing', async () => {
    const agentId = uid('agent');
    const pii = { agentName: 'Grace Hopper', email: 'grace.hopper@example.com', phone: '+1-555-0100' };
    await genesys.fixtures({ performance: [exportRow(agentId, 51, pii)] });
    await ingest();
    const issued = await eventOf('reward.issued', agentId);
    const record = (await rewardsState()).rewards.filter((r) => r.transaction_id === issued.transactionId);
    expect(record).toHaveLength(1);
    expect(record[0]).toMatchObject({ reward_type: 'gift_card_50_usd', status: 'ISSUED' });
    expect(record[0]!.agent_id).not.toContain(agentId);

    // The run's summary is the signal: it booked nothing and enqueued no evaluation.
    const again = await ingest();
    expect(again.result).toMatchObject({ rowsLoaded: 0, agentsEvaluated: 0 });
    expect(await issueRequestsForAgentOf(issued.transactionId)).toHaveLength(1);

    const log = JSON.stringify(await rewards.requests({}));
    for (const value of [...Object.values(pii), agentId]) expect(log).not.toContain(value);
    const { piiReceived } = (await rewards.state()) as { piiReceived: { transactionId: string | null }[] };
    expect(piiReceived.filter((p) => p.transactionId === issued.transactionId)).toEqual([]);
  }, 120_000);

  it('the same night ingested twice and the schedule firing twice concurrently: one reward', async () => {
    const agentId = await agentCrossingTheTier('concurrent');
    // The local runtime runs a scheduled function on one instance, so these two firings queue there; the
    // evaluations below do race (the processor has several instances), as a redelivery would.
    const runs = await Promise.all([ingest(), ingest()]);
    // The row is booked once: one run loaded it, the other found it booked.
    expect(runs.map((r) => r.result?.rowsLoaded ?? -1).sort()).toEqual([0, 1]);
    const evaluation = JSON.stringify({ agentId, asOfDate: today });
    await Promise.all([
      sendToQueue('reward-triggers', evaluation, { eventType: 'reward.evaluation', eventId: uid('again') }),
      sendToQueue('reward-triggers', evaluation, { eventType: 'reward.evaluation', eventId: uid('again') }),
    ]);
    const issued = await eventOf('reward.issued', agentId);
    const third = await ingest();
    expect(third.result).toMatchObject({ rowsLoaded: 0, agentsEvaluated: 0 });
    await evaluationsDrained();

    expect(await eventsOf('reward.issued', agentId)).toHaveLength(1);
    expect(await issueRequestsForAgentOf(issued.transactionId)).toHaveLength(1);
    const entries = await ledger().entries(agentId);
    expect(entries.filter((e) => e.kind === 'redemption')).toHaveLength(1);
    expect(entries.filter((e) => e.kind === 'credit')).toHaveLength(1);
  }, 120_000);

  it('a 200 with REJECTED: no reward recorded, points unlocked, reward.failed with the reason', async () => {
    const inventory = (await rewardsState()).catalog.find(
      (c) => c.rewardType === 'gift_card_50_usd',
    )!.inventory;
    await rewards.fixtures({ inventory: { gift_card_50_usd: 0 } });
    try {
      const agentId = await agentCrossingTheTier('rejected');
      await ingest();
      const failed = await eventOf('reward.failed', agentId);
      expect(failed).toMatchObject({ failure: 'REWARD_FAILURE', reason: 'INSUFFICIENT_INVENTORY' });

      const records = (await rewardsState()).rewards.filter((r) => r.transaction_id === failed.transactionId);
      expect(records.map((r) => r.status)).toEqual(['REJECTED']);
      const entries = await ledger().entries(agentId);
      expect(entries.filter((e) => e.kind === 'redemption')).toHaveLength(0);
      expect(entries.filter((e) => e.kind === 'issue-rejected')).toHaveLength(1);
      expect(await ledger().heldLock(agentId)).toBeUndefined();
      expect(await eventsOf('reward.issued', agentId)).toHaveLength(0);
    } finally {
      await rewards.fixtures({ inventory: { gift_card_50_usd: inventory } });
    }
  }, 120_000);

  it('503 twice, then success: one reward, three attempts, each after a lookup', async () => {
    await rewards.faults([{ method: 'POST', path: ISSUE_PATH, status: 503, times: 2 }]);
    const agentId = await agentCrossingTheTier('unavailable');
    await ingest();
    const issued = await eventOf('reward.issued', agentId, 60_000);

    const attempts = await callsFor(issued.transactionId, 'POST', ISSUE_PATH);
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
    const lookups = await callsFor(issued.transactionId, 'GET', '/v1/rewards/*');
    expect(lookups.map((r) => r.status)).toEqual([404, 404]);
    const records = (await rewardsState()).rewards.filter((r) => r.transaction_id === issued.transactionId);
    expect(records.map((r) => r.status)).toEqual(['ISSUED']);
  }, 120_000);

  it('commit then fail: one reward, found by lookup, no second issue', async () => {
    await rewards.faults([{ method: 'POST', path: ISSUE_PATH, status: 503, commitFirst: true }]);
    const agentId = await agentCrossingTheTier('commit-then-fail');
    await ingest();
    const issued = await eventOf('reward.issued', agentId, 60_000);

    expect((await callsFor(issued.transactionId, 'POST', ISSUE_PATH)).map((r) => r.status)).toEqual([503]);
    const lookups = await callsFor(issued.transactionId, 'GET', '/v1/rewards/*');
    expect(lookups.map((r) => r.status)).toEqual([200]);
    expect(await issueRequestsForAgentOf(issued.transactionId)).toHaveLength(1);
    const records = (await rewardsState()).rewards.filter((r) => r.transaction_id === issued.transactionId);
    expect(records.map((r) => r.status)).toEqual(['ISSUED']);
    expect((await ledger().entries(agentId)).filter((e) => e.kind === 'redemption')).toHaveLength(1);
  }, 120_000);

  it('a 400: no retry, manual review (reward.needs_review, dead-lettered with its reason), points stay locked', async () => {
    await rewards.faults([{ method: 'POST', path: ISSUE_PATH, status: 400 }]);
    const agentId = await agentCrossingTheTier('bad-request');
    await ingest();
    const review = await eventOf('reward.needs_review', agentId);
    expect(review.failure).toBe('REWARD_MANUAL_REVIEW');

    const dead = await waitFor(
      async () =>
        (await peekDlq('reward-triggers')).find(
          (m) => (JSON.parse(m.Body ?? '{}') as { agentId?: string }).agentId === agentId,
        ),
      { what: 'the evaluation on the DLQ' },
    );
    expect(attr(dead, 'failureReason')).toBe('REWARD_MANUAL_REVIEW');
    expect((await callsFor(review.transactionId, 'POST', ISSUE_PATH)).map((r) => r.status)).toEqual([400]);
    expect(await callsFor(review.transactionId, 'GET', '/v1/rewards/*')).toHaveLength(0);
    expect((await ledger().heldLock(agentId))?.lock.transactionId).toBe(review.transactionId);
  }, 120_000);

  it('a penalty that takes an issued agent below zero reverses the reward once, also when the day is re-ingested', async () => {
    const agentId = await agentCrossingTheTier('clawback');
    await ingest();
    const issued = await eventOf('reward.issued', agentId);

    // The day comes back with a compliance violation: -50 takes the balance (510 - 500 = 10) below zero.
    await genesys.fixtures({ performance: [exportRow(agentId, 51, { complianceViolations: 1 })] });
    const corrected = await ingest();
    expect(corrected.result).toMatchObject({ rowsLoaded: 1, agentsEvaluated: 1 });
    const reversed = await eventOf('reward.reversed', agentId);
    expect(reversed.transactionId).toBe(issued.transactionId);

    const again = await ingest();
    expect(again.result).toMatchObject({ rowsLoaded: 0, agentsEvaluated: 0 });
    await evaluationsDrained();
    expect(await eventsOf('reward.reversed', agentId)).toHaveLength(1);
    expect(await callsFor(issued.transactionId, 'DELETE', '/v1/rewards/*')).toHaveLength(1);
    const entries = await ledger().entries(agentId);
    expect(entries.filter((e) => e.kind === 'reversal')).toHaveLength(1);
    expect(entries.filter((e) => e.kind === 'debit').map((e) => e.delta)).toEqual([-50]);
    const record = (await rewardsState()).rewards.find((r) => r.transaction_id === issued.transactionId);
    expect(record?.status).toBe('REVERSED');
    // The reversal gave the 500 points back: 460 in the window, below the tier, so nothing is issued again.
    expect(entries.reduce((sum, e) => sum + e.delta, 0)).toBe(510 - TIER_POINTS - 50 + TIER_POINTS);
    expect(await eventsOf('reward.issued', agentId)).toHaveLength(1);
  }, 120_000);

  it('an export with malformed rows: the rest loads, the report names the rows (never their PII)', async () => {
    const good = uid('well-formed');
    const bad = uid('malformed');
    const pii = { agentName: 'Ada Lovelace', email: 'ada@example.com' };
    await genesys.fixtures({
      performance: [exportRow(good, 3), exportRow(bad, 3, { csatFiveStar: 'many', ...pii })],
    });
    try {
      const run = await ingest();
      expect(run.result).toMatchObject({ rowsLoaded: 1, failedDays: [] });
      expect(run.result!.rowsRejected).toBeGreaterThanOrEqual(1);
      const named = run.result!.malformed.filter((m) => m.fields.includes('csatFiveStar'));
      expect(named).toHaveLength(1);
      expect(named[0]!.rowRef).toMatch(new RegExp(`^${today} page \\d+ row \\d+$`));
      for (const value of Object.values(pii)) expect(JSON.stringify(run.result)).not.toContain(value);

      expect((await ledger().entries(good)).map((e) => e.delta)).toEqual([30]);
      expect(await ledger().entries(bad)).toEqual([]);
      // The event on the bus names the same rows and fields, and carries none of their values.
      const completed = await waitFor(async () =>
        (await domainEvents('rewards.ingestion.completed'))
          .map(
            (e) =>
              e.detail as {
                rowsRejected: number;
                rowsLoaded: number;
                status: string;
                malformedRows: { rowRef: string; fields: string[] }[];
              },
          )
          .find((d) => d.rowsLoaded === 1 && d.rowsRejected >= 1),
      );
      expect(completed.status).toBe('complete');
      expect(completed.malformedRows).toEqual(run.result!.malformed);
      expect(completed.malformedRows).toContainEqual({ rowRef: named[0]!.rowRef, fields: ['csatFiveStar'] });
      for (const value of [...Object.values(pii), bad, 'many'])
        expect(JSON.stringify(completed)).not.toContain(value);
    } finally {
      // Repaired, so later runs have nothing to reject.
      await genesys.fixtures({ performance: [exportRow(bad, 0)] });
    }
  }, 120_000);

  it('an export whose row count does not match its total: nothing loads for that day, the run fails; fixed, it loads', async () => {
    const agentId = await agentCrossingTheTier('total-mismatch');
    await genesys.config({ performanceExport: { totalOffsets: { [today]: 1 } } });
    let failedRun: Awaited<ReturnType<typeof ingest>>;
    try {
      failedRun = await ingest();
    } finally {
      await genesys.config({ performanceExport: { totalOffsets: { [today]: 0 } } });
    }
    expect(failedRun.error).toBe('local_runtime_error');
    expect(failedRun.message).toContain('EXPORT_TOTAL_MISMATCH');
    const failed = await waitFor(async () =>
      (await domainEvents('rewards.ingestion.completed'))
        .map((e) => e.detail as { status: string; failedDays: { date: string; reason: string }[] })
        .find((d) => d.status === 'failed'),
    );
    expect(failed.failedDays).toEqual([{ date: today, reason: 'EXPORT_TOTAL_MISMATCH' }]);
    expect(await ledger().entries(agentId)).toEqual([]);
    expect(await ledger().rowBooking(agentId, today)).toBeUndefined();

    // The watermark stayed on the day: the next run loads it, and the agent's reward follows.
    const next = await ingest();
    expect(next.result).toMatchObject({ failedDays: [] });
    await eventOf('reward.issued', agentId);
  }, 120_000);
  it('a PENDING answer is polled until it settles: one issue, then lookups, one reward', async () => {
    await rewards.config({ pendingIssues: { settleAfterMs: 1000 } });
    let agentId: string;
    try {
      agentId = await agentCrossingTheTier('pending');
      await ingest();
      // The first poll comes pendingPollSeconds (30 s locally, jittered) after the PENDING answer.
      const issued = await eventOf('reward.issued', agentId, 100_000);
      const posts = await callsFor(issued.transactionId, 'POST', ISSUE_PATH);
      expect(posts.map((r) => r.status)).toEqual([200]);
      const lookups = await callsFor(issued.transactionId, 'GET', '/v1/rewards/*');
      expect(lookups.length).toBeGreaterThanOrEqual(1);
      expect(lookups.every((r) => r.status === 200)).toBe(true);
      const record = (await rewardsState()).rewards.find((r) => r.transaction_id === issued.transactionId);
      expect(record).toMatchObject({ status: 'ISSUED', settled_at: expect.any(String) });
      expect((await ledger().entries(agentId)).filter((e) => e.kind === 'redemption')).toHaveLength(1);
      expect(await ledger().heldLock(agentId)).toBeUndefined();
    } finally {
      await rewards.config({ pendingIssues: null });
    }
  }, 150_000);

  it('a token that expires mid-run: no issue fails on a 401; a lapsing token is renewed before it is used', async () => {
    // The marketplace forgets every token (the one the workflow holds answers 401 from now on) and issues tokens
    // of 3 s. The reset also restores the seed catalog and clears the request log.
    await rewards.reset();
    await rewards.config({ tokenTtlSeconds: 3 });
    try {
      const first = await agentCrossingTheTier('token-revoked');
      await ingest();
      const firstIssued = await eventOf('reward.issued', first);
      // Past that token's lifetime: the next issue needs another one.
      await new Promise((r) => setTimeout(r, 3_500));
      const second = await agentCrossingTheTier('token-lapsed');
      await ingest();
      const secondIssued = await eventOf('reward.issued', second);

      const tokenRequests = await rewards.requests({ method: 'POST', path: '/oauth/token' });
      expect(tokenRequests.requests.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(2);
      // The held token's 401 was answered by a new token and the same issue again, within the call.
      expect((await callsFor(firstIssued.transactionId, 'POST', ISSUE_PATH)).map((r) => r.status)).toEqual([
        401, 200,
      ]);
      // The 3-second token was renewed before it lapsed: the second issue never saw a 401.
      expect((await callsFor(secondIssued.transactionId, 'POST', ISSUE_PATH)).map((r) => r.status)).toEqual([
        200,
      ]);
      for (const agentId of [first, second]) {
        expect(await eventsOf('reward.failed', agentId)).toEqual([]);
        expect(await eventsOf('reward.needs_review', agentId)).toEqual([]);
      }
    } finally {
      await rewards.config({ tokenTtlSeconds: 3600 });
    }
  }, 120_000);

  it('the marketplace limited to 1 request/s: every agent still gets its reward, no 429 reaches the DLQ', async () => {
    const { rateLimits } = (await rewards.config({})) as {
      rateLimits: Record<string, { ratePerSecond: number; burst: number }>;
    };
    await rewards.config({ rateLimits: { general: { ratePerSecond: 1, burst: 1 } } });
    try {
      const since = await rewardsLogMark();
      const agents: string[] = [];
      for (let i = 0; i < 5; i++) agents.push(uid('slow-market'));
      await genesys.fixtures({ performance: agents.map((a) => exportRow(a, 51)) });
      await ingest();
      for (const agentId of agents) await eventOf('reward.issued', agentId, 90_000);
      await evaluationsDrained();

      // The limit was felt (429s answered) and absorbed: none reached the DLQ, nothing failed.
      expect((await rewards.requests({ status: 429, since })).count).toBeGreaterThanOrEqual(1);
      const dead = (await peekDlq('reward-triggers')).filter((m) =>
        agents.includes((JSON.parse(m.Body ?? '{}') as { agentId?: string }).agentId ?? ''),
      );
      expect(dead).toEqual([]);
      for (const agentId of agents) {
        expect(await eventsOf('reward.issued', agentId)).toHaveLength(1);
        expect(await eventsOf('reward.failed', agentId)).toEqual([]);
      }
    } finally {
      await rewards.config({ rateLimits });
    }
  }, 150_000);

  it('a clawback the marketplace refuses: the debt is recorded once, the alarm path is taken, no retry forever', async () => {
    const agentId = await agentCrossingTheTier('clawback-refused');
    await ingest();
    const issued = await eventOf('reward.issued', agentId);
    await rewards.faults([{ method: 'DELETE', path: '/v1/rewards/*', status: 409, times: 100 }]);

    await genesys.fixtures({ performance: [exportRow(agentId, 51, { complianceViolations: 1 })] });
    await ingest();
    const refused = await eventOf('reward.clawback_refused', agentId);
    expect(refused).toMatchObject({ transactionId: issued.transactionId, reason: 'HTTP 409' });
    expect((refused as unknown as { debt: number }).debt).toBe(TIER_POINTS);

    // Later evaluations of the agent (a re-ingested day, a redelivery) do not ask again.
    await ingest();
    await sendToQueue('reward-triggers', JSON.stringify({ agentId, asOfDate: today }), {
      eventType: 'reward.evaluation',
      eventId: uid('again'),
    });
    await evaluationsDrained();
    expect(await callsFor(issued.transactionId, 'DELETE', '/v1/rewards/*')).toHaveLength(1);
    expect(await eventsOf('reward.clawback_refused', agentId)).toHaveLength(1);
    expect(await eventsOf('reward.reversed', agentId)).toEqual([]);
    const entries = await ledger().entries(agentId);
    expect(entries.filter((e) => e.kind === 'clawback-refused')).toHaveLength(1);
    expect(entries.filter((e) => e.kind === 'reversal')).toEqual([]);
    // The processor counts RewardClawbackRefused (its alarm) on the outcome it logs at WARN.
    const warned = await waitFor(async () =>
      processorLogLines(agentId).find(
        (l) => l.level === 'WARN' && (l.clawback as { result?: string } | undefined)?.result === 'refused',
      ),
    );
    expect(warned.message).toBe('reward evaluation processed');
  }, 150_000);
});
