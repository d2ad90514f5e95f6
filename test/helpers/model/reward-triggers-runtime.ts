/**
 * The reward-triggers model (./reward-triggers.ts) driven through the local runtime: its generated bookings,
 * written to the agent's ledger in DynamoDB Local as the ingestion writes them, each followed by an evaluation
 * message on the workflow's queue (as the ingestion fans out), with points-rule documents deployed through the
 * runtime's AppConfig and the marketplace sandbox's real faults; afterwards the same properties, checked against
 * the sandbox's rewards, the ledger, the Audit table, the bus and the DLQ.
 */
import { formatInTimeZone } from 'date-fns-tz';
import fc from 'fast-check';
import { LOCAL_AGENT_PSEUDONYM_KEY } from '../../../local/provision';
import { DynamoDbRewardLedgerStore } from '../../../shared/adapters/aws/reward-ledger-store';
import { agentPseudonym } from '../../../shared/domain/reward-triggers/agent-pseudonym';
import { LOCAL_POINTS_RULES } from '../../../shared/domain/reward-triggers/default-points-rules';
import type { LedgerEntry } from '../../../shared/domain/reward-triggers/ledger';
import { ddb, local, sandbox, waitFor } from '../local';
import {
  AGENT,
  checkDeadLetterReasons,
  checkRewardProperties,
  DOCUMENTS,
  type Failure,
  type History,
  type Step,
} from './reward-triggers';
import {
  applyRuntimeOnlyStep,
  armStateWriteFault,
  disarmStateWriteFaults,
  RuntimeHistory,
  runtimeOnlySteps,
  type RuntimeOnlyStep,
} from './runtime';

/**
 * Steps of a history through the runtime: the domain's, with `deliver` as "let the runtime settle", and the
 * runtime's own (./runtime.ts); State-table faults go through the runtime's DynamoDB fault switch. Not here:
 * PENDING issues (locally the first poll comes 30 s after the answer): those stay with the domain driver and
 * test/e2e/reward-triggers.test.ts.
 */
export type RuntimeStep = Step | RuntimeOnlyStep;

export const runtimeHistory: fc.Arbitrary<History<RuntimeStep>> = fc.record({
  pendingIssues: fc.constant(false),
  steps: fc.array(
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          book: fc.record({
            points: fc.constantFrom(100, 200, 300, 400, 500, -50, -100),
            copies: fc.integer({ min: 1, max: 2 }),
          }),
        }) as fc.Arbitrary<RuntimeStep>,
      },
      { weight: 2, arbitrary: fc.record({ deliver: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ rules: fc.constantFrom<'v1' | 'v2'>('v1', 'v2') }) },
      {
        weight: 2,
        arbitrary: fc.record({
          vendorFault: fc.record({
            call: fc.constantFrom<'issue' | 'lookup' | 'reverse'>('issue', 'issue', 'lookup', 'reverse'),
            failure: fc.constantFrom<Failure>('unavailable', 'throttled', 'timeout', 'connection-error'),
            commitFirst: fc.boolean(),
          }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          stateFault: fc.record({
            skip: fc.integer({ min: 0, max: 3 }),
            fault: fc.constantFrom<'throttled' | 'timeout-after-write'>('throttled', 'timeout-after-write'),
          }),
        }),
      },
      ...runtimeOnlySteps,
    ),
    { minLength: 4, maxLength: 12 },
  ),
});

const CALLS = {
  issue: { method: 'POST', path: '/v1/rewards/issue' },
  lookup: { method: 'GET', path: '/v1/rewards/' },
  reverse: { method: 'DELETE', path: '/v1/rewards/' },
};
/**
 * The domain's failures as the sandbox serves them, on one call. A timeout is a lost connection here: the
 * marketplace client waits 45 s for an answer (spec 004), too long for `npm test`.
 */
const ANSWERS: Record<Failure, object> = {
  unavailable: { status: 503 },
  throttled: { status: 429, retryAfterSeconds: 1 },
  timeout: { dropConnection: true },
  'connection-error': { dropConnection: true },
};

const rulesUrl = () => `${local().gatewayUrl}/_local/rules/reward-points-rules`;
async function deployRules(document: unknown): Promise<void> {
  const res = await fetch(rulesUrl(), {
    method: 'PUT',
    body: JSON.stringify(document),
    signal: AbortSignal.timeout(10_000),
  });
  expect(await res.json()).toMatchObject({ valid: true });
}

interface RewardsState {
  rewards: { transaction_id: string; status: string; agent_id: string }[];
}

export async function runRewardTriggersHistory(h: History<RuntimeStep>): Promise<string> {
  const rewards = sandbox('rewards');
  const run = new RuntimeHistory('reward-triggers');
  const agentId = run.physical(AGENT);
  const ledger = new DynamoDbRewardLedgerStore(ddb(), local().tables.State!);
  const asOfDate = formatInTimeZone(Date.now(), 'America/New_York', 'yyyy-MM-dd');
  const bookedOn = formatInTimeZone(Date.now() - 86_400_000, 'America/New_York', 'yyyy-MM-dd');
  const evaluation = JSON.stringify({ agentId, asOfDate });
  let booked = 0;

  await deployRules(DOCUMENTS.v1);
  try {
    for (const s of h.steps) {
      if ('book' in s) {
        // Booking is the ingestion's write (its own model is out of scope); the evaluations face the faults.
        // The workflow appends to the same ledger meanwhile: a position it took first is tried again.
        await waitFor(
          async () => {
            const entries = await ledger.entries(agentId);
            const entry: LedgerEntry = {
              kind: s.book.points > 0 ? 'credit' : 'debit',
              position: entries.length === 0 ? 1 : entries.at(-1)!.position + 1,
              agentId,
              date: bookedOn,
              delta: s.book.points,
              ruleVersion: 'points-v1',
              line: s.book.points > 0 ? 'csatFiveStar' : 'complianceViolations',
              correction: false,
            };
            return (await ledger.append([entry])) === 'written';
          },
          { what: `the booking of ${s.book.points} points at a free ledger position` },
        );
        const eventId = run.physical(`evaluation-${++booked}`);
        for (let copy = 0; copy < s.book.copies; copy++)
          await run.enqueue({ eventId, eventType: 'reward.evaluation', body: evaluation });
      } else if ('deliver' in s) await run.settle();
      else if ('rules' in s) await deployRules(DOCUMENTS[s.rules]);
      else if ('vendorFault' in s) {
        const { call, failure, commitFirst } = s.vendorFault;
        await rewards.faults([{ ...CALLS[call], ...ANSWERS[failure], commitFirst, times: 1 }]);
        run.faultsInjected++;
      } else if ('stateFault' in s) await armStateWriteFault(run, s.stateFault.fault);
      else await applyRuntimeOnlyStep(run, rewards, '/v1/', s);
    }
    await run.settle();
  } finally {
    await rewards.clearFaults();
    await disarmStateWriteFaults(run);
  }
  try {
    if (await run.replayDeadLetters()) await run.settle();
    // The next day's ingestion evaluates the agent again: whatever is still owed is issued then.
    await run.enqueue({
      eventId: run.physical('evaluation-final'),
      eventType: 'reward.evaluation',
      body: evaluation,
    });
    await run.settle();
  } finally {
    await deployRules(LOCAL_POINTS_RULES);
  }

  const pseudonym = agentPseudonym(agentId, LOCAL_AGENT_PSEUDONYM_KEY);
  const theirs = (await rewards.state<RewardsState>()).rewards.filter((r) => r.agent_id === pseudonym);
  const held = run.logical(await ledger.heldLock(agentId));
  const transactionIds = [...theirs.map((r) => r.transaction_id), ...(held ? [held.lock.transactionId] : [])];
  checkRewardProperties({
    entries: run.logical(await ledger.entries(agentId)),
    rewards: theirs,
    held,
    audit: await run.audit(transactionIds),
    events: await run.events(transactionIds),
  });
  checkDeadLetterReasons(await run.deadLetters());
  return run.summary({
    booked,
    issued: theirs.filter((r) => r.status === 'ISSUED' || r.status === 'REVERSED').length,
    reversed: theirs.filter((r) => r.status === 'REVERSED').length,
  });
}
