/**
 * The per-agent points ledger: append-only entries at positions 1, 2, 3, ... (the store appends with a
 * conditional write on the next position). Balances and window sums are derived from the entries, never
 * stored.
 *
 * Entry kinds:
 * - `credit` / `debit`: a row's points line (points.ts), dated on the performance day.
 * - `redemption`: a reward the marketplace ISSUED; it consumes the tier's points (`points_consumed`), dated on
 *   the evaluation day, so it stays in every later window at least as long as the points that earned it: the
 *   same points cannot pay for two rewards.
 * - `reversal`: a clawback the marketplace accepted; it gives the points back, on the redemption's own date, so
 *   every window is as if the reward had not been issued.
 * - `clawback-refused`: the marketplace refused the reversal; zero points, it records the debt and that the
 *   clawback was handled (clawback.ts never tries it again).
 * - `issue-rejected`: the marketplace answered REJECTED; zero points, it records the failure and moves the
 *   ledger head, so the next breach derives a new transaction id (the marketplace replays REJECTED for the old
 *   one forever).
 *
 * The point lock (LOCKED_FOR_REDEMPTION) is not an entry: it is taken and released, with a conditional write
 * and an expiry, which an append-only log cannot express without scanning; it lives in its own store next to
 * the ledger and holds the transaction id and the request (evaluate.ts).
 */
import { addDays, localDate } from '../time/local-days';
import type { PointsLine } from './points';
import type { RewardTier } from './points-rules.schema';

interface EntryBase {
  /** 1-based, contiguous per agent. */
  readonly position: number;
  readonly agentId: string;
  /** A calendar date (YYYY-MM-DD) in the export's time zone: the day the window counts the entry on. */
  readonly date: string;
  readonly delta: number;
  /** The points rule version in force when the entry was written. */
  readonly ruleVersion: string;
}

export interface RowEntry extends EntryBase {
  readonly kind: 'credit' | 'debit';
  readonly line: PointsLine;
  readonly correction: boolean;
}

export interface RedemptionEntry extends EntryBase {
  readonly kind: 'redemption';
  readonly transactionId: string;
  readonly rewardType: string;
  readonly earnedAtPosition: number;
}

export interface ReversalEntry extends EntryBase {
  readonly kind: 'reversal';
  readonly transactionId: string;
  /** The debit that took the balance below zero. */
  readonly triggeredByPosition: number;
}

export interface ClawbackRefusedEntry extends EntryBase {
  readonly kind: 'clawback-refused';
  readonly transactionId: string;
  readonly triggeredByPosition: number;
  readonly reason: string;
}

export interface IssueRejectedEntry extends EntryBase {
  readonly kind: 'issue-rejected';
  readonly transactionId: string;
  readonly reason: string;
}

export type LedgerEntry =
  RowEntry | RedemptionEntry | ReversalEntry | ClawbackRefusedEntry | IssueRejectedEntry;

/** Entries in position order, checked: positions 1..n with no gap or repeat, one agent, deltas as their kind says. */
export function ordered(entries: readonly LedgerEntry[]): readonly LedgerEntry[] {
  const sorted = [...entries].sort((a, b) => a.position - b.position);
  sorted.forEach((entry, index) => {
    if (entry.position !== index + 1) {
      throw new Error(`ledger positions must run 1..n; found ${entry.position} at index ${index}`);
    }
    if (entry.agentId !== sorted[0]!.agentId) throw new Error('a ledger holds one agent');
    const sign = Math.sign(entry.delta);
    const expected = {
      credit: 1,
      debit: -1,
      redemption: -1,
      reversal: 1,
      'clawback-refused': 0,
      'issue-rejected': 0,
    };
    if (!Number.isInteger(entry.delta) || sign !== expected[entry.kind]) {
      throw new Error(`ledger entry ${entry.position} (${entry.kind}) has delta ${entry.delta}`);
    }
  });
  return sorted;
}

/** The position the next entry takes. */
export function nextPosition(entries: readonly LedgerEntry[]): number {
  return headPosition(entries) + 1;
}

/** The last entry's position, 0 for an empty ledger. */
export function headPosition(entries: readonly LedgerEntry[]): number {
  return entries.reduce((max, e) => Math.max(max, e.position), 0);
}

/** The agent's balance: every entry's delta, whatever its date. */
export function balance(entries: readonly LedgerEntry[]): number {
  return entries.reduce((sum, e) => sum + e.delta, 0);
}

/** A rolling window of whole days, both ends inclusive. */
export interface DateWindow {
  readonly firstDate: string;
  readonly lastDate: string;
}

/**
 * The `days`-day window ending on `asOfDate`: `asOfDate` and the `days - 1` days before it, both ends included.
 * So the 90-day window on 2026-05-15 runs 2026-02-15..2026-05-15, and 2026-02-14 is out. Dates, not instants:
 * a DST change cannot make a window 89 or 91 days, or move a row across its edge.
 */
export function rollingWindow(asOfDate: string, days: number): DateWindow {
  if (!Number.isInteger(days) || days < 1) throw new Error('a window is at least one whole day');
  return { firstDate: addDays(asOfDate, -(days - 1)), lastDate: asOfDate };
}

/** The window ending on the calendar day `asOf` falls on in the export's time zone. */
export function rollingWindowAt(asOf: number, timeZone: string, days: number): DateWindow {
  return rollingWindow(localDate(asOf, timeZone), days);
}

export function inWindow(date: string, window: DateWindow): boolean {
  return date >= window.firstDate && date <= window.lastDate;
}

export function windowSum(entries: readonly LedgerEntry[], window: DateWindow): number {
  return entries.reduce((sum, e) => (inWindow(e.date, window) ? sum + e.delta : sum), 0);
}

/**
 * The tier a breach earns: the highest tier the window's points reach, one reward per evaluation (spec 004
 * speaks of "the reward threshold"; with several tiers, an agent gets the best reward their points pay for,
 * not every smaller one as well). What is left over stays in the window and counts at the next evaluation.
 */
export function selectTier(windowPoints: number, tiers: readonly RewardTier[]): RewardTier | undefined {
  let best: RewardTier | undefined;
  for (const tier of tiers) {
    if (tier.points <= windowPoints && (!best || tier.points > best.points)) best = tier;
  }
  return best;
}
