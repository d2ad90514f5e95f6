/**
 * Spec 004 edge case 4: when a ledger debit takes the agent's balance below zero after a reward was issued,
 * reverse that reward, once.
 *
 * Decided over the ledger alone, so it is idempotent: re-ingesting the same day appends nothing (points.ts), and
 * once the reversal (or the marketplace's refusal) is in the ledger with the debit that triggered it, that debit
 * is handled and the reward is not reversed again.
 *
 * - "Balance" is the ledger balance (every entry), not the window: a window sum also falls when old credits
 *   age out, which is not a debit and must not claw a reward back.
 * - A debit "takes the balance below zero" when the balance was at or above zero before it and below zero
 *   after it, in ledger order. A balance already negative (say, after a refused clawback) is not taken below
 *   zero again by the next penalty.
 * - The reward reversed is the latest one issued before the debit that is neither reversed nor refused.
 * - One reward per crossing: the reversal gives its points back, which normally lifts the balance above zero.
 */
import { ordered, type LedgerEntry, type RedemptionEntry } from './ledger';

export type ClawbackDecision =
  | { readonly action: 'none' }
  | {
      readonly action: 'reverse';
      readonly transactionId: string;
      readonly rewardType: string;
      readonly points: number;
      /** The redemption's date: the reversal entry takes it, so every window is restored. */
      readonly date: string;
      readonly triggeredByPosition: number;
    };

export function decideClawback(entries: readonly LedgerEntry[]): ClawbackDecision {
  const ledger = ordered(entries);
  const handledDebits = new Set<number>();
  const settled = new Set<string>(); // transaction ids reversed or refused
  for (const e of ledger) {
    if (e.kind === 'reversal' || e.kind === 'clawback-refused') {
      handledDebits.add(e.triggeredByPosition);
      settled.add(e.transactionId);
    }
  }
  let running = 0;
  const issued: RedemptionEntry[] = [];
  for (const e of ledger) {
    const before = running;
    running += e.delta;
    if (e.kind === 'redemption') issued.push(e);
    if (e.kind !== 'debit' || !(before >= 0 && running < 0) || handledDebits.has(e.position)) continue;
    const reward = issued.filter((r) => !settled.has(r.transactionId)).at(-1);
    if (!reward) continue;
    return {
      action: 'reverse',
      transactionId: reward.transactionId,
      rewardType: reward.rewardType,
      points: -reward.delta,
      date: reward.date,
      triggeredByPosition: e.position,
    };
  }
  return { action: 'none' };
}
