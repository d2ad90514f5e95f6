/** Starts the sandboxes on a free port with a hand-driven wall clock and (optionally) a frozen rate-limit clock. */
import { sandboxAdmin, type SandboxAdmin } from '../../../local/sandboxes/admin-client';
import { startSandboxes, type RunningSandboxes } from '../../../local/sandboxes/server';

/** What the hand-driven wall clock reads after every `resetRelaxed()`. */
export const START_TIME = Date.parse('2026-05-15T12:00:00.000Z');

export const CLIENT = { id: 'wfm-bridge-local', secret: 'local-client-secret' };

export interface TestSandboxes {
  sb: RunningSandboxes;
  clock: { t: number; now(): number; advance(ms: number): void };
  /** Advances the rate-limit clock (only meaningful with `frozenRateClock`). */
  advanceRateClock(ms: number): void;
  /** Resets the clock and every vendor, and lifts the rate limits so tests not about rate limits never meet them. */
  resetRelaxed(): void;
}

export async function startTestSandboxes(options: { frozenRateClock?: boolean; seed?: boolean } = {}) {
  let mono = 0;
  const clock = {
    t: START_TIME,
    now() {
      return this.t;
    },
    advance(ms: number) {
      this.t += ms;
    },
  };
  const sb = await startSandboxes({
    port: 0,
    clock,
    seed: options.seed ?? false,
    ...(options.frozenRateClock && { rateLimitClock: () => mono }),
  });
  const relaxed = { ratePerSecond: 100_000, burst: 100_000 };
  const result: TestSandboxes = {
    sb,
    clock,
    advanceRateClock: (ms) => {
      mono += ms;
    },
    resetRelaxed() {
      clock.t = START_TIME;
      sb.reset();
      sb.vendors.genesys.configure({ rateLimits: { general: relaxed, adherence: relaxed, oauth: relaxed } });
      sb.vendors.cxone.configure({ rateLimits: { general: relaxed, oauth: relaxed } });
      sb.vendors.rewards.configure({ rateLimits: { general: relaxed, oauth: relaxed } });
    },
  };
  return result;
}

/** One vendor of a test file's sandboxes; its fields are set by the hooks `useVendorSandbox` registers. */
export interface VendorSandbox {
  sandboxes: TestSandboxes;
  /** The vendor's URL (with its prefix). */
  base: string;
  admin: SandboxAdmin;
  /** A bearer token fetched before each test. */
  token: string;
  readonly clock: TestSandboxes['clock'];
}

/**
 * Starts the sandboxes for the file; before each test resets them (relaxed rate limits), loads `fixtures`
 * into the vendor and fetches a token.
 */
export function useVendorSandbox(
  vendor: keyof RunningSandboxes['urls'],
  options: { seed?: boolean; fixtures?: unknown } = {},
): VendorSandbox {
  const session = {
    get clock() {
      return this.sandboxes.clock;
    },
  } as VendorSandbox;
  beforeAll(async () => {
    session.sandboxes = await startTestSandboxes({ seed: options.seed });
    session.base = session.sandboxes.sb.urls[vendor];
    session.admin = sandboxAdmin(session.base);
  });
  afterAll(() => session.sandboxes.sb.close());
  beforeEach(async () => {
    session.sandboxes.resetRelaxed();
    if (options.fixtures !== undefined) await session.admin.fixtures(options.fixtures);
    session.token = await token(session.base);
  });
  return session;
}

// Response bodies are asserted field by field; typing each one would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface CallResult<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = Json>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export async function requestToken(base: string, secret = CLIENT.secret): Promise<CallResult> {
  return call(base, 'POST', '/oauth/token', {
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT.id,
      client_secret: secret,
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

export async function token(base: string): Promise<string> {
  const res = await requestToken(base);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}
