import fc from 'fast-check';
import { LOCAL_POINTS_RULES } from '../../../shared/domain/reward-triggers/default-points-rules';
import { balance, type LedgerEntry } from '../../../shared/domain/reward-triggers/ledger';
import {
  bookingTotal,
  bookRow,
  correctingDelta,
  pointsFromRow,
  rowKey,
  type RowBooking,
} from '../../../shared/domain/reward-triggers/points';
import {
  nextPointsRuleDocument,
  parsePointsRuleDocument,
} from '../../../shared/domain/reward-triggers/points-rules.schema';
import { localRules, row } from './fixtures';

describe('the points rule document', () => {
  it('the local defaults: +10 per five-star CSAT, -50 per violation, nothing for AHT, 90 days, 500 for a gift card', () => {
    const rules = localRules();
    expect(rules.version).toBe('local-v1');
    expect(rules.window.days).toBe(90);
    expect(rules.tiers).toEqual([{ rewardType: 'gift_card_50_usd', points: 500 }]);
    expect(
      pointsFromRow(row({ csatFiveStar: 6, complianceViolations: 0, ahtCompliancePct: 100 }), rules),
    ).toEqual([
      expect.objectContaining({ kind: 'credit', line: 'csatFiveStar', delta: 60, ruleVersion: 'local-v1' }),
    ]);
    expect(pointsFromRow(row({ csatFiveStar: 0, complianceViolations: 2 }), rules)).toEqual([
      expect.objectContaining({
        kind: 'debit',
        line: 'complianceViolations',
        delta: -100,
        ruleVersion: 'local-v1',
      }),
    ]);
  });

  it('keeps a penalty a debit on a day whose CSAT outweighs it (one delta per line, never netted)', () => {
    const deltas = pointsFromRow(row({ csatFiveStar: 9, complianceViolations: 1 }), localRules());
    expect(deltas.map((d) => [d.kind, d.line, d.delta, d.correction])).toEqual([
      ['credit', 'csatFiveStar', 90, false],
      ['debit', 'complianceViolations', -50, false],
    ]);
  });

  it('books nothing for a row that earns nothing', () => {
    expect(pointsFromRow(row({ csatFiveStar: 0, complianceViolations: 0 }), localRules())).toEqual([]);
  });

  it('an AHT bonus, when a document sets one, pays at and above its percentage only', () => {
    const parsed = parsePointsRuleDocument({
      ...LOCAL_POINTS_RULES,
      version: 'aht-v1',
      points: { ...LOCAL_POINTS_RULES.points, ahtComplianceBonus: { atLeastPct: 95, points: 5 } },
    });
    if (!parsed.ok) throw new Error(parsed.problems.join());
    const aht = (pct: number | null) =>
      bookRow(row({ csatFiveStar: 0, ahtCompliancePct: pct }), parsed.document).points.ahtCompliance;
    expect([aht(94.9), aht(95), aht(100), aht(null)]).toEqual([0, 5, 5, 0]);
  });

  it('lists every problem of a bad document, each with its path', () => {
    const parsed = parsePointsRuleDocument({
      version: 'has spaces',
      points: { perFiveStarCsat: -10, perComplianceViolation: 50, ahtComplianceBonus: null, perAht: 1 },
      window: { days: 0 },
      tiers: [
        { rewardType: 'gift_card_50_usd', points: 500 },
        { rewardType: 'Gift Card', points: 500 },
      ],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const paths = parsed.problems.map((p) => p.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'version',
        'points.perFiveStarCsat',
        'points.perComplianceViolation',
        'points',
        'window.days',
        'tiers.1.rewardType',
        'tiers',
      ]),
    );
    expect(parsed.problems.some((p) => p.includes('perAht'))).toBe(true);
    expect(parsed.problems.some((p) => p.includes('two tiers share a points value'))).toBe(true);
  });

  it('refuses a document with no tier, and JSON that does not parse', () => {
    expect(parsePointsRuleDocument({ ...LOCAL_POINTS_RULES, tiers: [] }).ok).toBe(false);
    const notJson = parsePointsRuleDocument('{ version: ');
    expect(!notJson.ok && notJson.problems[0]).toMatch(/^\(document\): not JSON/);
  });

  it('accepts the document as JSON text', () => {
    expect(parsePointsRuleDocument(JSON.stringify(LOCAL_POINTS_RULES)).ok).toBe(true);
  });

  it('keeps the last good version in force when a new one is refused, and none before any good one', () => {
    const good = localRules();
    const refused = nextPointsRuleDocument(good, { ...LOCAL_POINTS_RULES, window: { days: 'ninety' } });
    expect(refused.inForce).toBe(good);
    expect(refused.refused).toEqual([expect.stringMatching(/^window\.days: /)]);
    expect(nextPointsRuleDocument(undefined, {}).inForce).toBeUndefined();
    const next = nextPointsRuleDocument(good, { ...LOCAL_POINTS_RULES, version: 'local-v2' });
    expect(next).toEqual({ inForce: expect.objectContaining({ version: 'local-v2' }) });
  });
});

describe('a row that comes back', () => {
  const rules = localRules();

  it('with the same values books nothing', () => {
    const first = bookRow(row(), rules);
    expect(correctingDelta(first, bookRow(row(), rules))).toEqual({ kind: 'unchanged' });
  });

  it('with other values books the difference per line, as a correction, never a second full booking', () => {
    const first = bookRow(row({ csatFiveStar: 6, complianceViolations: 0 }), rules);
    const outcome = correctingDelta(first, bookRow(row({ csatFiveStar: 4, complianceViolations: 1 }), rules));
    expect(outcome.kind).toBe('book');
    if (outcome.kind !== 'book') return;
    expect(outcome.deltas.map((d) => [d.kind, d.line, d.delta, d.correction])).toEqual([
      ['debit', 'csatFiveStar', -20, true],
      ['debit', 'complianceViolations', -50, true],
    ]);
    expect(bookingTotal(outcome.booking)).toBe(-10);
  });

  it('with other values worth the same points stores the new booking and appends no delta', () => {
    const first = bookRow(row({ ahtCompliancePct: 90 }), rules);
    const outcome = correctingDelta(first, bookRow(row({ ahtCompliancePct: 91 }), rules));
    expect(outcome).toEqual({
      kind: 'book',
      booking: expect.objectContaining({ metrics: expect.objectContaining({ ahtCompliancePct: 91 }) }),
      deltas: [],
    });
  });

  it('unchanged under a new rule version keeps its points (rules are not retroactive); changed, it is rescored', () => {
    const first = bookRow(row({ csatFiveStar: 6 }), rules);
    const v2 = { ...rules, version: 'local-v2', points: { ...rules.points, perFiveStarCsat: 20 } };
    expect(correctingDelta(first, bookRow(row({ csatFiveStar: 6 }), v2))).toEqual({ kind: 'unchanged' });
    const changed = correctingDelta(first, bookRow(row({ csatFiveStar: 7 }), v2));
    expect(changed.kind === 'book' && changed.deltas).toEqual([
      expect.objectContaining({ delta: 140 - 60, ruleVersion: 'local-v2', correction: true }),
    ]);
  });

  it('refuses to correct one row with another row', () => {
    expect(() => correctingDelta(bookRow(row({ date: '2026-05-13' }), rules), bookRow(row(), rules))).toThrow(
      /another row/,
    );
  });
});

describe('property: whatever the order of re-ingestion, the balance is the sum of the latest rows', () => {
  const rules = localRules();
  const metrics = fc.record({
    csatFiveStar: fc.integer({ min: 0, max: 12 }),
    complianceViolations: fc.integer({ min: 0, max: 3 }),
    ahtCompliancePct: fc.constantFrom(null, 80, 96),
  });
  // Each row has 1-3 versions; the ingestion sees them interleaved across rows, each version possibly twice,
  // in order within a row (a later export never carries an older version of a row).
  const scenario = fc
    .array(fc.array(metrics, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 })
    .chain((versionsByRow) => {
      const deliveries = versionsByRow.flatMap((versions, r) =>
        versions.flatMap((_, v): [number, number][] => [
          [r, v],
          [r, v],
        ]),
      );
      return fc.tuple(
        fc.constant(versionsByRow),
        fc.shuffledSubarray(deliveries, { minLength: deliveries.length }),
      );
    });

  it('holds', () => {
    fc.assert(
      fc.property(scenario, ([versionsByRow, shuffled]) => {
        // Keep per-row version order: the n-th delivery of row r gets the n-th smallest version of r.
        const pending = versionsByRow.map((versions, r) =>
          shuffled
            .filter(([rr]) => rr === r)
            .map(([, v]) => v)
            .sort((a, b) => a - b),
        );
        const bookings = new Map<string, RowBooking>();
        const entries: LedgerEntry[] = [];
        for (const [r] of shuffled) {
          const v = pending[r]!.shift()!;
          const incoming = row({
            date: `2026-05-${String(10 + r).padStart(2, '0')}`,
            ...versionsByRow[r]![v]!,
          });
          const key = rowKey(incoming.agentId, incoming.date);
          const outcome = correctingDelta(bookings.get(key), bookRow(incoming, rules));
          if (outcome.kind === 'unchanged') continue;
          bookings.set(key, outcome.booking);
          for (const d of outcome.deltas) entries.push({ ...d, position: entries.length + 1 });
        }
        const latest = versionsByRow.map((versions) => versions.at(-1)!);
        const expected = latest.reduce(
          (sum, m) => sum + m.csatFiveStar * 10 - m.complianceViolations * 50,
          0,
        );
        expect(balance(entries)).toBe(expected);
        for (const [r, m] of latest.entries()) {
          const date = `2026-05-${String(10 + r).padStart(2, '0')}`;
          const rowSum = entries.filter((e) => e.date === date).reduce((s, e) => s + e.delta, 0);
          expect(rowSum).toBe(m.csatFiveStar * 10 - m.complianceViolations * 50);
        }
      }),
    );
  });
});
