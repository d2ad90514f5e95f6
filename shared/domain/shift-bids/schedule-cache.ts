/**
 * Issue 11: schedule reads go through a cache of at most `scheduleCache.maxAgeSeconds` (the rule document, at
 * most 120 s) per site and local date, and a `wfm.schedule.published` / `overridden` event invalidates the
 * affected site and dates at once for every instance (decision 0008, "Schedule cache").
 *
 * The cache lives in a shared store (the State table), not in an instance's memory: an invalidation one
 * instance records is seen by all on their next read. Each day carries the instant its shifts were read and the
 * instant it was last invalidated; a day is fresh only when it was read after the last invalidation and within
 * the max age. A read the invalidation overtook (started before it, stored after it) is refused by the store,
 * so a slow reader can never put the old schedule back.
 */
import type { Clock } from '../../ports/clock';
import { addDays } from '../time/local-days';
import type { CxoneBidding, CxoneShift, ShiftQuery } from './ports';
import type { RuleSource } from './workflow';

/** One site's published shifts of one local date, as the cache holds them. */
export interface CachedScheduleDay {
  readonly shifts: readonly CxoneShift[] | null;
  /** When the read that produced `shifts` started (ms since epoch); null when only invalidated. */
  readonly readAt: number | null;
  /** The last invalidation of this site and date (ms since epoch). */
  readonly invalidatedAt: number | null;
}

export interface ScheduleCacheStore {
  read(siteId: string, date: string): Promise<CachedScheduleDay | undefined>;
  /**
   * Stores a day's shifts read at `readAt`, kept until `expiresAt`; false (nothing stored) when the day was
   * invalidated at or after `readAt`.
   */
  write(
    siteId: string,
    date: string,
    shifts: readonly CxoneShift[],
    readAt: number,
    expiresAt: number,
  ): Promise<boolean>;
  /** Marks the day invalidated at `at` (a later mark is never moved back), kept until `expiresAt`. */
  invalidate(siteId: string, date: string, at: number, expiresAt: number): Promise<void>;
}

/** Every local date from `dateFrom` to `dateTo`, inclusive (none when `dateTo` is before `dateFrom`). */
export function datesBetween(dateFrom: string, dateTo: string): string[] {
  const dates: string[] = [];
  for (let date = dateFrom; date <= dateTo; date = addDays(date, 1)) dates.push(date);
  return dates;
}

export function isFresh(day: CachedScheduleDay | undefined, now: number, maxAgeMs: number): boolean {
  return (
    day?.shifts != null &&
    day.readAt !== null &&
    now - day.readAt < maxAgeMs &&
    (day.invalidatedAt === null || day.invalidatedAt < day.readAt)
  );
}

async function maxAgeMs(rules: RuleSource): Promise<number> {
  return (await rules.current()).document.scheduleCache.maxAgeSeconds * 1000;
}

/**
 * The CXone port with its published-shift reads cached per site and date; every other call goes straight
 * through. A query is answered from the cache only when every one of its dates is fresh; otherwise the whole
 * range is read from CXone and each date stored.
 */
export class CachedScheduleReads implements CxoneBidding {
  constructor(
    private readonly inner: CxoneBidding,
    private readonly cache: ScheduleCacheStore,
    private readonly rules: RuleSource,
    private readonly clock: Clock,
  ) {}

  biddingRequest: CxoneBidding['biddingRequest'] = (requestId) => this.inner.biddingRequest(requestId);
  biddingRequests: CxoneBidding['biddingRequests'] = (filter) => this.inner.biddingRequests(filter);
  locks: CxoneBidding['locks'] = (siteId) => this.inner.locks(siteId);
  agent: CxoneBidding['agent'] = (agentId) => this.inner.agent(agentId);
  act: CxoneBidding['act'] = (command) => this.inner.act(command);

  async shifts(query: ShiftQuery): Promise<CxoneShift[]> {
    if ((query.status ?? 'published') !== 'published') return this.inner.shifts(query);
    const dates = datesBetween(query.dateFrom, query.dateTo);
    const maxAge = await maxAgeMs(this.rules);
    const cached = await Promise.all(dates.map((date) => this.cache.read(query.siteId, date)));
    const now = this.clock.now();
    if (cached.every((day) => isFresh(day, now, maxAge))) return cached.flatMap((day) => [...day!.shifts!]);
    const first = await this.readAndStore(query, dates, maxAge);
    // An invalidation overtook the read: what it returned may predate the publication. Read once more.
    return first.stored ? first.shifts : (await this.readAndStore(query, dates, maxAge)).shifts;
  }

  private async readAndStore(query: ShiftQuery, dates: readonly string[], maxAge: number) {
    const readAt = this.clock.now();
    const shifts = await this.inner.shifts(query);
    const stored = await Promise.all(
      dates.map((date) =>
        this.cache.write(
          query.siteId,
          date,
          shifts.filter((s) => s.date === date),
          readAt,
          readAt + maxAge,
        ),
      ),
    );
    return { shifts, stored: stored.every(Boolean) };
  }
}

/**
 * A schedule event (`wfm.schedule.published` / `overridden`): every date it covers is stale from now on, for
 * every instance. The mark outlives the max age, after which any read before it is stale anyway.
 */
export async function invalidateSchedule(
  change: { readonly siteId: string; readonly dateFrom: string; readonly dateTo: string },
  deps: { readonly cache: ScheduleCacheStore; readonly rules: RuleSource; readonly clock: Clock },
): Promise<{ readonly dates: number }> {
  const at = deps.clock.now();
  const maxAge = await maxAgeMs(deps.rules);
  const dates = datesBetween(change.dateFrom, change.dateTo);
  await Promise.all(dates.map((date) => deps.cache.invalidate(change.siteId, date, at, at + maxAge)));
  return { dates: dates.length };
}
