/**
 * OAuth client-credentials tokens, shared by every instance that uses the same credentials through a
 * `SharedTokenStore` (the State table in AWS, docs/decisions/0007-shared-vendor-token.md; within the process
 * by default), and refreshed `refreshBeforeSeconds` before expiry (spec 002: 300 s of a 3600 s token).
 *
 * One token request per refresh, whatever the number of instances: when the token is due, one instance takes
 * the store's refresh lease, requests a token and stores it; the others keep the current one meanwhile. Within
 * a process, concurrent callers share one store read and one refresh (single-flight), so the vendor never sees
 * parallel refreshes invalidating each other (spec 002's trap). `invalidate` is the 401 path: the store is read
 * again first (another instance may have replaced a token the vendor then revoked), and a refresh is forced only
 * when the store still holds the rejected token.
 *
 * A refresh that fails while the current token is still valid is not the callers' problem: they keep it and
 * the refresh is tried again `retryAfterFailureMs` later. With `pauseAfterUnauthorizedMs` (spec 003: 5 s for CXone),
 * a 401 on the current token also holds every caller of this manager back that long after the one refresh, so
 * a burst does not hammer the vendor (or its OAuth limit) while it settles. Transient token-endpoint failures (network, 429,
 * 5xx) are retried on the clock; a 401 re-reads the credentials once, bypassing their cache (the secret may
 * have been rotated). The token value is never logged nor put in an error message.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../ports/clock';
import { InProcessTokenStore, type SharedTokenStore, type StoredToken } from '../ports/token-store';
import { backoff, retryAfterMs } from './retry-policy';

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface CredentialsRequest {
  /** Skip any cache: the vendor rejected the cached credentials. */
  readonly forceFetch?: boolean;
}

export interface TokenManagerOptions {
  readonly tokenUrl: string;
  readonly getCredentials: (req?: CredentialsRequest) => Promise<ClientCredentials>;
  readonly clock: Clock;
  /** Refresh this long before expiry (spec 002: 300; spec 000: 60); at most half the token's lifetime. */
  readonly refreshBeforeSeconds?: number;
  /** Sent as the request's `scope`, space-separated (RFC 6749 3.3); none sends no `scope`. */
  readonly scopes?: readonly string[];
  readonly fetch?: typeof fetch;
  /** Timeout of one token request. Default 10 s. */
  readonly timeoutMs?: number;
  /** Token-endpoint attempts on network errors, 429 and 5xx. Default 3. */
  readonly maxAttempts?: number;
  /** Delay before the second attempt (doubling, full jitter). Default 500 ms. */
  readonly retryBaseMs?: number;
  /** After a failed refresh with the old token still valid, try again this much later. Default 5 s. */
  readonly retryAfterFailureMs?: number;
  readonly random?: () => number;
  /** Where the token is shared with the other instances on the same credentials. Default: this manager only. */
  readonly store?: SharedTokenStore;
  /** How long a refresh lease lasts: a refresher that dies blocks the others' refresh this long. Default 15 s. */
  readonly refreshLeaseMs?: number;
  /** With no usable token and another instance refreshing, read the store again this often. Default 200 ms. */
  readonly leaseWaitPollMs?: number;
  /** With a token due and another instance refreshing, keep it this long before reading again. Default 1 s. */
  readonly recheckMs?: number;
  /**
   * After a 401 on the current token: hold every `getToken` this long from the 401 (the one refresh runs
   * meanwhile). Spec 003: 5 s for CXone. Default 0 (specs 000/002: refresh and retry at once).
   */
  readonly pauseAfterUnauthorizedMs?: number;
  /** Every token request this manager made (its retries included), with how long it took: the refresh-time metric. */
  readonly onRefresh?: (refresh: TokenRefresh) => void;
}

export interface TokenRefresh {
  /** From the first attempt to the token (or the last failure), retry waits included. */
  readonly durationMs: number;
  readonly ok: boolean;
}

interface Token extends StoredToken {
  /** When to refresh: `refreshBeforeSeconds` ahead of expiry, but never before half the token's life. */
  readonly refreshAt: number;
}

export class TokenRequestError extends Error {
  constructor(
    /** The token endpoint's HTTP status; 0 for a network error or timeout. */
    readonly status: number,
    message: string,
    options?: { cause?: unknown; retryAfter?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TokenRequestError';
    this.retryAfter = options?.retryAfter;
  }

  /** The endpoint's Retry-After header, when it sent one. */
  readonly retryAfter?: string;

  /** Worth trying again later: the endpoint was unreachable, throttled or failing. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export class TokenManager {
  private current?: Token;
  /** The last token a vendor answered 401 to: never taken from the store again. */
  private rejected?: string;
  private inflight?: Promise<Token>;
  /** Before this time a due (still valid) token is used without reading the store again. */
  private nextStoreCheck = 0;
  /** Until then every caller waits: the pause after a 401 (`pauseAfterUnauthorizedMs`). */
  private pausedUntil = 0;
  private readonly store: SharedTokenStore;
  private readonly owner = randomUUID();
  /** Tokens obtained by this manager. */
  refreshCount = 0;
  /** Token requests that failed (every attempt counts). */
  failedRequests = 0;

  constructor(private readonly o: TokenManagerOptions) {
    this.store = o.store ?? new InProcessTokenStore();
  }

  /** The current token, refreshed first when due; concurrent callers share one store read and refresh. */
  async getToken(): Promise<string> {
    const token = await this.currentToken();
    await this.pause();
    return token;
  }

  /** How much of the pause after a 401 is left (0 when none is running). */
  get pauseRemainingMs(): number {
    return Math.max(0, this.pausedUntil - this.o.clock.now());
  }

  /**
   * Waits out the pause after a 401, if one is running, with the refresh started at once (single-flight, so
   * one refresh however many callers wait). A caller about to take a rate-limit slot waits here first.
   */
  async pause(): Promise<void> {
    const left = this.pauseRemainingMs;
    if (left <= 0) return;
    const refreshing = this.currentToken().catch(() => undefined);
    await this.o.clock.sleep(left);
    await refreshing;
  }

  private async currentToken(): Promise<string> {
    const now = this.o.clock.now();
    const held = this.current;
    if (held && now < held.refreshAt) return held.value;
    if (held && now < held.expiresAt && now < this.nextStoreCheck) return held.value;
    try {
      const token = await this.sync();
      // Due but left to another instance's refresh: keep it a while before asking the store again.
      if (this.o.clock.now() >= token.refreshAt) this.nextStoreCheck = this.o.clock.now() + this.recheckMs;
      return token.value;
    } catch (err) {
      const stillValid = this.current && this.o.clock.now() < this.current.expiresAt;
      if (!stillValid) throw err;
      this.nextStoreCheck = this.o.clock.now() + (this.o.retryAfterFailureMs ?? 5000);
      return this.current!.value;
    }
  }

  /** When the current token was obtained (by whichever instance); reported in spec 002's drift diagnostics. */
  get lastRefreshAt(): number | undefined {
    return this.current?.obtainedAt;
  }

  /** When `token` was obtained (by whichever instance), if it is the current one. */
  obtainedAt(token: string): number | undefined {
    return this.current?.value === token ? this.current.obtainedAt : undefined;
  }

  /** When the current token expires (ms since epoch), if there is one. */
  get expiresAt(): number | undefined {
    return this.current?.expiresAt;
  }

  /**
   * Called with the token a 401 rejected: the next `getToken` reads the store again, and refreshes only if
   * the store still holds that token; once however many callers report it. A token that was already replaced
   * changes nothing. With `pauseAfterUnauthorizedMs`, that first report also starts the pause.
   */
  invalidate(token: string): void {
    if (this.current?.value === token) {
      this.current = undefined;
      this.rejected = token;
      this.nextStoreCheck = 0;
      const pauseMs = this.o.pauseAfterUnauthorizedMs ?? 0;
      if (pauseMs > 0) this.pausedUntil = Math.max(this.pausedUntil, this.o.clock.now() + pauseMs);
    }
  }

  private get recheckMs(): number {
    return this.o.recheckMs ?? 1000;
  }

  private sync(): Promise<Token> {
    this.inflight ??= this.syncWithStore().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Reads the shared token; when it is missing, due, expired or rejected, either refreshes it under the
   * store's lease or, while another instance holds the lease, keeps a still-valid token or waits for theirs.
   */
  private async syncWithStore(): Promise<Token> {
    const leaseMs = this.o.refreshLeaseMs ?? 15_000;
    const giveUpAt = this.o.clock.now() + 2 * leaseMs;
    for (let lostRaces = 0; ;) {
      const now = this.o.clock.now();
      const { token: stored, lease } = await this.fromStore(() => this.store.read());
      if (stored && now < stored.expiresAt && stored.value !== this.rejected) {
        this.adopt(stored);
        if (now < this.current!.refreshAt) return this.current!;
      }
      const usable = this.current && now < this.current.expiresAt ? this.current : undefined;
      if (lease && lease.until >= now) {
        if (usable) return usable;
        if (now >= giveUpAt)
          throw new TokenRequestError(
            0,
            `No ${this.o.tokenUrl} token: another instance's refresh did not finish within ${2 * leaseMs} ms`,
          );
        await this.o.clock.sleep(Math.min(this.o.leaseWaitPollMs ?? 200, Math.max(1, lease.until - now + 1)));
        continue;
      }
      const mine = { owner: this.owner, until: now + leaseMs };
      if (!(await this.fromStore(() => this.store.tryLease(mine, stored?.generation ?? 0, now)))) {
        // Another instance leased or replaced it since our read; the next read shows which.
        if (++lostRaces > 10)
          throw new TokenRequestError(0, `${this.o.tokenUrl}: lost the refresh lease 10 times`);
        continue;
      }
      let fresh: Omit<StoredToken, 'generation'>;
      const startedAt = this.o.clock.now();
      try {
        fresh = await this.requestWithRetries();
        this.o.onRefresh?.({ durationMs: this.o.clock.now() - startedAt, ok: true });
      } catch (err) {
        this.o.onRefresh?.({ durationMs: this.o.clock.now() - startedAt, ok: false });
        await this.store.releaseLease(this.owner).catch(() => undefined);
        throw err;
      }
      const written = await this.fromStore(() => this.store.replace(this.owner, fresh));
      // Lease taken over while we were asking (it expired): read whatever the new holder stores.
      if (!written) continue;
      this.adopt(written);
      this.refreshCount++;
      return this.current!;
    }
  }

  private adopt(token: StoredToken): void {
    if (this.current && this.current.generation > token.generation && this.current.value !== this.rejected)
      return;
    const lifetimeMs = token.expiresAt - token.obtainedAt;
    const earlyMs = Math.min((this.o.refreshBeforeSeconds ?? 300) * 1000, lifetimeMs / 2);
    this.current = { ...token, refreshAt: token.expiresAt - earlyMs };
    this.nextStoreCheck = 0;
  }

  /** A store that cannot be reached fails the call as transient, like an unreachable token endpoint. */
  private async fromStore<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new TokenRequestError(0, `Shared token store failed: ${String(err)}`, { cause: err });
    }
  }

  private async requestWithRetries(): Promise<Omit<StoredToken, 'generation'>> {
    const maxAttempts = this.o.maxAttempts ?? 3;
    let forceFetch = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.request(forceFetch);
      } catch (err) {
        this.failedRequests++;
        if (!(err instanceof TokenRequestError) || attempt >= maxAttempts) throw err;
        if (err.status === 401 && !forceFetch) {
          forceFetch = true;
          continue;
        }
        if (!err.transient) throw err;
        const wait =
          retryAfterMs(err.retryAfter, this.o.clock.now()) ??
          backoff(attempt, {
            baseDelayMs: this.o.retryBaseMs ?? 500,
            maxDelayMs: 10_000,
            random: this.o.random ?? Math.random,
          });
        await this.o.clock.sleep(wait);
      }
    }
  }

  private async request(forceFetch: boolean): Promise<Omit<StoredToken, 'generation'>> {
    const { clientId, clientSecret } = await this.o.getCredentials(forceFetch ? { forceFetch } : undefined);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    if (this.o.scopes?.length) form.set('scope', this.o.scopes.join(' '));
    let res: Response;
    let body: { access_token?: string; expires_in?: number };
    try {
      res = await (this.o.fetch ?? fetch)(this.o.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      if (!res.ok) {
        const oauthError = await oauthErrorCode(res);
        throw new TokenRequestError(
          res.status,
          `Token request to ${this.o.tokenUrl} failed with ${res.status}${oauthError ? ` (${oauthError})` : ''}`,
          {
            retryAfter: res.headers.get('retry-after') ?? undefined,
          },
        );
      }
      body = (await res.json()) as typeof body;
    } catch (err) {
      if (err instanceof TokenRequestError) throw err;
      throw new TokenRequestError(0, `Token request to ${this.o.tokenUrl} failed: ${String(err)}`, {
        cause: err,
      });
    }
    if (!body.access_token) throw new TokenRequestError(res.status, 'Token response has no access_token');
    const now = this.o.clock.now();
    return { value: body.access_token, obtainedAt: now, expiresAt: now + (body.expires_in ?? 3600) * 1000 };
  }
}

/**
 * The OAuth error code of a refused token request (RFC 6749 5.2: `invalid_scope`, `invalid_client`...), so a log
 * says why; only a code of that shape, never the rest of the body.
 */
async function oauthErrorCode(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { error?: unknown };
    return typeof body.error === 'string' && /^[a-z_]{1,40}$/.test(body.error) ? body.error : undefined;
  } catch {
    return undefined;
  }
}
