/**
 * Reads every page of a Genesys-style paged list (`{ entities, pageNumber, pageSize, nextUri }`, spec 000
 * on pagination): the first page from `path` + `query`, then each `nextUri` until a page has none. A
 * `nextUri` is only followed on the list's own path (the query it carries goes nowhere else), must move
 * the cursor on, and the number of pages is capped so a vendor that never stops cannot hold a worker.
 */
import type { VendorHttpClient } from './types';

export const DEFAULT_MAX_PAGES = 1000;

/** The vendor's paging cannot be followed; redelivery will not fix it. */
export class PaginationError extends Error {
  constructor(
    readonly path: string,
    readonly page: number,
    reason: string,
  ) {
    super(`GET ${path} page ${page}: ${reason}`);
    this.name = 'PaginationError';
  }
}

export interface PagedList<T> {
  readonly items: readonly T[];
  readonly nextUri?: string | null;
}

export interface FollowPagesOptions {
  readonly maxPages?: number;
}

type Query = Readonly<Record<string, string>>;

export async function followPages<T>(
  http: VendorHttpClient,
  first: { readonly path: string; readonly query: Query },
  readPage: (body: unknown) => PagedList<T>,
  options: FollowPagesOptions = {},
): Promise<T[]> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const { path } = first;
  const items: T[] = [];
  const seen = new Set<string>([queryKey(first.query)]);
  let query: Query | undefined = first.query;
  for (let page = 1; query; page++) {
    if (page > maxPages) throw new PaginationError(path, page, `more than ${maxPages} pages`);
    const res = await http.request({ method: 'GET', path, query });
    const { items: pageItems, nextUri } = readPage(res.body);
    items.push(...pageItems);
    query = nextUri ? nextQuery(path, page + 1, nextUri, seen) : undefined;
  }
  return items;
}

function nextQuery(path: string, page: number, nextUri: string, seen: Set<string>): Query {
  let url: URL;
  try {
    url = new URL(nextUri, 'relative:/');
  } catch {
    throw new PaginationError(path, page, 'nextUri is not a URI');
  }
  if (url.protocol !== 'relative:' || url.pathname !== path) {
    throw new PaginationError(path, page, 'nextUri leaves the list it pages');
  }
  const query = Object.fromEntries(url.searchParams);
  const key = queryKey(query);
  if (seen.has(key)) throw new PaginationError(path, page, 'nextUri does not advance (a page already read)');
  seen.add(key);
  return query;
}

function queryKey(query: Query): string {
  return JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
}
