import {
  CHECK_NAMES,
  type CheckOutcome,
  type CheckResult,
} from '../../../shared/domain/shift-bids/checks/check-result';
import { APPROVAL_REASON, decide } from '../../../shared/domain/shift-bids/decide';
import { LOCAL_RULE_DOCUMENT } from '../../../shared/domain/shift-bids/default-rules';
import {
  BID_STATES,
  canTransition,
  isStaleEvent,
  isTerminal,
  readCxoneStatus,
} from '../../../shared/domain/shift-bids/lifecycle';
import { nextRuleDocument, parseRuleDocument } from '../../../shared/domain/shift-bids/rules.schema';

const results = (outcomes: Partial<Record<(typeof CHECK_NAMES)[number], CheckOutcome>>): CheckResult[] =>
  CHECK_NAMES.filter((check) => outcomes[check] !== undefined).map((check) => ({
    check,
    result: outcomes[check]!,
    evidence: { summary: `${check} said ${outcomes[check]}` },
  }));
const allPass = {
  double_booking: 'PASS',
  coverage_check: 'PASS',
  approval_history: 'PASS',
  skill_match: 'PASS',
} as const;

describe('decision table', () => {
  it('all PASS -> APPROVE with the spec reason and the rule version', () => {
    const d = decide(results(allPass), 'v2.4.1');
    expect(d).toMatchObject({
      decision: 'APPROVE',
      reason: APPROVAL_REASON,
      ruleVersion: 'v2.4.1',
      decisiveChecks: [],
    });
    expect(d.validationChecks).toEqual(allPass);
  });

  it('a FAIL -> REJECT with every failing check as the reason', () => {
    const d = decide(results({ ...allPass, double_booking: 'FAIL', skill_match: 'FAIL' }), 'v1');
    expect(d.decision).toBe('REJECT');
    expect(d.decisiveChecks).toEqual(['double_booking', 'skill_match']);
    expect(d.reason).toBe(
      'Auto-rejected: double_booking: double_booking said FAIL; skill_match: skill_match said FAIL.',
    );
  });

  it.each([
    [{ ...allPass, coverage_check: 'UNCERTAIN' }, ['coverage_check']],
    [{ ...allPass, approval_history: 'ERROR' }, ['approval_history']],
    [{ double_booking: 'PASS', coverage_check: 'PASS', approval_history: 'PASS' }, ['skill_match']],
  ] as const)('%j -> ESCALATE because of %j', (outcomes, decisive) => {
    const d = decide(results(outcomes), 'v1');
    expect(d.decision).toBe('ESCALATE');
    expect(d.decisiveChecks).toEqual(decisive);
    expect(d.ruleVersion).toBe('v1');
  });

  it('a check that did not run is recorded as ERROR in validation_checks', () => {
    expect(decide([], 'v1').validationChecks).toEqual({
      double_booking: 'ERROR',
      coverage_check: 'ERROR',
      approval_history: 'ERROR',
      skill_match: 'ERROR',
    });
  });

  it('a clear FAIL rejects even when another check is uncertain or could not run', () => {
    const d = decide(
      results({ ...allPass, double_booking: 'FAIL', coverage_check: 'UNCERTAIN', skill_match: 'ERROR' }),
      'v1',
    );
    expect([d.decision, d.decisiveChecks]).toEqual(['REJECT', ['double_booking']]);
  });

  it('a check reported twice counts by its more severe result', () => {
    const twice = [
      ...results(allPass),
      { check: 'coverage_check', result: 'UNCERTAIN', evidence: { summary: 'again' } } as const,
    ];
    expect(decide(twice, 'v1').decision).toBe('ESCALATE');
  });
});

describe('rule document', () => {
  it('the local default document is valid and is the README numbers', () => {
    const parsed = parseRuleDocument(LOCAL_RULE_DOCUMENT);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.document.coverage.defaultMinimum).toEqual({
      kind: 'headcount',
      minimum: 3,
      greyBand: 1,
    });
    expect(parsed.ok && parsed.document.approvalHistory).toEqual({ maxRejections: 3, windowDays: 30 });
  });

  it('accepts JSON text and fills optional maps', () => {
    const { queues: _q, bidTypeEffects: _b, ...coverage } = LOCAL_RULE_DOCUMENT.coverage;
    const parsed = parseRuleDocument(JSON.stringify({ ...LOCAL_RULE_DOCUMENT, coverage }));
    expect(parsed.ok && parsed.document.coverage).toMatchObject({
      queues: {},
      bidTypeEffects: { swap: 'moves', open_shift: 'adds' },
    });
  });

  it('a bad document lists every problem with its path', () => {
    const parsed = parseRuleDocument({
      version: '',
      coverage: {
        intervalMinutes: 7,
        defaultMinimum: { kind: 'headcount', minimum: -1, greyBand: 1 },
        queues: { premium: { kind: 'percentOfRequired', minimum: 140, greyBand: 5 }, vip: { kind: 'fte' } },
        bidTypeEffects: { swap: 'teleports' },
      },
      approvalHistory: { maxRejections: 0, windowDay: 30 },
      skills: { requiredRole: 'agent' },
      scheduleCache: { maxAgeSeconds: 300 },
    });
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    const paths = problems.map((p) => p.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'version',
        'coverage.intervalMinutes',
        'coverage.defaultMinimum.minimum',
        'coverage.queues.premium.minimum',
        'coverage.queues.vip.kind',
        'coverage.bidTypeEffects.swap',
        'approvalHistory.maxRejections',
        'approvalHistory.windowDays',
        'approvalHistory',
        'scheduleCache.maxAgeSeconds',
      ]),
    );
    expect(problems).toContain('coverage.intervalMinutes: must divide a day (1440 minutes) evenly');
    expect(problems.find((p) => p.startsWith('approvalHistory:'))).toMatch(/windowDay/);
  });

  it('refuses non-JSON text', () => {
    expect(parseRuleDocument('{ version: ')).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^\(document\): not JSON/)],
    });
  });

  it('a refused document leaves the last good one in force', () => {
    const good = parseRuleDocument(LOCAL_RULE_DOCUMENT);
    if (!good.ok) throw new Error('default must parse');
    const refused = nextRuleDocument(good.document, {
      ...LOCAL_RULE_DOCUMENT,
      version: 'v2',
      scheduleCache: { maxAgeSeconds: 600 },
    });
    expect(refused.inForce).toBe(good.document);
    expect(refused.refused).toEqual(['scheduleCache.maxAgeSeconds: Too big: expected number to be <=120']);
    const accepted = nextRuleDocument(good.document, { ...LOCAL_RULE_DOCUMENT, version: 'v2' });
    expect([accepted.inForce?.version, accepted.refused]).toEqual(['v2', undefined]);
    expect(nextRuleDocument(undefined, {}).inForce).toBeUndefined();
  });
});

describe('bid lifecycle', () => {
  it.each([
    ['pending_validation', 'awaiting_api_commit'],
    ['pending_validation', 'escalated'],
    ['pending_validation', 'rejected'],
    ['awaiting_api_commit', 'approved'],
    ['awaiting_api_commit', 'rejected'],
    ['awaiting_api_commit', 'pending_validation'],
    ['escalated', 'approved'],
    ['escalated', 'cancelled'],
    ['pending_validation', 'expired'],
  ] as const)('%s -> %s is allowed', (from, to) => expect(canTransition(from, to)).toBe(true));

  it.each([
    ['escalated', 'awaiting_api_commit'],
    ['escalated', 'pending_validation'],
    ['approved', 'rejected'],
    ['rejected', 'pending_validation'],
    ['pending_validation', 'pending_validation'],
  ] as const)('%s -> %s is refused', (from, to) => expect(canTransition(from, to)).toBe(false));

  it('terminal states go nowhere', () => {
    for (const from of BID_STATES.filter(isTerminal)) {
      expect(BID_STATES.filter((to) => canTransition(from, to))).toEqual([]);
    }
    expect(BID_STATES.filter(isTerminal)).toEqual(['approved', 'rejected', 'expired', 'cancelled']);
  });

  it('reads CXone statuses; an unknown one is never taken for pending', () => {
    expect(readCxoneStatus('PENDING')).toEqual({ kind: 'pending' });
    expect(readCxoneStatus('approved')).toEqual({ kind: 'resolved', state: 'approved' });
    expect(readCxoneStatus('EXPIRED')).toEqual({ kind: 'resolved', state: 'expired' });
    expect(readCxoneStatus('ON_HOLD')).toEqual({ kind: 'unknown', status: 'ON_HOLD' });
  });

  it('an event older than the last applied one is stale; same time or newer is not', () => {
    expect(isStaleEvent('2023-10-12T14:30:00Z', undefined)).toBe(false);
    expect(isStaleEvent('2023-10-12T14:29:59Z', '2023-10-12T14:30:00Z')).toBe(true);
    expect(isStaleEvent('2023-10-12T10:30:00-04:00', '2023-10-12T14:30:00.000Z')).toBe(false);
    expect(isStaleEvent('2023-10-12T14:30:01Z', '2023-10-12T14:30:00Z')).toBe(false);
    expect(() => isStaleEvent('soon', '2023-10-12T14:30:00Z')).toThrow(RangeError);
  });
});
