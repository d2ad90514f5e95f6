/** Issue 11's schedule cache: at most the rule document's max age per site and date, invalidated at once. */
import { InMemoryScheduleCacheStore } from '../../../shared/adapters/aws/schedule-cache-store.fake';
import { FakeCxoneBidding } from '../../../shared/adapters/cxone/bidding.fake';
import type { CxoneShift } from '../../../shared/domain/shift-bids/ports';
import {
  CachedScheduleReads,
  datesBetween,
  invalidateSchedule,
} from '../../../shared/domain/shift-bids/schedule-cache';
import { fixedRuleSource } from '../../../shared/domain/shift-bids/workflow';
import { FakeClock } from '../../helpers/fake-clock';
import { rules } from './fixtures';

const SITE = 'site_nyc_01';
const query = { siteId: SITE, dateFrom: '2026-07-14', dateTo: '2026-07-16' };

function shift(id: string, date: string, agentId: string | null): CxoneShift {
  return {
    id,
    siteId: SITE,
    agentId,
    date,
    startTime: '08:00:00',
    endTime: '16:00:00',
    status: 'published',
    queueId: 'q1',
    requiredSkills: [],
  };
}

function setup() {
  const clock = new FakeClock();
  const cxone = new FakeCxoneBidding({ clock });
  const store = new InMemoryScheduleCacheStore();
  const ruleSource = fixedRuleSource(rules());
  for (const s of [
    shift('a', '2026-07-14', 'x'),
    shift('b', '2026-07-15', null),
    shift('c', '2026-07-17', 'y'),
  ])
    cxone.shiftsById.set(s.id, s);
  // Two instances share the store, as two Lambda instances share the State table.
  const one = new CachedScheduleReads(cxone, store, ruleSource, clock);
  const two = new CachedScheduleReads(cxone, store, ruleSource, clock);
  const shiftReads = () => cxone.calls.filter((c) => c === 'shifts').length;
  const invalidate = (dateFrom: string, dateTo: string) =>
    invalidateSchedule({ siteId: SITE, dateFrom, dateTo }, { cache: store, rules: ruleSource, clock });
  return { clock, cxone, store, one, two, shiftReads, invalidate };
}

describe('schedule cache', () => {
  it('answers from the cache within 120 s, for every instance', async () => {
    const { clock, one, two, shiftReads } = setup();
    const first = await one.shifts(query);
    expect(first.map((s) => s.id)).toEqual(['a', 'b']);
    await clock.advance(119_999);
    expect((await two.shifts(query)).map((s) => s.id)).toEqual(['a', 'b']);
    expect(shiftReads()).toBe(1);
  });

  it('reads CXone again once the entry is 120 s old', async () => {
    const { clock, cxone, one, shiftReads } = setup();
    await one.shifts(query);
    cxone.shiftsById.set('b', shift('b', '2026-07-15', 'z'));
    await clock.advance(120_000);
    expect((await one.shifts(query)).find((s) => s.id === 'b')?.agentId).toBe('z');
    expect(shiftReads()).toBe(2);
  });

  it("reads a large site's day from CXone every time, since it is too large to cache", async () => {
    const { cxone, one, two, shiftReads } = setup();
    for (let i = 0; i < 3000; i++) cxone.shiftsById.set(`big-${i}`, shift(`big-${i}`, '2026-07-16', null));
    expect(await one.shifts(query)).toHaveLength(3002);
    expect(await two.shifts(query)).toHaveLength(3002);
    expect(shiftReads()).toBe(2);
  });

  it('takes the max age from the rule document', async () => {
    const clock = new FakeClock();
    const cxone = new FakeCxoneBidding({ clock });
    const short = fixedRuleSource({ ...rules(), scheduleCache: { maxAgeSeconds: 30 } });
    const cached = new CachedScheduleReads(cxone, new InMemoryScheduleCacheStore(), short, clock);
    await cached.shifts(query);
    await clock.advance(30_000);
    await cached.shifts(query);
    expect(cxone.calls.filter((c) => c === 'shifts')).toHaveLength(2);
  });

  it('misses for every instance once a schedule event invalidated one of the dates', async () => {
    const { clock, cxone, one, two, shiftReads, invalidate } = setup();
    await one.shifts(query);
    await two.shifts(query);
    expect(shiftReads()).toBe(1);
    cxone.shiftsById.set('b', shift('b', '2026-07-15', 'x'));
    await clock.advance(1);
    expect(await invalidate('2026-07-15', '2026-07-15')).toEqual({ dates: 1 });
    await clock.advance(1);
    expect((await two.shifts(query)).find((s) => s.id === 'b')?.agentId).toBe('x');
    expect((await one.shifts(query)).find((s) => s.id === 'b')?.agentId).toBe('x');
    expect(shiftReads()).toBe(2);
  });

  it('leaves other sites and dates cached', async () => {
    const { clock, store, one, shiftReads, invalidate } = setup();
    await one.shifts(query);
    await invalidate('2026-07-20', '2026-07-22');
    await invalidateSchedule(
      { siteId: 'site_other', dateFrom: '2026-07-15', dateTo: '2026-07-15' },
      { cache: store, rules: fixedRuleSource(rules()), clock },
    );
    await one.shifts(query);
    expect(shiftReads()).toBe(1);
  });

  it('never stores a read the invalidation overtook, and reads again', async () => {
    const { clock, cxone, store, one, shiftReads, invalidate } = setup();
    // The invalidation lands while the first read is in flight.
    const inner = cxone.shifts.bind(cxone);
    let overtaken = false;
    cxone.shifts = async (q) => {
      const answer = await inner(q);
      if (!overtaken) {
        overtaken = true;
        await clock.advance(5);
        await invalidate('2026-07-15', '2026-07-15');
        await clock.advance(5);
      }
      return answer;
    };
    await one.shifts(query);
    expect(shiftReads()).toBe(2);
    expect(store.days.get(`${SITE}#2026-07-15`)?.readAt).toBe(clock.now());
    await one.shifts(query);
    expect(shiftReads()).toBe(2);
  });

  it('does not cache draft or any-status reads', async () => {
    const { one, shiftReads } = setup();
    await one.shifts({ ...query, status: 'any' });
    await one.shifts({ ...query, status: 'any' });
    expect(shiftReads()).toBe(2);
  });

  it('lists the dates of a range inclusively', () => {
    expect(datesBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(datesBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
});
