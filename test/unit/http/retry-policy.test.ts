import fc from 'fast-check';
import {
  attemptTimeoutMs,
  decideRetry,
  DEFAULT_RETRY,
  requestedWaitMs,
  retryAfterMs,
} from '../../../shared/http/retry-policy';
import { workflowByName } from '../../../shared/topology';

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

describe('retry table details', () => {
  it('keeps full jitter within [0, min(60 s, 1 s * 2^(n-1))] for any random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const cfg = { ...DEFAULT_RETRY, serverErrorRetries: 30, random: () => r };
        const d = decideRetry(500, n, {}, NOW, cfg);
        const ceiling = Math.min(60_000, 1000 * 2 ** (n - 1));
        return d.retry && d.delayMs >= 0 && d.delayMs <= ceiling;
      }),
    );
  });

  it('backs off on 429 when the vendor sends no Retry-After, and gives up after the configured retries', () => {
    expect(decideRetry(429, 3, {}, NOW, noJitter)).toEqual({ retry: true, delayMs: 4000 });
    expect(decideRetry(429, 7, { 'retry-after': '1' }, NOW, noJitter)).toEqual({ retry: false });
  });

  it('treats an HTTP-date in the past as "now" and caps a very long Retry-After', () => {
    expect(decideRetry(429, 1, { 'retry-after': new Date(NOW - 5000).toUTCString() }, NOW, noJitter)).toEqual(
      { retry: true, delayMs: 0 },
    );
    expect(decideRetry(429, 1, { 'retry-after': '3600' }, NOW, noJitter)).toEqual({
      retry: true,
      delayMs: 60_000,
    });
  });

  it('ignores Retry-After values that are neither delta-seconds nor a date', () => {
    for (const bad of ['-1', '', '  ', '1e3', 'soon']) expect(retryAfterMs(bad, NOW)).toBeUndefined();
    expect(retryAfterMs(' 2 ', NOW)).toBe(2000);
  });

  it('prefers the precise retry-after-ms when a vendor sends both', () => {
    const headers = { 'retry-after': '1', 'retry-after-ms': '140' };
    expect(requestedWaitMs(headers, NOW)).toBe(140);
    expect(decideRetry(429, 1, headers, NOW, noJitter)).toEqual({ retry: true, delayMs: 140 });
    expect(requestedWaitMs({ 'retry-after-ms': 'x', 'retry-after': '2' }, NOW)).toBe(2000);
  });

  it('does not retry 401 itself (the client refreshes the token) nor other 4xx', () => {
    for (const status of [401, 403, 405, 410])
      expect(decideRetry(status, 1, {}, NOW, noJitter).retry).toBe(false);
  });

  it('gives each network retry a longer timeout', () => {
    expect([1, 2, 3].map((a) => attemptTimeoutMs(10_000, a))).toEqual([10_000, 15_000, 22_500]);
    expect(attemptTimeoutMs(1000, 3, { timeoutGrowth: 2 })).toBe(4000);
  });

  it('backs off network retries with jitter, scaled', () => {
    const d = decideRetry('network', 2, {}, NOW, { ...DEFAULT_RETRY, random: () => 0.5, scale: 0.1 });
    expect(d).toEqual({ retry: true, delayMs: 100 });
  });
});

describe("the shift-bids processor's CXone profile (spec 003 section 3)", () => {
  const profile = workflowByName('shift-bids')!.processor.vendorClient!.retry!;
  const cxone = { ...noJitter, ...profile };

  it('retries only 429, 500 and 503, with exponential backoff, at most 3 attempts', () => {
    for (const status of [429, 500, 503]) {
      expect(decideRetry(status, 1, {}, NOW, cxone)).toEqual({ retry: true, delayMs: 1000 });
      expect(decideRetry(status, 2, {}, NOW, cxone)).toEqual({ retry: true, delayMs: 2000 });
      expect(decideRetry(status, 3, {}, NOW, cxone)).toEqual({ retry: false });
    }
  });

  it('does not retry 502, 504 or any other 5xx, nor 400 and 401', () => {
    for (const status of [400, 401, 501, 502, 504, 599])
      expect(decideRetry(status, 1, {}, NOW, cxone)).toEqual({ retry: false });
  });

  it("still waits for a 429's Retry-After", () => {
    expect(decideRetry(429, 1, { 'retry-after': '7' }, NOW, cxone)).toEqual({ retry: true, delayMs: 7000 });
  });

  it('fails a 401 to a freshly refreshed token as permanent (a scope issue)', () => {
    expect(profile.unauthorizedAfterRefresh).toBe('permanent');
  });
});
