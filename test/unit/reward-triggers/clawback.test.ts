import { decideClawback } from '../../../shared/domain/reward-triggers/clawback';
import type { LedgerEntry } from '../../../shared/domain/reward-triggers/ledger';
import { correctingDelta, bookRow } from '../../../shared/domain/reward-triggers/points';
import { credit, debit, ledger, localRules, redemption, row } from './fixtures';

const reversal = (transactionId: string, triggeredByPosition: number, date = '2026-05-15') =>
  ({
    agentId: 'agent-4821',
    ruleVersion: 'local-v1',
    kind: 'reversal',
    date,
    delta: 500,
    transactionId,
    triggeredByPosition,
  }) as const;

describe('clawback', () => {
  const issuedThenPenalty = ledger(
    credit('2026-05-14', 520),
    redemption('2026-05-15', 500, 'tx-1'),
    debit('2026-05-16', 50), // 20 -> -30
  );

  it('reverses the issued reward when a debit takes the balance below zero', () => {
    expect(decideClawback(issuedThenPenalty)).toEqual({
      action: 'reverse',
      transactionId: 'tx-1',
      rewardType: 'gift_card_50_usd',
      points: 500,
      date: '2026-05-15',
      triggeredByPosition: 3,
    });
  });

  it('reverses it once: with the reversal recorded, nothing more, also when the day is re-ingested', () => {
    const reversed = ledger(
      credit('2026-05-14', 520),
      redemption('2026-05-15', 500, 'tx-1'),
      debit('2026-05-16', 50),
      reversal('tx-1', 3),
    );
    expect(decideClawback(reversed)).toEqual({ action: 'none' });
    // Re-ingesting 2026-05-16 (the penalty row, unchanged) appends nothing, so the decision stays.
    const rules = localRules();
    const penaltyRow = row({ date: '2026-05-16', csatFiveStar: 0, complianceViolations: 1 });
    expect(correctingDelta(bookRow(penaltyRow, rules), bookRow(penaltyRow, rules))).toEqual({
      kind: 'unchanged',
    });
    expect(decideClawback(reversed)).toEqual({ action: 'none' });
  });

  it('does not try again after the marketplace refused the reversal (the debt is recorded)', () => {
    const refused: LedgerEntry[] = ledger(
      credit('2026-05-14', 520),
      redemption('2026-05-15', 500, 'tx-1'),
      debit('2026-05-16', 50),
      {
        agentId: 'agent-4821',
        ruleVersion: 'local-v1',
        kind: 'clawback-refused',
        date: '2026-05-16',
        delta: 0,
        transactionId: 'tx-1',
        triggeredByPosition: 3,
        reason: 'already redeemed',
      },
    );
    expect(decideClawback(refused)).toEqual({ action: 'none' });
    // A later penalty on a balance that is already negative does not take it below zero again.
    expect(decideClawback([...refused, { ...debit('2026-05-17', 50), position: 5 } as LedgerEntry])).toEqual({
      action: 'none',
    });
  });

  it('leaves a debit that keeps the balance at or above zero alone', () => {
    const toZero = ledger(
      credit('2026-05-14', 550),
      redemption('2026-05-15', 500, 'tx-1'),
      debit('2026-05-16', 50),
    );
    expect(decideClawback(toZero)).toEqual({ action: 'none' });
  });

  it('needs a reward issued before the debit', () => {
    expect(decideClawback(ledger(credit('2026-05-14', 10), debit('2026-05-15', 50)))).toEqual({
      action: 'none',
    });
    const penaltyFirst = ledger(
      credit('2026-05-14', 10),
      debit('2026-05-15', 50),
      credit('2026-05-16', 600),
      redemption('2026-05-16', 500, 'tx-1'),
    );
    expect(decideClawback(penaltyFirst)).toEqual({ action: 'none' });
  });

  it('reverses the latest reward not yet reversed, and a second crossing reverses the one before', () => {
    const two = ledger(
      credit('2026-04-01', 500),
      redemption('2026-04-01', 500, 'tx-april'),
      credit('2026-05-01', 510),
      redemption('2026-05-01', 500, 'tx-may'),
      debit('2026-05-02', 50), // 10 -> -40
    );
    expect(decideClawback(two)).toMatchObject({
      action: 'reverse',
      transactionId: 'tx-may',
      triggeredByPosition: 5,
    });
    const afterFirst = [
      ...two,
      { ...reversal('tx-may', 5, '2026-05-01'), position: 6 },
      { ...debit('2026-05-03', 500), position: 7 }, // 460 -> -40
    ] as LedgerEntry[];
    expect(decideClawback(afterFirst)).toMatchObject({
      action: 'reverse',
      transactionId: 'tx-april',
      triggeredByPosition: 7,
    });
  });
});
