/**
 * One agent's threshold check (spec 004 section 1 step 3, edge case 3): the rolling window's points against the
 * reward tiers, under the point lock.
 *
 * While a lock is held (LOCKED_FOR_REDEMPTION) the agent's reward is in flight with a transaction id already
 * persisted: any evaluation, concurrent or later, resumes that transaction (a lookup first) and never derives
 * another. Without a lock, a breach tells the caller to take one, conditionally, with the derived id and the
 * request it will send, before the first call; the loser of two concurrent evaluations finds the winner's lock.
 */
import { agentPseudonym } from './agent-pseudonym';
import { headPosition, rollingWindow, selectTier, windowSum, type LedgerEntry } from './ledger';
import type { PointsRuleDocument, RewardTier } from './points-rules.schema';
import { rewardTransactionId } from './transaction-id';

export interface RedemptionLock {
  readonly state: 'LOCKED_FOR_REDEMPTION';
  readonly agentId: string;
  readonly transactionId: string;
  readonly rewardType: string;
  readonly pointsConsumed: number;
  readonly earnedAtPosition: number;
  /** The evaluation day: the redemption entry's date once ISSUED. */
  readonly asOfDate: string;
  readonly ruleVersion: string;
  /** Sent as `transaction_timestamp` on every attempt: a changed payload under the same id is a 409. */
  readonly transactionTimestamp: string;
}

export type Evaluation =
  | { readonly action: 'none'; readonly windowPoints: number }
  | { readonly action: 'resume'; readonly lock: RedemptionLock }
  | { readonly action: 'lock-and-issue'; readonly windowPoints: number; readonly lock: RedemptionLock };

export interface EvaluationInput {
  readonly agentId: string;
  readonly entries: readonly LedgerEntry[];
  /** The agent's lock, if one is held. */
  readonly lock: RedemptionLock | undefined;
  readonly rules: PointsRuleDocument;
  /** Today in the export's time zone. */
  readonly asOfDate: string;
  /** Now, as an ISO instant (time is a value in the domain). */
  readonly now: string;
  readonly pseudonymKey: string | Uint8Array;
}

export function evaluateAgent(input: EvaluationInput): Evaluation {
  if (input.lock) return { action: 'resume', lock: input.lock };
  const windowPoints = windowSum(input.entries, rollingWindow(input.asOfDate, input.rules.window.days));
  const tier: RewardTier | undefined = selectTier(windowPoints, input.rules.tiers);
  if (!tier) return { action: 'none', windowPoints };
  const earnedAtPosition = headPosition(input.entries);
  return {
    action: 'lock-and-issue',
    windowPoints,
    lock: {
      state: 'LOCKED_FOR_REDEMPTION',
      agentId: input.agentId,
      transactionId: rewardTransactionId({
        agent: agentPseudonym(input.agentId, input.pseudonymKey),
        rewardType: tier.rewardType,
        earnedAtPosition,
      }),
      rewardType: tier.rewardType,
      pointsConsumed: tier.points,
      earnedAtPosition,
      asOfDate: input.asOfDate,
      ruleVersion: input.rules.version,
      transactionTimestamp: input.now,
    },
  };
}
