/**
 * One contract for the reward marketplace port, run against the in-memory fake and against the real adapter
 * talking HTTP to the rewards sandbox (DESIGN section 3). Every answer is read by the domain's own
 * issue-outcome.ts, so the contract is "what the workflow will decide", not raw HTTP.
 */
import { randomInt } from 'node:crypto';
import {
  MARKETPLACE_RETRY,
  RewardMarketplaceAdapter,
  TransactionIdRefused,
} from '../../shared/adapters/rewards/marketplace';
import { FakeRewardMarketplace } from '../../shared/adapters/rewards/marketplace.fake';
import {
  ISSUE_METADATA_FIELDS,
  ISSUE_REQUEST_FIELDS,
  IssueRequestRefused,
  type RewardsIssueRequest,
} from '../../shared/contracts/rewards-issue.schema';
import { agentPseudonym } from '../../shared/domain/reward-triggers/agent-pseudonym';
import {
  classifyAnswer,
  nextStepAfterIssue,
  nextStepAfterLookup,
} from '../../shared/domain/reward-triggers/issue-outcome';
import type { RewardMarketplace } from '../../shared/domain/reward-triggers/ports';
import { rewardTransactionId } from '../../shared/domain/reward-triggers/transaction-id';
import { useRewardsSandbox } from '../helpers/rewards-sandbox';

const INTEGRATION_ID = 'GENESYS-WFM-INTEGRATION-01';
const KEY = 'contract-test-pseudonym-key-32-bytes!';

interface Sent {
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly integrationId: string | undefined;
}

interface Subject {
  port: RewardMarketplace;
  setInventory(rewardType: string, units: number): Promise<void>;
  /** The same id with another payload answers 409 (the sandbox's `payloadMismatch: "conflict"`). */
  conflictOnPayloadMismatch(): Promise<void>;
  /** New issues answer PENDING until `settle`. */
  pendingUntilSettled(): Promise<void>;
  settle(transactionId: string): Promise<void>;
  /** The next issue commits, then answers 503 or loses its connection. */
  commitThenFail(how: '503' | 'drop'): Promise<void>;
  rewards(): Promise<{ transaction_id: string; status: string }[]>;
  /** Every issue request that reached the marketplace. */
  sentIssues(): Promise<Sent[]>;
}

const sandbox = useRewardsSandbox();

const subjects: [string, () => Promise<Subject>][] = [
  [
    'fake',
    async () => {
      const fake = new FakeRewardMarketplace();
      fake.catalog.set('gift_card_50_usd', { inventory: 100, pointsCost: 500 });
      return {
        port: fake,
        setInventory: async (type, units) => {
          fake.catalog.set(type, { ...fake.catalog.get(type), inventory: units });
        },
        conflictOnPayloadMismatch: async () => {
          fake.payloadMismatch = 'conflict';
        },
        pendingUntilSettled: async () => {
          fake.pendingIssues = { settleAfterMs: null, settleAs: 'ISSUED' };
        },
        settle: async (id) => fake.settle(id),
        commitThenFail: async (how) =>
          fake.failNext(
            'issue',
            how === '503'
              ? { kind: 'http', status: 503, body: { error: 'service.unavailable' } }
              : { kind: 'connection-error', code: 'UND_ERR_SOCKET' },
            { commitFirst: true },
          ),
        rewards: async () => fake.rewards(),
        sentIssues: async () =>
          fake.calls
            .filter((c) => c.call === 'issue')
            .map((c) => ({ body: c.body, requestId: c.transactionId, integrationId: INTEGRATION_ID })),
      };
    },
  ],
  [
    'adapter against the sandbox',
    async () => {
      const { admin, http } = await sandbox.connect();
      return {
        port: new RewardMarketplaceAdapter(http, { integrationId: INTEGRATION_ID }),
        setInventory: async (type, units) => {
          await admin.fixtures({ inventory: { [type]: units } });
        },
        conflictOnPayloadMismatch: async () => {
          await admin.config({ payloadMismatch: 'conflict' });
        },
        pendingUntilSettled: async () => {
          await admin.config({ pendingIssues: { settleAfterMs: null } });
        },
        settle: async (id) => {
          await admin.fixtures({ settle: [{ transactionId: id }] });
        },
        commitThenFail: async (how) => {
          await admin.faults([
            {
              method: 'POST',
              path: '/v1/rewards/issue',
              commitFirst: true,
              ...(how === '503' ? { status: 503 } : { dropConnection: true }),
            },
          ]);
        },
        rewards: async () =>
          (await admin.state<{ rewards: { transaction_id: string; status: string }[] }>()).rewards,
        sentIssues: async () =>
          (await admin.requests({ path: '/v1/rewards/issue', method: 'POST' })).requests.map((r) => ({
            body: r.body,
            requestId: r.headers['x-request-id'],
            integrationId: r.headers['x-integration-id'],
          })),
      };
    },
  ],
];

describe('the marketplace client is composed without automatic 5xx or network retries', () => {
  it('MARKETPLACE_RETRY turns them off (the workflow counts attempts), and keeps 429 retries', () => {
    expect(MARKETPLACE_RETRY).toEqual({ serverErrorRetries: 0, gatewayErrorRetries: 0, networkAttempts: 1 });
  });
});

describe.each(subjects)('reward marketplace contract: %s', (_name, make) => {
  let subject: Subject;
  let agent: ReturnType<typeof agentPseudonym>;
  let transactionId: string;
  let request: RewardsIssueRequest;

  beforeEach(async () => {
    subject = await make();
    agent = agentPseudonym(`agent-${randomInt(1e9)}`, KEY);
    transactionId = rewardTransactionId({ agent, rewardType: 'gift_card_50_usd', earnedAtPosition: 41 });
    request = {
      agent_id: agent,
      reward_type: 'gift_card_50_usd',
      points_consumed: 500,
      transaction_timestamp: '2026-05-16T02:30:00.000Z',
      metadata: { source_platform: 'Genesys Cloud CX', wfm_export_version: 'v2.1', rule_version: 'local-v1' },
    };
  });

  const statuses = async () => (await subject.rewards()).map((r) => [r.transaction_id, r.status]);

  it('issues: the body says ISSUED, the workflow records it; the request carries only allowlisted fields', async () => {
    const answer = await subject.port.issue(request, transactionId);
    expect(answer).toMatchObject({
      kind: 'http',
      status: 200,
      body: { status: 'ISSUED', transaction_id: transactionId },
    });
    expect(nextStepAfterIssue(answer, 1).next).toEqual({
      step: 'record-issued',
      rewardId: expect.stringMatching(/^rwd_/),
    });
    const [sent] = await subject.sentIssues();
    expect(sent).toEqual({ body: request, requestId: transactionId, integrationId: INTEGRATION_ID });
    expect(Object.keys(sent!.body as object).sort()).toEqual([...ISSUE_REQUEST_FIELDS].sort());
    expect(Object.keys((sent!.body as { metadata: object }).metadata).sort()).toEqual(
      [...ISSUE_METADATA_FIELDS].sort(),
    );
  });

  it('replays the same id and payload: the same answer, one reward', async () => {
    const first = await subject.port.issue(request, transactionId);
    const again = await subject.port.issue(request, transactionId);
    expect(again).toEqual(first);
    expect(await statuses()).toEqual([[transactionId, 'ISSUED']]);
  });

  it('answers 409 to the same id with another payload: manual review, still one reward', async () => {
    await subject.conflictOnPayloadMismatch();
    await subject.port.issue(request, transactionId);
    const changed = await subject.port.issue({ ...request, points_consumed: 900 }, transactionId);
    expect(changed).toMatchObject({ kind: 'http', status: 409 });
    expect(nextStepAfterIssue(changed, 1).next).toMatchObject({ step: 'manual-review' });
    expect(await statuses()).toEqual([[transactionId, 'ISSUED']]);
  });

  it('answers 200 with REJECTED when inventory is out: a REWARD_FAILURE, points unlocked', async () => {
    await subject.setInventory('gift_card_50_usd', 0);
    const answer = await subject.port.issue(request, transactionId);
    expect(answer).toMatchObject({ kind: 'http', status: 200, body: { status: 'REJECTED' } });
    expect(nextStepAfterIssue(answer, 1).next).toEqual({
      step: 'unlock-and-fail',
      reason: 'INSUFFICIENT_INVENTORY',
    });
  });

  it('answers PENDING, which is not success; the lookup reads ISSUED once it settles', async () => {
    await subject.pendingUntilSettled();
    const answer = await subject.port.issue(request, transactionId);
    expect(classifyAnswer(answer)).toEqual({ outcome: 'PENDING' });
    expect(nextStepAfterIssue(answer, 1).next).toEqual({ step: 'poll' });
    expect(classifyAnswer(await subject.port.lookup(transactionId))).toEqual({ outcome: 'PENDING' });
    await subject.settle(transactionId);
    const settled = await subject.port.lookup(transactionId);
    expect(nextStepAfterLookup(settled, 1).next).toMatchObject({ step: 'record-issued' });
    expect(await statuses()).toEqual([[transactionId, 'ISSUED']]);
  });

  it.each(['503', 'drop'] as const)(
    '"commit then fail" (%s): ambiguous, so a lookup comes first, finds ISSUED, and no second issue is sent',
    async (how) => {
      await subject.commitThenFail(how);
      const failed = await subject.port.issue(request, transactionId);
      expect(failed).toEqual(
        how === '503'
          ? expect.objectContaining({ kind: 'http', status: 503 })
          : expect.objectContaining({ kind: 'connection-error' }),
      );
      expect(nextStepAfterIssue(failed, 1).next).toEqual({ step: 'retry', attempt: 2, lookupFirst: true });
      const found = await subject.port.lookup(transactionId);
      expect(nextStepAfterLookup(found, 1).next).toMatchObject({ step: 'record-issued' });
      expect(await subject.sentIssues()).toHaveLength(1);
      expect(await statuses()).toEqual([[transactionId, 'ISSUED']]);
    },
  );

  it('answers 404 to the lookup of an id never issued: the retry may send it, without another lookup', async () => {
    const answer = await subject.port.lookup(transactionId);
    expect(classifyAnswer(answer)).toEqual({ outcome: 'NOT_FOUND' });
    expect(nextStepAfterLookup(answer, 1).next).toEqual({ step: 'retry', attempt: 2, lookupFirst: false });
  });

  it('reverses an issued reward once; the second reversal is a no-op with the same REVERSED', async () => {
    await subject.port.issue(request, transactionId);
    const first = await subject.port.reverse(transactionId);
    expect(first).toMatchObject({ kind: 'http', status: 200, body: { status: 'REVERSED' } });
    const again = await subject.port.reverse(transactionId);
    expect(again).toMatchObject({ kind: 'http', status: 200, body: { status: 'REVERSED' } });
    expect((again as { body: { reversed_at: string } }).body.reversed_at).toBe(
      (first as { body: { reversed_at: string } }).body.reversed_at,
    );
    expect(await statuses()).toEqual([[transactionId, 'REVERSED']]);
  });

  it('refuses to reverse a reward that was not issued (409) and an unknown one (404)', async () => {
    expect(await subject.port.reverse(transactionId)).toMatchObject({ kind: 'http', status: 404 });
    await subject.setInventory('gift_card_50_usd', 0);
    await subject.port.issue(request, transactionId);
    expect(await subject.port.reverse(transactionId)).toMatchObject({ kind: 'http', status: 409 });
  });

  it('refuses, before sending anything, a field off the allowlist, a raw agent id, or an id that is not a GUID', async () => {
    const smuggled = { ...request, agent_email: 'ana.lopez@example.com' } as RewardsIssueRequest;
    await expect(subject.port.issue(smuggled, transactionId)).rejects.toBeInstanceOf(IssueRequestRefused);
    await expect(
      subject.port.issue({ ...request, agent_id: 'agent-4821' }, transactionId),
    ).rejects.toBeInstanceOf(IssueRequestRefused);
    await expect(subject.port.issue(request, 'agent-4821')).rejects.toBeInstanceOf(TransactionIdRefused);
    await expect(subject.port.lookup('ana.lopez@example.com')).rejects.toBeInstanceOf(TransactionIdRefused);
    expect(await subject.sentIssues()).toEqual([]);
  });
});
