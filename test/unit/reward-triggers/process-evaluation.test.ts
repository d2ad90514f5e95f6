import { InMemoryAuditLog, InMemoryEventPublisher } from '../../../shared/adapters/aws/platform.fake';
import { InMemoryRewardLedgerStore } from '../../../shared/adapters/aws/reward-ledger-store.fake';
import { FakeRewardMarketplace } from '../../../shared/adapters/rewards/marketplace.fake';
import { balance, type LedgerEntry } from '../../../shared/domain/reward-triggers/ledger';
import {
  processEvaluation,
  type EvaluationDeps,
} from '../../../shared/domain/reward-triggers/process-evaluation';
import { PermanentFailure, RetryableFailure, RetryLater } from '../../../shared/errors';
import { VirtualClock } from '../../helpers/virtual-clock';
import { localRules, PSEUDONYM_KEY } from './fixtures';

const agentId = 'agent-4821';
const asOf = { agentId, asOfDate: '2026-05-15' };

function setup() {
  const clock = new VirtualClock(Date.parse('2026-05-15T10:00:00Z'));
  const ledger = new InMemoryRewardLedgerStore();
  const marketplace = new FakeRewardMarketplace({ now: () => clock.now() });
  marketplace.catalog.set('gift_card_50_usd', { inventory: 5 });
  const audit = new InMemoryAuditLog();
  const events = new InMemoryEventPublisher();
  const deps: EvaluationDeps = {
    ledger,
    marketplace,
    rules: { current: async () => ({ document: localRules(), version: localRules().version }) },
    audit,
    events,
    clock,
    pseudonymKey: async () => PSEUDONYM_KEY,
    settings: {
      pendingDeadlineSeconds: 600,
      pendingPollSeconds: 30,
      issueRetrySeconds: 5,
      exportVersion: 'v2.1',
    },
  };
  return { clock, ledger, marketplace, audit, events, deps };
}

async function credit(
  ledger: InMemoryRewardLedgerStore,
  points: number,
  kind: 'credit' | 'debit' = 'credit',
) {
  const position = (await ledger.entries(agentId)).length + 1;
  const entry: LedgerEntry = {
    kind,
    position,
    agentId,
    date: '2026-05-14',
    delta: points,
    ruleVersion: 'local-v1',
    line: kind === 'credit' ? 'csatFiveStar' : 'complianceViolations',
    correction: false,
  };
  expect(await ledger.append([entry])).toBe('written');
}

/** Delivers the evaluation until it settles, as the queue would (a RetryLater comes back later). */
async function deliverUntilSettled(s: ReturnType<typeof setup>, max = 10) {
  for (let i = 0; i < max; i++) {
    try {
      return await processEvaluation(asOf, s.deps);
    } catch (err) {
      if (!(err instanceof RetryLater)) throw err;
      s.clock.advance(err.delaySeconds * 1000);
    }
  }
  throw new Error('never settled');
}

const issues = (m: FakeRewardMarketplace) => m.calls.filter((c) => c.call === 'issue');

describe('reward evaluation and issuing', () => {
  it('an evaluation overtaken between its ledger read and its lock read by another settling the reward takes no lock on the stale head', async () => {
    // Found end to end (test/e2e/model-runs.test.ts, MODEL_SEED=20261202): two evaluations of one agent; the
    // second read the ledger before the first recorded the redemption and the lock after the first released it.
    const s = setup();
    await credit(s.ledger, 550);
    let overtaken = false;
    const overtakenLedger = Object.assign(Object.create(s.ledger) as InMemoryRewardLedgerStore, {
      heldLock: async (id: string) => {
        if (!overtaken) {
          overtaken = true;
          expect(await processEvaluation(asOf, s.deps)).toMatchObject({ outcome: 'issued' });
        }
        return s.ledger.heldLock(id);
      },
    });
    await expect(processEvaluation(asOf, { ...s.deps, ledger: overtakenLedger })).rejects.toThrow(
      RetryableFailure,
    );
    expect(await processEvaluation(asOf, s.deps)).toMatchObject({ outcome: 'below-threshold' });
    const entries = await s.ledger.entries(agentId);
    expect(entries.filter((e) => e.kind === 'redemption')).toHaveLength(1);
    expect(balance(entries)).toBe(50);
    expect(await s.ledger.heldLock(agentId)).toBeUndefined();
    expect(s.marketplace.rewards()).toHaveLength(1);
  });

  it('an agent at 500 points gets one reward: redemption recorded, lock released, reward.issued, audited', async () => {
    const s = setup();
    await credit(s.ledger, 550);
    expect(await processEvaluation(asOf, s.deps)).toMatchObject({ outcome: 'issued' });
    expect(await processEvaluation(asOf, s.deps)).toMatchObject({
      outcome: 'below-threshold',
      windowPoints: 50,
    });
    expect(issues(s.marketplace)).toHaveLength(1);
    expect(s.marketplace.rewards().map((r) => r.status)).toEqual(['ISSUED']);
    const body = issues(s.marketplace)[0]!.body!;
    expect(body.agent_id).not.toContain(agentId);
    expect(JSON.stringify(body)).not.toContain(agentId);
    expect((await s.ledger.entries(agentId)).at(-1)).toMatchObject({ kind: 'redemption', delta: -500 });
    expect(await s.ledger.heldLock(agentId)).toBeUndefined();
    expect(s.events.events.map((e) => e.type)).toEqual(['reward.issued']);
    expect(s.audit.records.map((r) => r.action)).toEqual(['ISSUED']);
  });

  it("an issuing evaluation reads the agent's whole ledger once; the settling write reads only its head", async () => {
    const s = setup();
    await credit(s.ledger, 550);
    const entries = jest.spyOn(s.ledger, 'entries');
    const heads = jest.spyOn(s.ledger, 'headPosition');
    expect(await processEvaluation(asOf, s.deps)).toMatchObject({ outcome: 'issued' });
    expect(entries).toHaveBeenCalledTimes(1);
    expect(heads).toHaveBeenCalledTimes(1);
    expect((await s.ledger.entries(agentId)).map((e) => [e.position, e.kind])).toEqual([
      [1, 'credit'],
      [2, 'redemption'],
    ]);
  });

  it('REJECTED: no reward, the points unlocked with an issue-rejected entry, reward.failed', async () => {
    const s = setup();
    s.marketplace.catalog.set('gift_card_50_usd', { inventory: 0 });
    await credit(s.ledger, 500);
    expect(await processEvaluation(asOf, s.deps)).toMatchObject({
      outcome: 'rejected',
      reason: 'INSUFFICIENT_INVENTORY',
    });
    expect(await s.ledger.heldLock(agentId)).toBeUndefined();
    expect((await s.ledger.entries(agentId)).at(-1)).toMatchObject({ kind: 'issue-rejected', delta: 0 });
    expect(balance(await s.ledger.entries(agentId))).toBe(500);
    expect(s.events.events[0]).toMatchObject({
      type: 'reward.failed',
      detail: { failure: 'REWARD_FAILURE' },
    });
  });

  it('503 twice, then success: one reward, three issue attempts, a lookup before each retry', async () => {
    const s = setup();
    await credit(s.ledger, 500);
    s.marketplace.failNext('issue', { kind: 'http', status: 503, body: {} });
    s.marketplace.failNext('issue', { kind: 'http', status: 503, body: {} });
    expect(await deliverUntilSettled(s)).toMatchObject({ outcome: 'issued' });
    expect(s.marketplace.calls.map((c) => c.call)).toEqual(['issue', 'lookup', 'issue', 'lookup', 'issue']);
    expect(new Set(s.marketplace.calls.map((c) => c.transactionId)).size).toBe(1);
    expect(s.marketplace.rewards()).toHaveLength(1);
  });

  it('commit then fail: the lookup finds the reward ISSUED, no second issue', async () => {
    const s = setup();
    await credit(s.ledger, 500);
    s.marketplace.failNext('issue', { kind: 'timeout', phase: 'read' }, { commitFirst: true });
    expect(await deliverUntilSettled(s)).toMatchObject({ outcome: 'issued' });
    expect(s.marketplace.calls.map((c) => c.call)).toEqual(['issue', 'lookup']);
    expect((await s.ledger.entries(agentId)).filter((e) => e.kind === 'redemption')).toHaveLength(1);
  });

  it('PENDING is polled until it settles', async () => {
    const s = setup();
    await credit(s.ledger, 500);
    s.marketplace.pendingIssues = { settleAfterMs: 60_000, settleAs: 'ISSUED' };
    expect(await deliverUntilSettled(s)).toMatchObject({ outcome: 'issued' });
    expect(issues(s.marketplace)).toHaveLength(1);
  });

  it('a 400 goes to manual review: no retry, the points stay locked', async () => {
    const s = setup();
    await credit(s.ledger, 500);
    s.marketplace.failNext('issue', { kind: 'http', status: 400, body: { error: 'bad' } });
    await expect(processEvaluation(asOf, s.deps)).rejects.toMatchObject({ reason: 'REWARD_MANUAL_REVIEW' });
    await expect(processEvaluation(asOf, s.deps)).resolves.toMatchObject({
      outcome: 'awaiting-administrator',
    });
    expect(issues(s.marketplace)).toHaveLength(1);
    expect(await s.ledger.heldLock(agentId)).toBeDefined();
  });

  it('three failed attempts alert the administrators', async () => {
    const s = setup();
    await credit(s.ledger, 500);
    for (let i = 0; i < 6; i++) s.marketplace.failNext('issue', { kind: 'http', status: 504, body: {} });
    await expect(deliverUntilSettled(s)).rejects.toBeInstanceOf(PermanentFailure);
    expect(issues(s.marketplace)).toHaveLength(3);
    expect(s.audit.records.at(-1)?.action).toBe('REWARD_ATTEMPTS_EXHAUSTED');
  });

  it('a penalty that takes an issued agent below zero reverses the reward once', async () => {
    const s = setup();
    await credit(s.ledger, 500);
    await processEvaluation(asOf, s.deps);
    await credit(s.ledger, -50, 'debit');
    expect(await processEvaluation(asOf, s.deps)).toMatchObject({ clawback: { result: 'reversed' } });
    expect(await processEvaluation(asOf, s.deps)).not.toHaveProperty('clawback.result');
    expect(s.marketplace.calls.filter((c) => c.call === 'reverse')).toHaveLength(1);
    expect(s.marketplace.rewards()[0]?.status).toBe('REVERSED');
    expect(s.events.events.map((e) => e.type)).toEqual(['reward.issued', 'reward.reversed']);
  });

  it('a refused reversal records the debt once and does not try again', async () => {
    const s = setup();
    await credit(s.ledger, 500);
    await processEvaluation(asOf, s.deps);
    s.marketplace.failNext('reverse', { kind: 'http', status: 409, body: { error: 'conflict' } });
    await credit(s.ledger, -50, 'debit');
    expect(await processEvaluation(asOf, s.deps)).toMatchObject({ clawback: { result: 'refused' } });
    await processEvaluation(asOf, s.deps);
    expect(s.marketplace.calls.filter((c) => c.call === 'reverse')).toHaveLength(1);
    expect((await s.ledger.entries(agentId)).at(-1)).toMatchObject({ kind: 'clawback-refused' });
  });
});
