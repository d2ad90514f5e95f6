import type { PerformanceRow } from '../../../shared/contracts/genesys-performance-export.schema';
import { LOCAL_POINTS_RULES } from '../../../shared/domain/reward-triggers/default-points-rules';
import type { LedgerEntry } from '../../../shared/domain/reward-triggers/ledger';
import {
  parsePointsRuleDocument,
  type PointsRuleDocument,
} from '../../../shared/domain/reward-triggers/points-rules.schema';

export function localRules(): PointsRuleDocument {
  const parsed = parsePointsRuleDocument(LOCAL_POINTS_RULES);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.document;
}

export const PSEUDONYM_KEY = 'k'.repeat(32);

export function row(overrides: Partial<PerformanceRow> = {}): PerformanceRow {
  return {
    agentId: 'agent-4821',
    date: '2026-05-14',
    csatFiveStar: 6,
    complianceViolations: 0,
    ahtCompliancePct: 96,
    ...overrides,
  };
}

type EntryWithoutPosition = LedgerEntry extends infer E
  ? E extends LedgerEntry
    ? Omit<E, 'position'>
    : never
  : never;

/** A ledger from entries in order; positions 1..n. */
export function ledger(...entries: EntryWithoutPosition[]): LedgerEntry[] {
  return entries.map((e, i) => ({ ...e, position: i + 1 }) as LedgerEntry);
}

const base = { agentId: 'agent-4821', ruleVersion: 'local-v1' } as const;

export const credit = (date: string, delta: number): EntryWithoutPosition => ({
  ...base,
  kind: 'credit',
  date,
  delta,
  line: 'csatFiveStar',
  correction: false,
});

export const debit = (date: string, delta: number): EntryWithoutPosition => ({
  ...base,
  kind: 'debit',
  date,
  delta: -Math.abs(delta),
  line: 'complianceViolations',
  correction: false,
});

export const redemption = (date: string, points: number, transactionId: string): EntryWithoutPosition => ({
  ...base,
  kind: 'redemption',
  date,
  delta: -points,
  transactionId,
  rewardType: 'gift_card_50_usd',
  earnedAtPosition: 1,
});
