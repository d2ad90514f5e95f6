import fc from 'fast-check';
import {
  checkCoverage,
  headcount,
  type CoverageInput,
  type IntervalCoverage,
  type StaffedShift,
} from '../../../shared/domain/shift-bids/checks/coverage';
import { shiftWindow } from '../../../shared/domain/shift-bids/shift-window';
import { crew, rules, staffed } from './fixtures';

const NY = 'America/New_York';
const DATE = '2026-06-10';

function bid(
  bidType: string,
  shiftId: string,
  queueId: string | null,
  startTime: string,
  endTime: string,
  timeZone = NY,
  date = DATE,
): CoverageInput['bid'] {
  return {
    agentId: 'me',
    bidType,
    shiftId,
    requestedDate: date,
    queueId,
    window: shiftWindow({ date, startTime, endTime }, timeZone),
  };
}

/** The agent bids to swap into shift `target`, 12:00-20:00 New York time, in `queueId`. */
const swapIntoTarget = (queueId: string, schedule: StaffedShift[]) =>
  checkCoverage({ bid: bid('swap', 'target', queueId, '12:00', '20:00'), schedule, rules: rules() });

const intervals = (result: ReturnType<typeof checkCoverage>) =>
  result.evidence.intervals as IntervalCoverage[];
const lowered = (result: ReturnType<typeof checkCoverage>) =>
  intervals(result).filter((i) => i.after < i.before);

describe('coverage: a swap is judged on every interval the agent leaves (local default: 3 agents, grey band 1)', () => {
  const mine = staffed('held', 'me', 'billing', DATE, '08:00', '16:00', NY);
  const target = staffed('target', null, 'sales', DATE, '12:00', '20:00', NY);

  it.each([
    [4, 'PASS', 4],
    [3, 'UNCERTAIN', 3],
    [2, 'FAIL', 2],
  ])('%i others stay in the queue the agent leaves -> %s', (others, expected, after) => {
    const result = swapIntoTarget('sales', [
      ...crew(others, 'billing', DATE, '08:00', '16:00', NY),
      mine,
      target,
    ]);
    expect(result.result).toBe(expected);
    expect(result.evidence.shiftsLeft).toEqual(['held']);
    // 32 quarter hours of the shift left, 32 of the shift joined; only the left ones go down, each by one.
    expect(intervals(result)).toHaveLength(64);
    expect(lowered(result)).toHaveLength(32);
    expect(lowered(result).every((i) => i.queueId === 'billing' && i.after === after)).toBe(true);
  });

  it('names the interval and the numbers in its reason', () => {
    const result = swapIntoTarget('sales', [...crew(2, 'billing', DATE, '08:00', '16:00', NY), mine, target]);
    expect(result.evidence.summary).toBe(
      'coverage of billing from 2026-06-10T12:00:00.000Z to 2026-06-10T12:15:00.000Z at 2 agents, below the minimum of 3 agents',
    );
  });

  it('a swap within one queue lowers only the part of the old shift the new one does not cover', () => {
    const result = swapIntoTarget('billing', [
      ...crew(3, 'billing', DATE, '08:00', '20:00', NY),
      mine,
      staffed('target', null, 'billing', DATE, '12:00', '20:00', NY),
    ]);
    expect(result.result).toBe('UNCERTAIN');
    expect(lowered(result).map((i) => i.start)).toEqual(
      ['12', '13', '14', '15'].flatMap((h) =>
        ['00', '15', '30', '45'].map((m) => `2026-06-10T${h}:${m}:00.000Z`),
      ),
    );
  });

  it('a swap for a shift someone else holds moves it to the agent: that queue keeps its headcount', () => {
    const result = swapIntoTarget('sales', [
      ...crew(5, 'billing', DATE, '08:00', '16:00', NY),
      mine,
      ...crew(3, 'sales', DATE, '12:00', '20:00', NY, 's'),
      staffed('target', 'someone', 'sales', DATE, '12:00', '20:00', NY),
    ]);
    expect(result.result).toBe('PASS');
    expect(
      intervals(result)
        .filter((i) => i.queueId === 'sales')
        .every((i) => i.after === i.before),
    ).toBe(true);
  });

  // A DST change lengthens or shortens the night: a 22:00-06:00 shift is not always 32 quarter hours.
  it.each([
    {
      night: 'the New York fall-back night (9 h)',
      timeZone: NY,
      date: '2026-10-31',
      others: 3,
      expected: 'UNCERTAIN',
      quarterHours: 36,
      lastEnd: '2026-11-01T11:00:00.000Z',
    },
    {
      night: 'the Lord Howe spring-forward night (7.5 h)',
      timeZone: 'Australia/Lord_Howe',
      date: '2026-10-03',
      others: 2,
      expected: 'FAIL',
      quarterHours: 30,
      lastEnd: '2026-10-03T19:00:00.000Z',
    },
  ])(
    'an overnight shift left on $night is $quarterHours quarter hours',
    ({ timeZone, date, others, expected, quarterHours, lastEnd }) => {
      const result = checkCoverage({
        bid: bid('swap', 'day', 'sales', '09:00', '17:00', timeZone, date),
        schedule: [
          ...crew(others, 'billing', date, '22:00', '06:00', timeZone),
          staffed('held', 'me', 'billing', date, '22:00', '06:00', timeZone),
        ],
        rules: rules(),
      });
      expect(result.result).toBe(expected);
      expect(lowered(result)).toHaveLength(quarterHours);
      expect(lowered(result).at(-1)!.end).toBe(lastEnd);
    },
  );

  it('a swap leaving a shift with no queue cannot be judged: UNCERTAIN', () => {
    const result = swapIntoTarget('sales', [staffed('held', 'me', null, DATE, '08:00', '16:00', NY)]);
    expect(result.result).toBe('UNCERTAIN');
    expect(result.evidence.summary).toMatch(/leaves shift held, which has no queue/);
  });
});

describe('coverage: an open shift only adds', () => {
  it('passes even in a queue already below its minimum, and leaves the agent’s own shift alone', () => {
    const result = checkCoverage({
      bid: bid('open_shift', 'open-1', 'sales', '12:00', '20:00'),
      schedule: [
        staffed('held', 'me', 'billing', DATE, '06:00', '10:00', NY),
        ...crew(1, 'sales', DATE, '12:00', '20:00', NY),
        ...crew(3, 'billing', DATE, '06:00', '10:00', NY),
      ],
      rules: rules(),
    });
    expect(result.result).toBe('PASS');
    expect(result.evidence.shiftsLeft).toEqual([]);
    expect(intervals(result).every((i) => i.queueId === 'sales' && i.before === 1 && i.after === 2)).toBe(
      true,
    );
  });

  it('an unknown bid type is escalated, not guessed', () => {
    const result = checkCoverage({
      bid: bid('trade', 'x', 'sales', '12:00', '20:00'),
      schedule: [],
      rules: rules(),
    });
    expect(result.result).toBe('UNCERTAIN');
    expect(result.evidence.summary).toMatch(/unknown bid type "trade"/);
  });

  it('never lowers any interval, whatever the schedule (property)', () => {
    const base = Date.UTC(2026, 5, 10, 12);
    const quarter = 15 * 60_000;
    const shift = fc
      .record({
        agent: fc.constantFrom('me', 'a', 'b', 'c', 'd', 'e'),
        queueId: fc.constantFrom('billing', 'sales'),
        start: fc.integer({ min: 0, max: 40 }),
        length: fc.integer({ min: 1, max: 40 }),
        open: fc.boolean(),
      })
      .map((s): StaffedShift => ({
        shiftId: `${s.agent}-${s.queueId}-${s.start}-${s.length}`,
        agentId: s.open ? null : s.agent,
        queueId: s.queueId,
        date: DATE,
        start: base + s.start * quarter,
        end: base + (s.start + s.length) * quarter,
      }));
    fc.assert(
      fc.property(
        fc.array(shift, { maxLength: 12 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('billing', 'sales'),
        (schedule, start, length, queueId) => {
          const result = checkCoverage({
            bid: {
              agentId: 'me',
              bidType: 'open_shift',
              shiftId: 'requested',
              requestedDate: DATE,
              queueId,
              window: { start: base + start * quarter, end: base + (start + length) * quarter },
            },
            schedule,
            rules: rules(),
          });
          expect(result.result).toBe('PASS');
          expect(intervals(result).every((i) => i.after >= i.before)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('coverage as a percentage of the required headcount (spec 003 section 4)', () => {
  const premium = rules({
    coverage: {
      intervalMinutes: 30,
      defaultMinimum: { kind: 'headcount', minimum: 3, greyBand: 1 },
      queues: { premium: { kind: 'percentOfRequired', minimum: 90, greyBand: 5 } },
    },
  });
  const requiredFifty = [
    {
      queueId: 'premium',
      agents: 50,
      ...shiftWindow({ date: DATE, startTime: '08:00', endTime: '16:00' }, NY),
    },
  ];
  const leavingPremium = (others: number, required = requiredFifty) =>
    checkCoverage({
      bid: bid('swap', 'target', 'sales', '12:00', '20:00'),
      schedule: [
        ...crew(others, 'premium', DATE, '08:00', '16:00', NY),
        staffed('held', 'me', 'premium', DATE, '08:00', '16:00', NY),
      ],
      required,
      rules: premium,
    });

  it('94% against the 95% limit is UNCERTAIN, with the reason spec 003 gives', () => {
    const result = leavingPremium(47);
    expect(result.result).toBe('UNCERTAIN');
    expect(lowered(result)[0]).toMatchObject({
      before: 48,
      after: 47,
      required: 50,
      level: 94,
      verdict: 'UNCERTAIN',
    });
    expect(result.evidence.summary).toMatch(
      /^coverage threshold at 94% for premium from .*, below the 95% auto-approval limit \(minimum 90%\)$/,
    );
  });

  it('96% passes, 88% fails', () => {
    expect(leavingPremium(48).result).toBe('PASS');
    expect(leavingPremium(44).result).toBe('FAIL');
  });

  it('without a required headcount a percentage cannot be computed: UNCERTAIN', () => {
    const result = leavingPremium(48, []);
    expect(result.result).toBe('UNCERTAIN');
    expect(result.evidence.summary).toMatch(/no required headcount/);
  });
});

describe('headcount in an interval is its lowest point', () => {
  it('an agent leaving ten minutes into a quarter hour is gone for all of it', () => {
    const at = (h: number, m: number) => Date.UTC(2026, 5, 10, h, m);
    const schedule: StaffedShift[] = [
      { shiftId: 'x', agentId: 'x', queueId: 'q', date: DATE, start: at(8, 0), end: at(8, 10) },
      { shiftId: 'y', agentId: 'y', queueId: 'q', date: DATE, start: at(8, 0), end: at(9, 0) },
      { shiftId: 'y2', agentId: 'y', queueId: 'q', date: DATE, start: at(8, 0), end: at(9, 0) },
      { shiftId: 'z', agentId: 'z', queueId: 'other', date: DATE, start: at(8, 0), end: at(9, 0) },
      { shiftId: 'open', agentId: null, queueId: 'q', date: DATE, start: at(8, 0), end: at(9, 0) },
    ];
    expect(headcount(schedule, 'q', { start: at(8, 0), end: at(8, 5) })).toBe(2);
    expect(headcount(schedule, 'q', { start: at(8, 0), end: at(8, 15) })).toBe(1);
    expect(headcount(schedule, 'q', { start: at(9, 0), end: at(9, 15) })).toBe(0);
  });
});
