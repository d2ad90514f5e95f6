import { evaluateAgent, type RedemptionLock } from '../../../shared/domain/reward-triggers/evaluate';
import {
  balance,
  headPosition,
  nextPosition,
  ordered,
  rollingWindow,
  rollingWindowAt,
  selectTier,
  windowSum,
} from '../../../shared/domain/reward-triggers/ledger';
import { credit, debit, ledger, localRules, PSEUDONYM_KEY, redemption } from './fixtures';

const NY = 'America/New_York';

describe('balance', () => {
  it('is derived from every entry: credits, debits, redemptions and reversals', () => {
    const entries = ledger(
      credit('2026-05-01', 520),
      redemption('2026-05-02', 500, 'tx-1'),
      debit('2026-05-03', 50),
    );
    expect(balance(entries)).toBe(-30);
    expect(headPosition(entries)).toBe(3);
    expect(nextPosition(entries)).toBe(4);
    expect(nextPosition([])).toBe(1);
  });

  it('refuses a ledger with a gap, a repeated position or a delta against its kind', () => {
    const entries = ledger(credit('2026-05-01', 10), credit('2026-05-02', 10));
    expect(() => ordered([entries[1]!])).toThrow(/1\.\.n/);
    expect(() => ordered([entries[0]!, entries[0]!])).toThrow(/1\.\.n/);
    expect(() => ordered(ledger({ ...credit('2026-05-01', 10), delta: -10 }))).toThrow(/delta -10/);
  });
});

describe('the rolling 90-day window, in whole days of the export time zone', () => {
  it('runs from 89 days before the day through the day, both ends included', () => {
    expect(rollingWindow('2026-05-15', 90)).toEqual({ firstDate: '2026-02-15', lastDate: '2026-05-15' });
    expect(rollingWindow('2026-05-15', 1)).toEqual({ firstDate: '2026-05-15', lastDate: '2026-05-15' });
  });

  it('counts its first and last day, and neither the day before nor the day after', () => {
    const window = rollingWindow('2026-05-15', 90);
    const entries = ledger(
      credit('2026-02-14', 1), // the day before the first: out
      credit('2026-02-15', 10), // first day: in
      credit('2026-05-15', 100), // last day: in
      credit('2026-05-16', 1000), // tomorrow (a late evaluation's row): out
    );
    expect(windowSum(entries, window)).toBe(110);
    expect(balance(entries)).toBe(1111);
  });

  it('spans the spring DST change in New York as 90 calendar days, and moves at local midnight, not UTC', () => {
    // 2026-03-08 02:00 EST -> 03:00 EDT lies inside the window.
    const justBeforeMidnight = Date.parse('2026-06-01T03:59:59Z'); // 2026-05-31 23:59:59 EDT
    const atMidnight = Date.parse('2026-06-01T04:00:00Z'); // 2026-06-01 00:00:00 EDT
    expect(rollingWindowAt(justBeforeMidnight, NY, 90)).toEqual({
      firstDate: '2026-03-03',
      lastDate: '2026-05-31',
    });
    expect(rollingWindowAt(atMidnight, NY, 90)).toEqual({ firstDate: '2026-03-04', lastDate: '2026-06-01' });
    const entries = ledger(credit('2026-03-03', 7), credit('2026-03-08', 20), credit('2026-05-31', 300));
    expect(windowSum(entries, rollingWindowAt(justBeforeMidnight, NY, 90))).toBe(327);
    expect(windowSum(entries, rollingWindowAt(atMidnight, NY, 90))).toBe(320);
  });

  it('on the 25-hour fall-back day, the day ends at local midnight EST', () => {
    // 2026-11-01 has 25 hours in New York; 23:30 EST is 04:30 UTC the next day.
    expect(rollingWindowAt(Date.parse('2026-11-02T04:30:00Z'), NY, 90).lastDate).toBe('2026-11-01');
    expect(rollingWindowAt(Date.parse('2026-11-02T05:00:00Z'), NY, 90).lastDate).toBe('2026-11-02');
    // Early on the fall-back day itself, 01:30 happens twice; both are 2026-11-01.
    expect(rollingWindowAt(Date.parse('2026-11-01T05:30:00Z'), NY, 90).lastDate).toBe('2026-11-01');
    expect(rollingWindowAt(Date.parse('2026-11-01T06:30:00Z'), NY, 90).lastDate).toBe('2026-11-01');
  });

  it('a redemption stays in the window as long as the points that earned it: no points pay twice', () => {
    const entries = ledger(
      credit('2026-02-15', 300),
      credit('2026-05-15', 250),
      redemption('2026-05-15', 500, 'tx-1'),
    );
    expect(windowSum(entries, rollingWindow('2026-05-15', 90))).toBe(50);
    // The February credit ages out, the redemption does not: still no second reward.
    expect(windowSum(entries, rollingWindow('2026-05-16', 90))).toBe(-250);
  });
});

describe('tier selection', () => {
  const tiers = [
    { rewardType: 'gift_card_50_usd', points: 500 },
    { rewardType: 'gift_card_100_usd', points: 1000 },
    { rewardType: 'gift_card_25_usd', points: 250 },
  ];

  it('is the highest tier reached; exactly at a tier reaches it', () => {
    expect(selectTier(249, tiers)).toBeUndefined();
    expect(selectTier(250, tiers)?.rewardType).toBe('gift_card_25_usd');
    expect(selectTier(499, tiers)?.rewardType).toBe('gift_card_25_usd');
    expect(selectTier(500, tiers)?.rewardType).toBe('gift_card_50_usd');
    expect(selectTier(1500, tiers)?.rewardType).toBe('gift_card_100_usd');
    expect(selectTier(-30, tiers)).toBeUndefined();
  });
});

describe('an agent evaluation', () => {
  const rules = localRules();
  const input = (entries: ReturnType<typeof ledger>, lock?: RedemptionLock) => ({
    agentId: 'agent-4821',
    entries,
    lock,
    rules,
    asOfDate: '2026-05-15',
    now: '2026-05-15T06:00:00Z',
    pseudonymKey: PSEUDONYM_KEY,
  });

  it('below 500 in the window: nothing', () => {
    expect(evaluateAgent(input(ledger(credit('2026-05-14', 490), credit('2026-02-14', 100))))).toEqual({
      action: 'none',
      windowPoints: 490,
    });
  });

  it('at 500: lock the points with a derived transaction id and the request it will send', () => {
    const entries = ledger(credit('2026-05-14', 450), credit('2026-05-15', 60), debit('2026-05-15', 10));
    const first = evaluateAgent(input(entries));
    expect(first).toMatchObject({
      action: 'lock-and-issue',
      windowPoints: 500,
      lock: {
        state: 'LOCKED_FOR_REDEMPTION',
        rewardType: 'gift_card_50_usd',
        pointsConsumed: 500,
        earnedAtPosition: 3,
        asOfDate: '2026-05-15',
        ruleVersion: 'local-v1',
        transactionTimestamp: '2026-05-15T06:00:00Z',
      },
    });
    // The same ledger evaluated again (a re-run, a redelivery) derives the same id.
    const again = evaluateAgent({ ...input(entries), now: '2026-05-15T07:00:00Z' });
    expect(again.action === 'lock-and-issue' && again.lock.transactionId).toBe(
      first.action === 'lock-and-issue' && first.lock.transactionId,
    );
  });

  it('while a lock is held: resume it, never a new id, even after more points arrive', () => {
    const entries = ledger(credit('2026-05-14', 600));
    const first = evaluateAgent(input(entries));
    if (first.action !== 'lock-and-issue') throw new Error('expected a breach');
    const more = ledger(credit('2026-05-14', 600), credit('2026-05-15', 600));
    expect(evaluateAgent(input(more, first.lock))).toEqual({ action: 'resume', lock: first.lock });
  });
});
