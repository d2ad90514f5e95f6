import fc from 'fast-check';
import { planOverride, planOverrides } from '../../../shared/domain/shift-overrides/intersection';
import { localDate, startOfLocalDay, widenedQueryWindow } from '../../../shared/domain/time/local-days';

const shift = (id: string, startTime: string, endTime: string) => ({ id, startTime, endTime });
const iso = (ms: number) => new Date(ms).toISOString();

describe('the 80% rule (spec 001 edge case 2)', () => {
  it('removes the whole shift when the time-off covers at least 80% of it', () => {
    const plan = planOverride(
      { startTime: '2024-11-20T09:00:00.000Z', endTime: '2024-11-20T17:00:00.000Z' },
      shift('shift-001', '2024-11-20T08:00:00.000Z', '2024-11-20T16:00:00.000Z'),
      0.8,
    );
    expect(plan).toEqual({
      shiftId: 'shift-001',
      startTime: '2024-11-20T08:00:00.000Z',
      endTime: '2024-11-20T16:00:00.000Z',
      kind: 'FULL',
      coverage: 7 / 8,
    });
  });

  it('removes exactly the overlap below 80%, and treats exactly 80% as full', () => {
    const s = shift('s', '2026-01-05T08:00:00Z', '2026-01-05T18:00:00Z');
    expect(
      planOverride({ startTime: '2026-01-05T13:00:00Z', endTime: '2026-01-05T23:00:00Z' }, s, 0.8),
    ).toMatchObject({
      kind: 'PARTIAL',
      startTime: '2026-01-05T13:00:00.000Z',
      endTime: '2026-01-05T18:00:00.000Z',
    });
    expect(
      planOverride({ startTime: '2026-01-05T10:00:00Z', endTime: '2026-01-05T23:00:00Z' }, s, 0.8),
    ).toMatchObject({
      kind: 'FULL',
    });
  });

  it('handles split shifts: each part judged on its own', () => {
    const plans = planOverrides(
      { startTime: '2026-02-02T09:00:00Z', endTime: '2026-02-02T15:00:00Z' },
      [
        shift('am', '2026-02-02T08:00:00Z', '2026-02-02T12:00:00Z'),
        shift('pm', '2026-02-02T14:00:00Z', '2026-02-02T18:00:00Z'),
      ],
      0.8,
    );
    expect(plans.map((p) => [p.shiftId, p.kind, p.startTime, p.endTime])).toEqual([
      ['am', 'PARTIAL', '2026-02-02T09:00:00.000Z', '2026-02-02T12:00:00.000Z'],
      ['pm', 'PARTIAL', '2026-02-02T14:00:00.000Z', '2026-02-02T15:00:00.000Z'],
    ]);
  });

  it('finds a shift crossing local midnight that a UTC-day window would miss (spec 001 section 2)', () => {
    // New York night shift 22:00 Nov 19 -> 06:00 Nov 20 local = 03:00Z -> 11:00Z on Nov 20.
    const plans = planOverrides(
      { startTime: '2024-11-20T05:00:00.000Z', endTime: '2024-11-20T11:00:00.000Z' },
      [shift('night', '2024-11-20T03:00:00.000Z', '2024-11-20T11:00:00.000Z')],
      0.8,
    );
    expect(plans[0]).toMatchObject({ kind: 'PARTIAL', startTime: '2024-11-20T05:00:00.000Z' });
  });

  it('never plans a window outside its shift or outside the time-off, and never an empty one (property)', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const span = fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 2_000 }));
    fc.assert(
      fc.property(span, span, ([s1, d1], [s2, d2]) => {
        const sh = shift('s', iso(t0 + s1 * 60_000), iso(t0 + (s1 + d1) * 60_000));
        const off = { startTime: iso(t0 + s2 * 60_000), endTime: iso(t0 + (s2 + d2) * 60_000) };
        const p = planOverride(off, sh, 0.8);
        const overlap = Math.min(s1 + d1, s2 + d2) - Math.max(s1, s2);
        if (overlap <= 0) return p === undefined;
        if (!p) return false;
        const [ps, pe] = [Date.parse(p.startTime), Date.parse(p.endTime)];
        const inside = ps >= Date.parse(sh.startTime) && pe <= Date.parse(sh.endTime) && pe > ps;
        return (
          inside &&
          (p.kind === 'FULL'
            ? overlap / d1 >= 0.8
            : ps >= Date.parse(off.startTime) && pe <= Date.parse(off.endTime))
        );
      }),
    );
  });
});

describe('local days across time zones and DST (no fixed offsets)', () => {
  const cases: [string, string, string, string][] = [
    // zone, instant, its local date, the instant that local day starts
    ['America/New_York', '2024-11-20T03:00:00Z', '2024-11-19', '2024-11-19T05:00:00.000Z'],
    ['Europe/London', '2026-03-29T00:30:00Z', '2026-03-29', '2026-03-29T00:00:00.000Z'],
    ['Asia/Kolkata', '2026-06-01T20:00:00Z', '2026-06-02', '2026-06-01T18:30:00.000Z'],
    ['Australia/Lord_Howe', '2026-10-04T00:00:00Z', '2026-10-04', '2026-10-03T13:30:00.000Z'],
  ];
  it.each(cases)('%s: %s is on %s, which begins at %s', (zone, instant, date, start) => {
    expect(localDate(Date.parse(instant), zone)).toBe(date);
    expect(iso(startOfLocalDay(date, zone))).toBe(start);
  });

  it('widens to whole local days of 23 and 25 hours on the 2026 DST days, plus 24 h each side', () => {
    // US spring forward 2026-03-08: that local day is 23 h long.
    const spring = widenedQueryWindow(
      Date.parse('2026-03-08T15:00:00Z'),
      Date.parse('2026-03-08T20:00:00Z'),
      'America/New_York',
    );
    expect([iso(spring.start), iso(spring.end)]).toEqual([
      '2026-03-07T05:00:00.000Z',
      '2026-03-10T04:00:00.000Z',
    ]);
    // UK fall back 2026-10-25: that local day is 25 h long.
    const fall = widenedQueryWindow(
      Date.parse('2026-10-25T09:00:00Z'),
      Date.parse('2026-10-25T17:00:00Z'),
      'Europe/London',
    );
    expect([iso(fall.start), iso(fall.end)]).toEqual([
      '2026-10-23T23:00:00.000Z',
      '2026-10-27T00:00:00.000Z',
    ]);
    expect(Date.parse('2026-10-26T00:00:00Z') - Date.parse('2026-10-24T23:00:00Z')).toBe(25 * 3_600_000);
  });

  it("handles Lord Howe's 30-minute DST shift (2026-10-04 and 2026-04-05)", () => {
    expect(iso(startOfLocalDay('2026-10-05', 'Australia/Lord_Howe'))).toBe('2026-10-04T13:00:00.000Z'); // +11:00 after
    expect(iso(startOfLocalDay('2026-04-05', 'Australia/Lord_Howe'))).toBe('2026-04-04T13:00:00.000Z'); // +11:00 before
    expect(iso(startOfLocalDay('2026-04-06', 'Australia/Lord_Howe'))).toBe('2026-04-05T13:30:00.000Z'); // +10:30 after
  });

  it('removes exactly the shortened shift on a spring-forward night', () => {
    // New York 2026-03-08: a local 00:00-08:00 shift is 7 real hours (05:00Z -> 12:00Z).
    const s = shift('dst', '2026-03-08T05:00:00Z', '2026-03-08T12:00:00Z');
    const plan = planOverride({ startTime: '2026-03-08T06:00:00Z', endTime: '2026-03-08T13:00:00Z' }, s, 0.8);
    expect(plan).toMatchObject({ kind: 'FULL', coverage: 6 / 7 });
  });
});
