import { decideRetry, DEFAULT_RETRY, retryAfterMs } from '../../../shared/http/retry-policy';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const noJitter = { ...DEFAULT_RETRY, random: () => 1 };

describe('spec 000 retry table', () => {
  it('reads Retry-After as delta-seconds and as an HTTP-date', () => {
    expect(retryAfterMs('7', NOW)).toBe(7000);
    expect(retryAfterMs(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(decideRetry(429, 1, { 'retry-after': '3' }, NOW, noJitter)).toEqual({
      retry: true,
      delayMs: 3000,
    });
    expect(decideRetry(429, 1, { 'retry-after': new Date(NOW + 5000).toUTCString() }, NOW, noJitter)).toEqual(
      {
        retry: true,
        delayMs: 5000,
      },
    );
  });

  it('backs off 1, 2, 4, 8 s after a 500 and then gives up', () => {
    const delays = [1, 2, 3, 4].map((a) => decideRetry(500, a, {}, NOW, noJitter));
    expect(delays).toEqual([1000, 2000, 4000, 8000].map((delayMs) => ({ retry: true, delayMs })));
    expect(decideRetry(500, 5, {}, NOW, noJitter)).toEqual({ retry: false });
  });

  it('caps backoff at 60 s and jitters within [0, cap]', () => {
    const cfg = { ...noJitter, serverErrorRetries: 20 };
    expect(decideRetry(500, 12, {}, NOW, cfg)).toEqual({ retry: true, delayMs: 60_000 });
    const jittered = decideRetry(500, 3, {}, NOW, { ...DEFAULT_RETRY, random: () => 0.25 });
    expect(jittered).toEqual({ retry: true, delayMs: 1000 });
  });

  it('retries 502/503/504 at most three times', () => {
    for (const status of [502, 503, 504]) {
      expect(decideRetry(status, 3, {}, NOW, noJitter).retry).toBe(true);
      expect(decideRetry(status, 4, {}, NOW, noJitter).retry).toBe(false);
    }
  });

  it('never retries 400, 404, 409, 422 or 423 (the caller decides)', () => {
    for (const status of [400, 404, 409, 422, 423])
      expect(decideRetry(status, 1, {}, NOW, noJitter)).toEqual({ retry: false });
  });

  it('makes at most three attempts on network errors', () => {
    expect(decideRetry('network', 2, {}, NOW, noJitter).retry).toBe(true);
    expect(decideRetry('network', 3, {}, NOW, noJitter).retry).toBe(false);
  });

  it('scales delays for the local runtime', () => {
    expect(decideRetry(429, 1, { 'retry-after': '2' }, NOW, { ...noJitter, scale: 0.1 })).toEqual({
      retry: true,
      delayMs: 200,
    });
  });
});
