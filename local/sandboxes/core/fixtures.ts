/** Fixture merging: entities are upserted by id, a partial entity updates the fields it names. */
import type { z } from 'zod';
import { RequestRejected } from './http';
import { zodError } from './vendor-sandbox';

export function parseFixtures<S extends z.ZodType>(schema: S, fixtures: unknown): z.output<S> {
  const parsed = schema.safeParse(fixtures ?? {});
  if (!parsed.success) throw new RequestRejected(zodError('Invalid fixtures', parsed.error));
  return parsed.data;
}

/**
 * Upserts `items` (already shape-checked loosely) into `map`, validating each merged entity against `schema`.
 * `onMerge(next, previous)` may adjust the stored entity (e.g. bump a version).
 */
export function upsertById<T extends { id: string }>(
  map: Map<string, T>,
  items: readonly Record<string, unknown>[] | undefined,
  schema: z.ZodType<T>,
  collection: string,
  onMerge: (next: T, previous: T | undefined) => T = (next) => next,
): number {
  if (!items) return 0;
  const staged: T[] = [];
  items.forEach((item, index) => {
    const id = item.id;
    const previous = typeof id === 'string' ? map.get(id) : undefined;
    const parsed = schema.safeParse({ ...previous, ...item });
    if (!parsed.success) {
      const withPath = parsed.error.issues.map((i) => ({ ...i, path: [collection, index, ...i.path] }));
      throw new RequestRejected(zodError('Invalid fixtures', { issues: withPath }));
    }
    staged.push(onMerge(parsed.data, previous));
  });
  for (const entity of staged) map.set(entity.id, entity);
  return staged.length;
}

export function removeByIds<T>(map: Map<string, T>, ids: readonly string[] | undefined): number {
  let removed = 0;
  for (const id of ids ?? []) if (map.delete(id)) removed += 1;
  return removed;
}
