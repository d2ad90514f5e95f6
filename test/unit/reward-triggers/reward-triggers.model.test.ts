/**
 * Issue 14, spec 004: generated histories of one agent's ledger (credits and debits as the ingestion books them,
 * each followed by an evaluation message; duplicates, reorderings, concurrent deliveries, rule-document changes)
 * under marketplace faults (503/429/timeouts/connection errors, commit-then-fail, PENDING that settles later) and
 * State-table faults, delivered at least once through the real batch runner. After each history, an operator's
 * replay of the DLQ and one last evaluation: the marketplace and the ledger agree reward by reward, no reward is
 * issued twice, nothing owed is left unissued, every message is accounted for, and the audit trail and domain
 * events tell the marketplace's story.
 *
 * A failure prints the seed and the shrunk history; MODEL_SEED / MODEL_RUNS replay or widen a run.
 */
import fc from 'fast-check';
import type { StateWriteFault } from '../../../shared/adapters/aws/dynamodb-faults.fake';
import { InMemoryAuditLog, InMemoryEventPublisher } from '../../../shared/adapters/aws/platform.fake';
import { InMemoryRewardLedgerStore } from '../../../shared/adapters/aws/reward-ledger-store.fake';
import { FakeRewardMarketplace } from '../../../shared/adapters/rewards/marketplace.fake';
import { REWARD_TRIGGERS_FAILURE_REASONS } from '../../../shared/domain/reward-triggers/failure-reasons';
import type { MarketplaceAnswer } from '../../../shared/domain/reward-triggers/issue-outcome';
import { balance, type LedgerEntry } from '../../../shared/domain/reward-triggers/ledger';
import {
  parsePointsRuleDocument,
  type PointsRuleDocument,
} from '../../../shared/domain/reward-triggers/points-rules.schema';
import { LOCAL_POINTS_RULES } from '../../../shared/domain/reward-triggers/default-points-rules';
import {
  processEvaluation,
  RewardEvaluationMessage,
  type EvaluationDeps,
} from '../../../shared/domain/reward-triggers/process-evaluation';
import { DEFERRAL_EXHAUSTED, readMessage } from '../../../shared/runtime/sqs-processor';
import { SimulatedQueue } from '../../helpers/model/delivery';
import { modelRunParameters } from '../../helpers/model/parameters';
import { VirtualClock } from '../../helpers/virtual-clock';
import { PSEUDONYM_KEY } from './fixtures';

const AGENT = 'agent-4821';
const AS_OF = '2026-05-15';

function document(version: string, tierPoints: number): PointsRuleDocument {
  const parsed = parsePointsRuleDocument({
    ...LOCAL_POINTS_RULES,
    version,
    tiers: [{ rewardType: 'gift_card_50_usd', points: tierPoints }],
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.document;
}
/** An administrator moves the reward's threshold between 500 and 300 points. */
const DOCUMENTS = { v1: document('points-v1', 500), v2: document('points-v2', 300) };
type DocumentName = keyof typeof DOCUMENTS;

type Failure = 'unavailable' | 'throttled' | 'timeout' | 'connection-error';
const FAILURES: Record<Failure, MarketplaceAnswer> = {
  unavailable: { kind: 'http', status: 503, body: { error: 'unavailable' } },
  throttled: { kind: 'http', status: 429, body: { error: 'rate_limited' } },
  timeout: { kind: 'timeout', phase: 'read' },
  'connection-error': { kind: 'connection-error', code: 'ECONNRESET' },
};

type Step =
  /** The ingestion books points (a debit when negative) and fans out an evaluation, `copies` times. */
  | { readonly book: { points: number; copies: number } }
  | { readonly deliver: readonly number[] }
  | { readonly rules: DocumentName }
  | {
      readonly vendorFault: {
        call: 'issue' | 'lookup' | 'reverse';
        failure: Failure;
        commitFirst: boolean;
      };
    }
  | { readonly stateFault: { skip: number; fault: StateWriteFault } };

interface History {
  readonly pendingIssues: boolean;
  readonly steps: readonly Step[];
}

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      book: fc.record({
        points: fc.constantFrom(100, 200, 300, 400, 500, -50, -100),
        copies: fc.integer({ min: 1, max: 2 }),
      }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ deliver: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ rules: fc.constantFrom<DocumentName>('v1', 'v2') }) },
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
        fault: fc.constantFrom<StateWriteFault>('throttled', 'timeout-after-write'),
      }),
    }),
  },
);

const history: fc.Arbitrary<History> = fc.record({
  pendingIssues: fc.boolean(),
  steps: fc.array(step, { maxLength: 40 }),
});

function setup(h: History) {
  const clock = new VirtualClock(Date.parse('2026-05-15T10:00:00Z'));
  const ledger = new InMemoryRewardLedgerStore();
  const marketplace = new FakeRewardMarketplace({ now: () => clock.now() });
  marketplace.catalog.set('gift_card_50_usd', { inventory: 1000 });
  if (h.pendingIssues) marketplace.pendingIssues = { settleAfterMs: 60_000, settleAs: 'ISSUED' };
  let inForce: DocumentName = 'v1';
  const deps: EvaluationDeps & { audit: InMemoryAuditLog; events: InMemoryEventPublisher } = {
    ledger,
    marketplace,
    rules: {
      current: async () => ({ document: DOCUMENTS[inForce], version: DOCUMENTS[inForce].version }),
    },
    audit: new InMemoryAuditLog(),
    events: new InMemoryEventPublisher(),
    clock,
    pseudonymKey: async () => PSEUDONYM_KEY,
    settings: {
      pendingDeadlineSeconds: 600,
      pendingPollSeconds: 30,
      issueRetrySeconds: 5,
      exportVersion: 'v2.1',
    },
  };
  const queue = new SimulatedQueue(async (message) => {
    await processEvaluation(readMessage(message, RewardEvaluationMessage, 'a reward evaluation'), deps);
  }, clock);
  return { clock, ledger, marketplace, deps, queue, useRules: (name: DocumentName) => (inForce = name) };
}

async function runHistory(h: History) {
  const t = setup(h);
  const { ledger, marketplace, queue } = t;
  let booked = 0;
  const sent = new Map<string, number>();
  for (const s of h.steps) {
    if ('book' in s) {
      const entries = await ledger.entries(AGENT);
      const position = entries.length === 0 ? 1 : entries.at(-1)!.position + 1;
      const entry: LedgerEntry = {
        kind: s.book.points > 0 ? 'credit' : 'debit',
        position,
        agentId: AGENT,
        date: '2026-05-14',
        delta: s.book.points,
        ruleVersion: 'points-v1',
        line: s.book.points > 0 ? 'csatFiveStar' : 'complianceViolations',
        correction: false,
      };
      // Booking is the ingestion's write (its own model is out of scope); only the evaluation faces faults.
      const faults = ledger.writeFaults.queue.splice(0);
      expect(await ledger.append([entry])).toBe('written');
      ledger.writeFaults.queue.push(...faults);
      const eventId = `evaluation-${++booked}`;
      for (let copy = 0; copy < s.book.copies; copy++) {
        sent.set(eventId, (sent.get(eventId) ?? 0) + 1);
        queue.send(eventId, { agentId: AGENT, asOfDate: AS_OF }, 'reward.evaluation');
      }
    } else if ('deliver' in s) await queue.deliver(s.deliver);
    else if ('rules' in s) t.useRules(s.rules);
    else if ('vendorFault' in s)
      marketplace.failNext(s.vendorFault.call, FAILURES[s.vendorFault.failure], {
        commitFirst: s.vendorFault.commitFirst,
      });
    else ledger.writeFaults.queue.push(...Array<'none'>(s.stateFault.skip).fill('none'), s.stateFault.fault);
  }
  await queue.drain();
  marketplace.clearFailures();
  ledger.writeFaults.queue.length = 0;
  queue.replayDeadLetters();
  await queue.drain();
  // The next day's ingestion evaluates the agent again: whatever is still owed is issued then.
  sent.set('evaluation-final', 1);
  queue.send('evaluation-final', { agentId: AGENT, asOfDate: AS_OF }, 'reward.evaluation');
  await queue.drain();
  return { ...t, sent };
}

async function checkProperties(h: History, r: Awaited<ReturnType<typeof runHistory>>) {
  const { ledger, marketplace, deps, queue, sent } = r;
  const entries = await ledger.entries(AGENT);
  const rewards = marketplace.rewards();
  const held = await ledger.heldLock(AGENT);

  // No vendor-side duplicate: one marketplace transaction per earning position.
  const earned = rewards.map((w) => w.transaction_id);
  expect(new Set(earned).size).toBe(earned.length);

  // The marketplace and the ledger agree, reward by reward.
  const settled = (kind: LedgerEntry['kind']) =>
    entries
      .filter((e) => e.kind === kind)
      .map((e) => ('transactionId' in e ? e.transactionId : ''))
      .sort();
  const atVendor = (...statuses: string[]) =>
    rewards
      .filter((w) => statuses.includes(w.status))
      .map((w) => w.transaction_id)
      .filter((id) => id !== held?.lock.transactionId)
      .sort();
  expect({ redeemed: settled('redemption') }).toEqual({ redeemed: atVendor('ISSUED', 'REVERSED') });
  expect({ reversed: settled('reversal') }).toEqual({
    reversed: atVendor('REVERSED').filter((id) => !settled('clawback-refused').includes(id)),
  });
  expect({ rejected: settled('issue-rejected') }).toEqual({ rejected: atVendor('REJECTED') });

  // Nothing owed is left: below the threshold in force, or its reward in the administrators' hands.
  if (held) {
    // The administrators were told (the audit entry and `reward.needs_review`).
    const reason = held.progress.heldFor?.split(':')[0];
    expect(reason).toBeDefined();
    const about = `reward#${held.lock.transactionId}`;
    expect(deps.audit.records.filter((a) => a.subject === about).map((a) => a.action)).toContain(reason);
    expect(
      deps.events.events.filter((e) => e.type === 'reward.needs_review').map((e) => e.detail.transactionId),
    ).toContain(held.lock.transactionId);
  } else {
    const thresholds = Object.values(DOCUMENTS).map((d) => d.tiers[0]!.points);
    expect(balance(entries)).toBeLessThan(Math.max(...thresholds));
  }

  // Every message is accounted for: processed, or dead-lettered with a documented reason.
  for (const [eventId, copies] of sent) {
    const processed = queue.processed.filter((p) => p.eventId === eventId).length;
    const dead = queue.deadLettered.filter((d) => d.eventId === eventId).length;
    expect({ eventId, accountedFor: processed + dead }).toEqual({ eventId, accountedFor: copies });
  }
  for (const d of queue.deadLettered)
    expect([...Object.keys(REWARD_TRIGGERS_FAILURE_REASONS), DEFERRAL_EXHAUSTED]).toContain(d.reason);

  // The audit trail and the domain events tell the marketplace's story.
  for (const w of rewards) {
    if (w.transaction_id === held?.lock.transactionId) continue;
    const actions = deps.audit.records
      .filter((a) => a.subject === `reward#${w.transaction_id}`)
      .map((a) => a.action);
    const events = deps.events.events
      .filter((e) => e.detail.transactionId === w.transaction_id)
      .map((e) => e.type);
    const story = { id: w.transaction_id, status: w.status };
    if (w.status === 'ISSUED' || w.status === 'REVERSED') {
      expect({ ...story, audit: actions.includes('ISSUED') }).toEqual({ ...story, audit: true });
      expect({ ...story, event: events.includes('reward.issued') }).toEqual({ ...story, event: true });
    }
    if (w.status === 'REVERSED') {
      expect({ ...story, audit: actions.includes('REVERSED') }).toEqual({ ...story, audit: true });
      expect({ ...story, event: events.includes('reward.reversed') }).toEqual({ ...story, event: true });
    }
    if (w.status === 'REJECTED') {
      expect({ ...story, audit: actions.includes('REJECTED') }).toEqual({ ...story, audit: true });
      expect({ ...story, event: events.includes('reward.failed') }).toEqual({ ...story, event: true });
    }
  }
  expect(h.steps.length).toBeGreaterThanOrEqual(0);
}

describe('reward-triggers against its reference model (issue 14)', () => {
  it('holds for generated histories of bookings, rule changes and faults', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        await checkProperties(h, await runHistory(h));
      }),
      modelRunParameters(150),
    );
  });

  const found: [string, History][] = [
    [
      'audits and announces a reward whose settling ledger write landed but lost its answer',
      {
        pendingIssues: true,
        steps: [
          { stateFault: { skip: 3, fault: 'timeout-after-write' } },
          { book: { points: 500, copies: 1 } },
        ],
      },
    ],
    [
      'audits and announces a clawback whose reversal entry landed but lost its answer',
      {
        pendingIssues: false,
        steps: [
          { book: { points: 500, copies: 1 } },
          { deliver: [0] },
          { book: { points: -100, copies: 1 } },
          { stateFault: { skip: 0, fault: 'timeout-after-write' } },
          { deliver: [0] },
        ],
      },
    ],
    [
      'tells the administrators of a reward held for review whose lock write landed but lost its answer',
      {
        pendingIssues: false,
        steps: [
          { vendorFault: { call: 'issue', failure: 'unavailable', commitFirst: false } },
          { vendorFault: { call: 'issue', failure: 'unavailable', commitFirst: false } },
          { vendorFault: { call: 'issue', failure: 'unavailable', commitFirst: false } },
          { book: { points: 500, copies: 1 } },
          { deliver: [0] },
          { deliver: [0] },
          { stateFault: { skip: 0, fault: 'timeout-after-write' } },
          { deliver: [0] },
        ],
      },
    ],
  ];
  it.each(found)('history found by the model: %s', async (_name, h) => {
    await checkProperties(h, await runHistory(h));
  });
});
