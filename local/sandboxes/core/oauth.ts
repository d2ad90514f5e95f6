/**
 * OAuth 2.0 client credentials (spec 000): the sandboxes accept exactly the local vendor clients, the catch-all
 * `wfm-bridge-local` and one `wfm-bridge-local-<workflow>` per workflow (all with `local-client-secret`, the team
 * convention), issue opaque bearer tokens bound to the scopes asked (a scope the client was not granted is
 * refused with 400 `invalid_scope`; none asked grants all the client's), that expire, and can model spec 002's
 * trap: issuing a new token invalidates the same client's previous one, never another client's.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const LOCAL_CLIENT_ID = 'wfm-bridge-local';
export const LOCAL_CLIENT_SECRET = 'local-client-secret';
/** The local client of one workflow (shared/topology.ts `oauthClient.name`): its secret holds this id. */
export const localClientId = (clientName: string) => `${LOCAL_CLIENT_ID}-${clientName}`;

/** An OAuth client the vendor's administrator set up, with the scopes it was granted. */
export interface SandboxClient {
  readonly clientId: string;
  readonly scopes: readonly string[];
}

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
  readonly scopes: ReadonlySet<string>;
  readonly issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export type TokenCheck =
  | { ok: true; clientId: string; scopes: ReadonlySet<string> }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

export type IssueResult =
  | { ok: true; accessToken: string; expiresIn: number; scope: string }
  | { ok: false; status: 400 | 401; error: string; message: string };

export interface TokenStats {
  issued: number;
  invalidated: number;
  rejectedCredentials: number;
  rejectedScopes: number;
  rejectedTokens: { missing: number; unknown: number; expired: number; revoked: number };
  lastIssuedAt: string | null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly latestByClient = new Map<string, { token: string; issuedAt: number }>();
  private stats: TokenStats = TokenStore.emptyStats();
  /** Client id to its secret and granted scopes. */
  private readonly clients: ReadonlyMap<string, { secret: string; scopes: ReadonlySet<string> }>;

  /** `clients` besides the catch-all `wfm-bridge-local`, which is granted every scope any of them has. */
  constructor(
    private readonly vendor: string,
    private readonly now: () => number,
    clients: readonly SandboxClient[] = [],
  ) {
    const every = new Set(clients.flatMap((c) => c.scopes));
    this.clients = new Map([
      [LOCAL_CLIENT_ID, { secret: LOCAL_CLIENT_SECRET, scopes: every }],
      ...clients.map(
        (c) => [c.clientId, { secret: LOCAL_CLIENT_SECRET, scopes: new Set(c.scopes) }] as const,
      ),
    ]);
  }

  private static emptyStats(): TokenStats {
    return {
      issued: 0,
      invalidated: 0,
      rejectedCredentials: 0,
      rejectedScopes: 0,
      rejectedTokens: { missing: 0, unknown: 0, expired: 0, revoked: 0 },
      lastIssuedAt: null,
    };
  }

  reset(): void {
    this.tokens.clear();
    this.latestByClient.clear();
    this.stats = TokenStore.emptyStats();
  }

  /** `scope`: the request's space-separated scopes; absent or empty asks every scope the client was granted. */
  issue(
    clientId: string | undefined,
    clientSecret: string | undefined,
    scope: string | undefined,
    settings: TokenSettings,
  ): IssueResult {
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    if (client === undefined || clientSecret === undefined || !sameSecret(clientSecret, client.secret)) {
      this.stats.rejectedCredentials += 1;
      return { ok: false, status: 401, error: 'invalid_client', message: 'Client authentication failed' };
    }
    const asked = (scope ?? '').split(' ').filter((s) => s !== '');
    const refused = asked.filter((s) => !client.scopes.has(s));
    if (refused.length > 0) {
      this.stats.rejectedScopes += 1;
      return {
        ok: false,
        status: 400,
        error: 'invalid_scope',
        message: `The client is not granted the scope(s): ${refused.join(' ')}`,
      };
    }
    const scopes = new Set(asked.length > 0 ? asked : client.scopes);
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
      scopes,
      issuedAt: now,
      expiresAt: now + settings.tokenTtlSeconds * 1000,
      revoked: false,
    });
    this.latestByClient.set(clientId!, { token: accessToken, issuedAt: now });
    this.stats.issued += 1;
    this.stats.lastIssuedAt = new Date(now).toISOString();
    return { ok: true, accessToken, expiresIn: settings.tokenTtlSeconds, scope: [...scopes].join(' ') };
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
    return { ok: true, clientId: issued.clientId, scopes: issued.scopes };
  }

  /** Long-expired tokens are forgotten (they would answer `unknown` rather than `expired` afterwards). */
  private dropExpired(now: number): void {
    const horizon = now - 24 * 3600 * 1000;
    for (const [token, t] of this.tokens) if (t.expiresAt < horizon) this.tokens.delete(token);
  }
}
