import fc from 'fast-check';
import { formatInTimeZone } from 'date-fns-tz';
import {
  normalizeLocalTime,
  overlaps,
  resolveLocalTime,
  shiftWindow,
} from '../../../shared/domain/shift-bids/shift-window';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const hours = (w: { start: number; end: number }) => (w.end - w.start) / HOUR;

/** Local dates in 2026 on which the zone's UTC offset changes, found by scanning every 15 minutes. */
function transitionDates(timeZone: string): string[] {
  const dates: string[] = [];
  let previous = formatInTimeZone(Date.UTC(2026, 0, 1), timeZone, 'xxx');
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 15 * 60_000) {
    const offset = formatInTimeZone(t, timeZone, 'xxx');
    if (offset !== previous) dates.push(formatInTimeZone(t, timeZone, 'yyyy-MM-dd'));
    previous = offset;
  }
  return dates;
}

describe('the 2026 DST transitions the other tests rely on (verified, not assumed)', () => {
  it.each([
    ['America/New_York', ['2026-03-08', '2026-11-01']],
    ['Europe/London', ['2026-03-29', '2026-10-25']],
    ['Australia/Lord_Howe', ['2026-04-05', '2026-10-04']],
  ])('%s changes offset on %j', (timeZone, dates) => {
    expect(transitionDates(timeZone)).toEqual(dates);
  });

  it('Lord Howe moves by 30 minutes: +11:00 in (southern) summer, +10:30 in winter', () => {
    expect(formatInTimeZone(Date.UTC(2026, 0, 15), 'Australia/Lord_Howe', 'xxx')).toBe('+11:00');
    expect(formatInTimeZone(Date.UTC(2026, 6, 15), 'Australia/Lord_Howe', 'xxx')).toBe('+10:30');
  });
});

describe('local times that do not exist or exist twice (resolved deliberately)', () => {
  it.each([
    // spring forward: a skipped time is moved forward by the gap (the offset before the gap)
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T07:30:00.000Z', 'skipped'],
    ['Europe/London', '2026-03-29', '01:30', '2026-03-29T01:30:00.000Z', 'skipped'],
    ['Australia/Lord_Howe', '2026-10-04', '02:15', '2026-10-03T15:45:00.000Z', 'skipped'],
    // fall back: a repeated time is its first occurrence
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00.000Z', 'repeated'],
    ['Europe/London', '2026-10-25', '01:30', '2026-10-25T00:30:00.000Z', 'repeated'],
    ['Australia/Lord_Howe', '2026-04-05', '01:45', '2026-04-04T14:45:00.000Z', 'repeated'],
    // ordinary times either side
    ['America/New_York', '2026-03-08', '03:00', '2026-03-08T07:00:00.000Z', 'exact'],
    ['Australia/Lord_Howe', '2026-04-05', '02:00', '2026-04-04T15:30:00.000Z', 'exact'],
    ['Australia/Lord_Howe', '2026-07-01', '09:00', '2026-06-30T22:30:00.000Z', 'exact'],
  ])('%s %s %s -> %s (%s)', (timeZone, date, time, instant, resolution) => {
    const resolved = resolveLocalTime(date, time, timeZone);
    expect([iso(resolved.instant), resolved.resolution]).toEqual([instant, resolution]);
  });

  it('reads a skipped time as the wall clock past the gap, a repeated one in the earlier offset', () => {
    const skipped = resolveLocalTime('2026-03-08', '02:30', 'America/New_York');
    expect(formatInTimeZone(skipped.instant, 'America/New_York', 'HH:mm xxx')).toBe('03:30 -04:00');
    const repeated = resolveLocalTime('2026-11-01', '01:30', 'America/New_York');
    expect(formatInTimeZone(repeated.instant, 'America/New_York', 'HH:mm xxx')).toBe('01:30 -04:00');
  });

  it('round-trips every existing quarter hour of 2026 in the three zones (property)', () => {
    const zones = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 365 * 96 - 1 }),
        (timeZone, quarter) => {
          const instant = Date.UTC(2026, 0, 1) + quarter * 15 * 60_000;
          const [date, time] = formatInTimeZone(instant, timeZone, 'yyyy-MM-dd HH:mm:ss').split(' ');
          const resolved = resolveLocalTime(date!, time!, timeZone);
          // Either the instant itself, or (in a repeated hour) its earlier twin.
          expect(
            resolved.resolution === 'repeated' ? resolved.instant <= instant : resolved.instant === instant,
          ).toBe(true);
          expect(formatInTimeZone(resolved.instant, timeZone, 'yyyy-MM-dd HH:mm:ss')).toBe(`${date} ${time}`);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('shift windows', () => {
  it('a day shift in New York (spec 003 example: 2023-10-15 08:00-16:00 EDT)', () => {
    const w = shiftWindow(
      { date: '2023-10-15', startTime: '08:00:00', endTime: '16:00:00' },
      'America/New_York',
    );
    expect([iso(w.start), iso(w.end), w.endDate]).toEqual([
      '2023-10-15T12:00:00.000Z',
      '2023-10-15T20:00:00.000Z',
      '2023-10-15',
    ]);
  });

  it('an end at or before the start ends on the next local day', () => {
    const night = shiftWindow({ date: '2026-06-10', startTime: '22:00', endTime: '06:00' }, 'Europe/London');
    expect([iso(night.start), iso(night.end), night.endDate]).toEqual([
      '2026-06-10T21:00:00.000Z',
      '2026-06-11T05:00:00.000Z',
      '2026-06-11',
    ]);
    const fullDay = shiftWindow(
      { date: '2026-06-10', startTime: '08:00', endTime: '08:00' },
      'Europe/London',
    );
    expect(hours(fullDay)).toBe(24);
  });

  it.each([
    ['America/New_York', '2026-03-07', 7],
    ['America/New_York', '2026-10-31', 9],
    ['Europe/London', '2026-03-28', 7],
    ['Europe/London', '2026-10-24', 9],
    ['Australia/Lord_Howe', '2026-10-03', 7.5],
    ['Australia/Lord_Howe', '2026-04-04', 8.5],
    ['Australia/Lord_Howe', '2026-07-04', 8],
  ])('an overnight 22:00-06:00 shift in %s starting %s lasts %s hours', (timeZone, date, expected) => {
    expect(hours(shiftWindow({ date, startTime: '22:00', endTime: '06:00' }, timeZone))).toBe(expected);
  });

  it('reports a shift boundary that DST moved', () => {
    const w = shiftWindow({ date: '2026-11-01', startTime: '01:30', endTime: '09:30' }, 'America/New_York');
    expect([w.startResolution, w.endResolution, hours(w)]).toEqual(['repeated', 'exact', 9]);
  });

  it('refuses what it cannot place: an unknown zone, an impossible time, a shift DST swallows', () => {
    expect(() =>
      shiftWindow({ date: '2026-01-01', startTime: '08:00', endTime: '16:00' }, 'Mars/Olympus'),
    ).toThrow(/IANA/);
    expect(() => normalizeLocalTime('24:00')).toThrow(/local time/);
    expect(() =>
      shiftWindow({ date: '2026-03-08', startTime: '02:30', endTime: '03:00' }, 'America/New_York'),
    ).toThrow(/no duration/);
  });

  it('overlap is half-open: back-to-back shifts do not overlap', () => {
    expect(overlaps({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(false);
    expect(overlaps({ start: 0, end: 11 }, { start: 10, end: 20 })).toBe(true);
    expect(overlaps({ start: 12, end: 13 }, { start: 10, end: 20 })).toBe(true);
  });
});
