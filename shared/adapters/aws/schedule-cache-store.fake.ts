/** In-memory schedule cache with the DynamoDB store's conditions (expiry is the domain's to judge). */
import type { CxoneShift } from '../../domain/shift-bids/ports';
import type { CachedScheduleDay, ScheduleCacheStore } from '../../domain/shift-bids/schedule-cache';
import { fitsScheduleCache } from './schedule-cache-store';

export class InMemoryScheduleCacheStore implements ScheduleCacheStore {
  readonly days = new Map<string, CachedScheduleDay>();

  async read(siteId: string, date: string): Promise<CachedScheduleDay | undefined> {
    return this.days.get(`${siteId}#${date}`);
  }

  async write(siteId: string, date: string, shifts: readonly CxoneShift[], readAt: number): Promise<boolean> {
    const key = `${siteId}#${date}`;
    const day = this.days.get(key);
    if (day?.invalidatedAt != null && day.invalidatedAt >= readAt) return false;
    this.days.set(key, {
      shifts: fitsScheduleCache(shifts) ? shifts : null,
      readAt,
      invalidatedAt: day?.invalidatedAt ?? null,
    });
    return true;
  }

  async invalidate(siteId: string, date: string, at: number): Promise<void> {
    const key = `${siteId}#${date}`;
    const day = this.days.get(key);
    if (day?.invalidatedAt != null && day.invalidatedAt >= at) return;
    this.days.set(key, { shifts: day?.shifts ?? null, readAt: day?.readAt ?? null, invalidatedAt: at });
  }
}
