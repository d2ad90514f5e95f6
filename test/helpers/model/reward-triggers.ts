/**
 * The reward-triggers model (spec 004) shared by its two drivers: the domain with the fakes
 * (test/unit/reward-triggers/reward-triggers.model.test.ts) and the local runtime end to end
 * (test/e2e/model-runs.test.ts). One history generator, one set of property checks over what each driver
 * observes: the marketplace's rewards, the agent's ledger, the audit trail, the domain events, the dead letters.
 */
import fc from 'fast-check';
import type { StateWriteFault } from '../../../shared/adapters/aws/dynamodb-faults.fake';
import { REWARD_TRIGGERS_FAILURE_REASONS } from '../../../shared/domain/reward-triggers/failure-reasons';
import type { MarketplaceAnswer } from '../../../shared/domain/reward-triggers/issue-outcome';
import { balance, type LedgerEntry } from '../../../shared/domain/reward-triggers/ledger';
import {
  parsePointsRuleDocument,
  type PointsRuleDocument,
} from '../../../shared/domain/reward-triggers/points-rules.schema';
import { LOCAL_POINTS_RULES } from '../../../shared/domain/reward-triggers/default-points-rules';
import type { HeldLock } from '../../../shared/domain/reward-triggers/ports';
import { DEFERRAL_EXHAUSTED } from '../../../shared/runtime/sqs-processor';
import { REWARDS_SEED } from '../../../local/sandboxes/vendors/seed';
import type { AuditRecord, DomainEvent } from '../../../shared/ports/platform';

export const AGENT = 'agent-4821';

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
export const DOCUMENTS = { v1: document('points-v1', 500), v2: document('points-v2', 300) };
export type DocumentName = keyof typeof DOCUMENTS;

/**
 * The marketplace's catalog entry for the documents' reward, as the local sandbox seeds it: it costs 500 points,
 * so the marketplace rejects a reward issued under v2 (300 points) with INSUFFICIENT_POINTS (spec 004 section 3).
 */
export const CATALOG_REWARD = REWARDS_SEED.catalog.find((item) => item.rewardType === 'gift_card_50_usd')!;
const PRICED_BELOW_CATALOG = Object.values(DOCUMENTS)
  .filter((d) => d.tiers[0]!.points < CATALOG_REWARD.pointsCost)
  .map((d) => d.version);

export type Failure = 'unavailable' | 'throttled' | 'timeout' | 'connection-error';
export const FAILURES: Record<Failure, MarketplaceAnswer> = {
  unavailable: { kind: 'http', status: 503, body: { error: 'unavailable' } },
  throttled: { kind: 'http', status: 429, body: { error: 'rate_limited' } },
  timeout: { kind: 'timeout', phase: 'read' },
  'connection-error': { kind: 'connection-error', code: 'ECONNRESET' },
};

export type Step =
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

export interface History<S = Step> {
  readonly pendingIssues: boolean;
  readonly steps: readonly S[];
}

export const step: fc.Arbitrary<Step> = fc.oneof(
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

export const history: fc.Arbitrary<History> = fc.record({
  pendingIssues: fc.boolean(),
  steps: fc.array(step, { maxLength: 40 }),
});

/** What a driver saw after a history, in the model's ids. */
export interface RewardObservation {
  readonly entries: readonly LedgerEntry[];
  /** The marketplace's transactions for the agent. */
  readonly rewards: readonly { transaction_id: string; status: string }[];
  readonly held: HeldLock | undefined;
  readonly audit: readonly Pick<AuditRecord, 'subject' | 'action' | 'detail'>[];
  readonly events: readonly DomainEvent[];
}

/**
 * The marketplace and the ledger agree reward by reward, no reward is issued twice, nothing owed is left
 * unissued (but one the marketplace refuses), and the audit trail and domain events tell the marketplace's story.
 */
export function checkRewardProperties({
  entries,
  rewards,
  held,
  audit,
  events: published,
}: RewardObservation): void {
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

  // Nothing owed is left: below the threshold in force, its reward in the administrators' hands, or the final
  // evaluation's reward refused by the marketplace for a tier priced below its catalog (the points unlocked,
  // REWARD_FAILURE; the next evaluation tries again).
  if (held) {
    // The administrators were told (the audit entry and `reward.needs_review`).
    const reason = held.progress.heldFor?.split(':')[0];
    expect(reason).toBeDefined();
    const about = `reward#${held.lock.transactionId}`;
    expect(audit.filter((a) => a.subject === about).map((a) => a.action)).toContain(reason);
    expect(
      published.filter((e) => e.type === 'reward.needs_review').map((e) => e.detail.transactionId),
    ).toContain(held.lock.transactionId);
  } else {
    const thresholds = Object.values(DOCUMENTS).map((d) => d.tiers[0]!.points);
    if (balance(entries) >= Math.max(...thresholds)) {
      const last = entries.at(-1);
      const refusal = last?.kind === 'issue-rejected' ? last : undefined;
      const story = { balance: balance(entries), lastEntry: last?.kind, rules: last?.ruleVersion };
      expect({
        ...story,
        refused: refusal?.reason,
        pricedBelowCatalog: PRICED_BELOW_CATALOG.includes(refusal?.ruleVersion ?? ''),
      }).toEqual({
        ...story,
        refused: 'INSUFFICIENT_POINTS',
        pricedBelowCatalog: true,
      });
    }
  }

  // The audit trail and the domain events tell the marketplace's story.
  for (const w of rewards) {
    if (w.transaction_id === held?.lock.transactionId) continue;
    const actions = audit.filter((a) => a.subject === `reward#${w.transaction_id}`).map((a) => a.action);
    const events = published.filter((e) => e.detail.transactionId === w.transaction_id).map((e) => e.type);
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
}

/** Every dead letter carries a documented reason. */
export function checkDeadLetterReasons(deadLettered: readonly { reason: string }[]): void {
  for (const d of deadLettered)
    expect([...Object.keys(REWARD_TRIGGERS_FAILURE_REASONS), DEFERRAL_EXHAUSTED]).toContain(d.reason);
}
