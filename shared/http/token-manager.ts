/**
 * OAuth client-credentials tokens, cached and refreshed `refreshBeforeSeconds` before expiry (spec 002: 300 s
 * of a 3600 s token). Single-flight: concurrent callers during a refresh share one token request, so the
 * vendor never sees parallel refreshes invalidating each other (spec 002's trap). `invalidate` is the 401
 * path: it refreshes only if the rejected token is still the current one.
 *
 * A refresh that fails while the cached token is still valid is not the callers' problem: they keep the
 * old token and the refresh is tried again `retryAfterFailureMs` later. Transient token-endpoint failures
 * (network, 429, 5xx) are retried on the clock; a 401 re-reads the credentials once, bypassing their cache
 * (the secret may have been rotated).
 */
import type { Clock } from '../ports/clock';
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
  readonly scope?: string;
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
}

interface Token {
  readonly value: string;
  readonly expiresAt: number;
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
  private inflight?: Promise<Token>;
  private nextRefreshTry = 0;
  /** When the last token was obtained (ms since epoch); reported in spec 002's drift diagnostics. */
  lastRefreshAt?: number;
  /** Tokens obtained by this manager. */
  refreshCount = 0;
  /** Token requests that failed (every attempt counts). */
  failedRequests = 0;

  constructor(private readonly o: TokenManagerOptions) {}

  /** The cached token, refreshed first when due; concurrent callers share one refresh. */
  async getToken(): Promise<string> {
    const now = this.o.clock.now();
    const held = this.current;
    if (held && now < held.refreshAt) return held.value;
    if (held && now < held.expiresAt && now < this.nextRefreshTry) return held.value;
    try {
      return (await this.refresh()).value;
    } catch (err) {
      const stillValid = this.current && this.o.clock.now() < this.current.expiresAt;
      if (!stillValid) throw err;
      this.nextRefreshTry = this.o.clock.now() + (this.o.retryAfterFailureMs ?? 5000);
      return this.current!.value;
    }
  }

  /** When the current token expires (ms since epoch), if there is one. */
  get expiresAt(): number | undefined {
    return this.current?.expiresAt;
  }

  /**
   * Called with the token a 401 rejected: the next `getToken` refreshes, once however many callers report
   * the same token. A token that was already replaced changes nothing.
   */
  invalidate(token: string): void {
    if (this.current?.value === token) {
      this.current = undefined;
      this.nextRefreshTry = 0;
    }
  }

  private refresh(): Promise<Token> {
    this.inflight ??= this.requestWithRetries().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async requestWithRetries(): Promise<Token> {
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

  private async request(forceFetch: boolean): Promise<Token> {
    const { clientId, clientSecret } = await this.o.getCredentials(forceFetch ? { forceFetch } : undefined);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    if (this.o.scope) form.set('scope', this.o.scope);
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
        await res.body?.cancel();
        throw new TokenRequestError(
          res.status,
          `Token request to ${this.o.tokenUrl} failed with ${res.status}`,
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
    const lifetimeMs = (body.expires_in ?? 3600) * 1000;
    const earlyMs = Math.min((this.o.refreshBeforeSeconds ?? 300) * 1000, lifetimeMs / 2);
    this.current = {
      value: body.access_token,
      expiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - earlyMs,
    };
    this.nextRefreshTry = 0;
    this.lastRefreshAt = now;
    this.refreshCount++;
    return this.current;
  }
}
