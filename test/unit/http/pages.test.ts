import { followPages, PaginationError } from '../../../shared/http/pages';
import type { HttpRequest, VendorHttpClient } from '../../../shared/http/types';

const PATH = '/api/v2/wfm/scheduling/overrides';

/** Answers each request with the next of `bodies`, recording what was asked. */
function scripted(bodies: unknown[]): VendorHttpClient & { asked: HttpRequest[] } {
  const asked: HttpRequest[] = [];
  return {
    asked,
    request: async <T>(req: HttpRequest) => {
      asked.push(req);
      return { status: 200, headers: {}, body: bodies[asked.length - 1] as T, attempts: 1 };
    },
  };
}
const read = (body: unknown) => body as { items: string[]; nextUri?: string };

describe('followPages', () => {
  it('reads the first page, then each nextUri on the same path, until a page has none', async () => {
    const http = scripted([
      { items: ['a'], nextUri: `${PATH}?userId=u&pageNumber=2` },
      { items: ['b'], nextUri: `${PATH}?userId=u&pageNumber=3` },
      { items: ['c'] },
    ]);
    expect(await followPages(http, { path: PATH, query: { userId: 'u' } }, read)).toEqual(['a', 'b', 'c']);
    expect(http.asked.map((r) => [r.path, r.query])).toEqual([
      [PATH, { userId: 'u' }],
      [PATH, { userId: 'u', pageNumber: '2' }],
      [PATH, { userId: 'u', pageNumber: '3' }],
    ]);
  });

  it('refuses a nextUri that does not advance the cursor', async () => {
    const http = scripted([
      { items: ['a'], nextUri: `${PATH}?pageNumber=2` },
      { items: ['b'], nextUri: `${PATH}?pageNumber=2` },
    ]);
    await expect(followPages(http, { path: PATH, query: {} }, read)).rejects.toThrow(
      new PaginationError(PATH, 3, 'nextUri does not advance (a page already read)'),
    );
  });

  it('refuses a nextUri on another path or host', async () => {
    for (const nextUri of ['/api/v2/users/u?pageNumber=2', `https://elsewhere.example${PATH}?pageNumber=2`]) {
      await expect(
        followPages(scripted([{ items: [], nextUri }]), { path: PATH, query: {} }, read),
      ).rejects.toThrow('nextUri leaves the list it pages');
    }
  });

  it('stops after maxPages', async () => {
    const endless = Array.from({ length: 5 }, (_, i) => ({
      items: [i],
      nextUri: `${PATH}?pageNumber=${i + 2}`,
    }));
    await expect(
      followPages(scripted(endless), { path: PATH, query: {} }, read, { maxPages: 3 }),
    ).rejects.toThrow(`GET ${PATH} page 4: more than 3 pages`);
  });
});
