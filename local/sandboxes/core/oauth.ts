/**
 * OAuth 2.0 client credentials (spec 000): the sandboxes accept exactly the local vendor credentials
 * (`wfm-bridge-local` / `local-client-secret`, the team convention), issue opaque bearer tokens that expire, and
 * can model spec 002's trap: issuing a new token invalidates the client's previous one.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const LOCAL_CLIENT_ID = 'wfm-bridge-local';
export const LOCAL_CLIENT_SECRET = 'local-client-secret';

export interface TokenSettings {
  tokenTtlSeconds: number;
  invalidatePreviousToken: boolean;
  /**
   * Spec 002 edge case 1: a second refresh arriving this soon after the previous issuance for the same client
   * fails with 400. 0 turns it off.
   */
  refreshCollisionWindowMs: number;
}

interface IssuedToken {
  readonly clientId: string;
  readonly issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export type TokenCheck =
  { ok: true; clientId: string } | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

export type IssueResult =
  | { ok: true; accessToken: string; expiresIn: number }
  | { ok: false; status: 400 | 401; error: string; message: string };

export interface TokenStats {
  issued: number;
  invalidated: number;
  rejectedCredentials: number;
  rejectedTokens: { missing: number; unknown: number; expired: number; revoked: number };
  lastIssuedAt: string | null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly latestByClient = new Map<string, { token: string; issuedAt: number }>();
  private stats: TokenStats = TokenStore.emptyStats();

  constructor(
    private readonly vendor: string,
    private readonly now: () => number,
    private readonly clients: ReadonlyMap<string, string> = new Map([[LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET]]),
  ) {}

  private static emptyStats(): TokenStats {
    return {
      issued: 0,
      invalidated: 0,
      rejectedCredentials: 0,
      rejectedTokens: { missing: 0, unknown: 0, expired: 0, revoked: 0 },
      lastIssuedAt: null,
    };
  }

  reset(): void {
    this.tokens.clear();
    this.latestByClient.clear();
    this.stats = TokenStore.emptyStats();
  }

  issue(
    clientId: string | undefined,
    clientSecret: string | undefined,
    settings: TokenSettings,
  ): IssueResult {
    const expected = clientId === undefined ? undefined : this.clients.get(clientId);
    if (expected === undefined || clientSecret === undefined || !sameSecret(clientSecret, expected)) {
      this.stats.rejectedCredentials += 1;
      return { ok: false, status: 401, error: 'invalid_client', message: 'Client authentication failed' };
    }
    const now = this.now();
    const previous = this.latestByClient.get(clientId!);
    if (
      previous &&
      settings.refreshCollisionWindowMs > 0 &&
      now - previous.issuedAt < settings.refreshCollisionWindowMs
    ) {
      return {
        ok: false,
        status: 400,
        error: 'invalid_grant',
        message: 'A token was issued for this client moments ago; concurrent refresh rejected',
      };
    }
    if (previous && settings.invalidatePreviousToken) {
      const old = this.tokens.get(previous.token);
      if (old && !old.revoked) {
        old.revoked = true;
        this.stats.invalidated += 1;
      }
    }
    this.dropExpired(now);
    const accessToken = `${this.vendor}-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, {
      clientId: clientId!,
      issuedAt: now,
      expiresAt: now + settings.tokenTtlSeconds * 1000,
      revoked: false,
    });
    this.latestByClient.set(clientId!, { token: accessToken, issuedAt: now });
    this.stats.issued += 1;
    this.stats.lastIssuedAt = new Date(now).toISOString();
    return { ok: true, accessToken, expiresIn: settings.tokenTtlSeconds };
  }

  check(authorization: string | undefined): TokenCheck {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const result = this.classify(token);
    if (!result.ok) this.stats.rejectedTokens[result.reason] += 1;
    return result;
  }

  /**
   * Every token issued so far expires now (a client's token reaching its lifetime in the middle of its work,
   * spec 003 edge case 3): calls with it get 401 `expired`. Answers how many were still valid.
   */
  expireAll(): number {
    const now = this.now();
    let expired = 0;
    for (const t of this.tokens.values()) {
      if (t.revoked || t.expiresAt <= now) continue;
      t.expiresAt = now;
      expired += 1;
    }
    return expired;
  }

  snapshot(): TokenStats & { active: number } {
    const now = this.now();
    let active = 0;
    for (const t of this.tokens.values()) if (!t.revoked && t.expiresAt > now) active += 1;
    return { ...this.stats, rejectedTokens: { ...this.stats.rejectedTokens }, active };
  }

  private classify(token: string | undefined): TokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const issued = this.tokens.get(token);
    if (!issued) return { ok: false, reason: 'unknown' };
    if (issued.revoked) return { ok: false, reason: 'revoked' };
    if (issued.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, clientId: issued.clientId };
  }

  /** Long-expired tokens are forgotten (they would answer `unknown` rather than `expired` afterwards). */
  private dropExpired(now: number): void {
    const horizon = now - 24 * 3600 * 1000;
    for (const [token, t] of this.tokens) if (t.expiresAt < horizon) this.tokens.delete(token);
  }
}
