/**
 * OAuth client-credentials tokens, cached and refreshed `refreshBeforeSeconds` before expiry (spec 002: 300 s
 * of a 3600 s token). Single-flight: concurrent callers during a refresh share one token request, so the
 * vendor never sees parallel refreshes invalidating each other (spec 002's trap). `invalidate` is the 401
 * path: it refreshes only if the rejected token is still the current one.
 */
import type { Clock } from '../ports/clock';

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface TokenManagerOptions {
  readonly tokenUrl: string;
  readonly getCredentials: () => Promise<ClientCredentials>;
  readonly clock: Clock;
  readonly refreshBeforeSeconds?: number;
  readonly scope?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

interface Token {
  readonly value: string;
  readonly expiresAt: number;
  /** When to refresh: `refreshBeforeSeconds` ahead of expiry, but never before half the token's life. */
  readonly refreshAt: number;
}

export class TokenRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

export class TokenManager {
  private current?: Token;
  private inflight?: Promise<Token>;
  /** When the last token was obtained (ms since epoch); reported in spec 002's drift diagnostics. */
  lastRefreshAt?: number;
  refreshCount = 0;

  constructor(private readonly o: TokenManagerOptions) {}

  async getToken(): Promise<string> {
    if (this.current && this.o.clock.now() < this.current.refreshAt) return this.current.value;
    return (await this.refresh()).value;
  }

  /** Called with the token a 401 rejected: refreshes once however many callers report the same token. */
  invalidate(token: string): void {
    if (this.current?.value === token) this.current = undefined;
  }

  private refresh(): Promise<Token> {
    this.inflight ??= this.request().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async request(): Promise<Token> {
    const { clientId, clientSecret } = await this.o.getCredentials();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    if (this.o.scope) form.set('scope', this.o.scope);
    const res = await (this.o.fetch ?? fetch)(this.o.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
    });
    if (!res.ok)
      throw new TokenRequestError(
        res.status,
        `Token request to ${this.o.tokenUrl} failed with ${res.status}`,
      );
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new TokenRequestError(res.status, 'Token response has no access_token');
    const now = this.o.clock.now();
    const lifetimeMs = (body.expires_in ?? 3600) * 1000;
    const earlyMs = Math.min((this.o.refreshBeforeSeconds ?? 300) * 1000, lifetimeMs / 2);
    this.current = {
      value: body.access_token,
      expiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - earlyMs,
    };
    this.lastRefreshAt = now;
    this.refreshCount++;
    return this.current;
  }
}
