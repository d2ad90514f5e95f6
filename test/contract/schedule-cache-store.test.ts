/**
 * The schedule cache store on DynamoDB Local and its in-memory fake: one contract. Times are real (DynamoDB
 * Local deletes an item past its TTL within a second).
 */
import {
  DynamoDbScheduleCacheStore,
  fitsScheduleCache,
} from '../../shared/adapters/aws/schedule-cache-store';
import { InMemoryScheduleCacheStore } from '../../shared/adapters/aws/schedule-cache-store.fake';
import type { CxoneShift } from '../../shared/domain/shift-bids/ports';
import type { ScheduleCacheStore } from '../../shared/domain/shift-bids/schedule-cache';
import { useDynamoDbLocal } from '../helpers/dynamodb-local';

const dynamo = useDynamoDbLocal();
const NOW = Date.now();
const LATER = NOW + 120_000;
const site = () => `site-${Math.random().toString(36).slice(2, 9)}`;

const shift = (siteId: string, id: string): CxoneShift => ({
  id,
  siteId,
  agentId: null,
  date: '2026-07-15',
  startTime: '08:00:00',
  endTime: '16:00:00',
  status: 'published',
  queueId: 'q1',
  requiredSkills: ['billing'],
});

describe.each<[string, () => Promise<ScheduleCacheStore>]>([
  ['fake', async () => new InMemoryScheduleCacheStore()],
  ['DynamoDB', async () => new DynamoDbScheduleCacheStore(dynamo.doc(), await dynamo.table('State'))],
])('schedule cache store (%s)', (_name, make) => {
  it('keeps a day read, per site and date', async () => {
    const store = await make();
    const siteId = site();
    expect(await store.read(siteId, '2026-07-15')).toBeUndefined();
    expect(await store.write(siteId, '2026-07-15', [shift(siteId, 's1')], NOW, LATER)).toBe(true);
    expect(await store.read(siteId, '2026-07-15')).toEqual({
      shifts: [shift(siteId, 's1')],
      readAt: NOW,
      invalidatedAt: null,
    });
    expect(await store.read(siteId, '2026-07-16')).toBeUndefined();
    expect(await store.read(site(), '2026-07-15')).toBeUndefined();
  });

  it('refuses a read that started at or before the last invalidation, and takes a later one', async () => {
    const store = await make();
    const siteId = site();
    await store.write(siteId, '2026-07-15', [shift(siteId, 'old')], NOW, LATER);
    await store.invalidate(siteId, '2026-07-15', NOW + 10, LATER + 10);
    expect(await store.write(siteId, '2026-07-15', [shift(siteId, 'slow')], NOW + 5, LATER)).toBe(false);
    expect(await store.write(siteId, '2026-07-15', [shift(siteId, 'slow')], NOW + 10, LATER)).toBe(false);
    expect(await store.read(siteId, '2026-07-15')).toEqual({
      shifts: [shift(siteId, 'old')],
      readAt: NOW,
      invalidatedAt: NOW + 10,
    });
    expect(await store.write(siteId, '2026-07-15', [shift(siteId, 'new')], NOW + 11, LATER)).toBe(true);
    expect((await store.read(siteId, '2026-07-15'))?.shifts).toEqual([shift(siteId, 'new')]);
  });

  it('stores a day too large for one item without its shifts, so it is never served from the cache', async () => {
    const store = await make();
    const siteId = site();
    // About 600 KB as JSON: over DynamoDB's 400 KB item limit, which refused the whole write before.
    const largeSiteDay = Array.from({ length: 3000 }, (_, i) => shift(siteId, `shift-${i}`));
    expect(fitsScheduleCache(largeSiteDay)).toBe(false);
    await store.write(siteId, '2026-07-15', [shift(siteId, 'small')], NOW, LATER);
    expect(await store.write(siteId, '2026-07-15', largeSiteDay, NOW + 1, LATER)).toBe(true);
    expect(await store.read(siteId, '2026-07-15')).toEqual({
      shifts: null,
      readAt: NOW + 1,
      invalidatedAt: null,
    });
    await store.invalidate(siteId, '2026-07-15', NOW + 10, LATER);
    expect(await store.write(siteId, '2026-07-15', largeSiteDay, NOW + 5, LATER)).toBe(false);
  });

  it('never moves an invalidation back, and marks a day it never cached', async () => {
    const store = await make();
    const siteId = site();
    await store.invalidate(siteId, '2026-07-15', NOW + 10, LATER);
    await store.invalidate(siteId, '2026-07-15', NOW + 5, LATER);
    expect(await store.read(siteId, '2026-07-15')).toEqual({
      shifts: null,
      readAt: null,
      invalidatedAt: NOW + 10,
    });
  });
});
