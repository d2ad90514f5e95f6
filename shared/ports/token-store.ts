/**
 * One vendor OAuth token per client, shared by every instance that uses that client's credentials
 * (docs/decisions/0007-shared-vendor-token.md). A vendor that revokes the previous token on each issue (spec
 * 002) punishes every instance holding a token of its own; a shared token with a refresh lease does not.
 *
 * The store holds one token and at most one refresh lease. Only the lease holder replaces the token, and only
 * while its lease is still its own; a lease that outlives its `until` can be taken over, so a refresher that
 * died does not block the others for longer than its lease.
 */
export interface StoredToken {
  /** The bearer token itself: a credential. Never logged. */
  readonly value: string;
  /** When it was obtained and when it expires, ms since the epoch. */
  readonly obtainedAt: number;
  readonly expiresAt: number;
  /** 1 for the first token, one more per replacement; a lease is taken on the generation its taker read. */
  readonly generation: number;
}

export interface RefreshLease {
  readonly owner: string;
  /** The lease is free to take over from this time (ms since the epoch). */
  readonly until: number;
}

export interface TokenRecord {
  readonly token?: StoredToken;
  readonly lease?: RefreshLease;
}

export interface SharedTokenStore {
  /** The current token and lease, as last written (a strongly consistent read). */
  read(): Promise<TokenRecord>;
  /**
   * Takes the refresh lease if no live one exists (none, or its `until` is before `now`) and the stored
   * token is still generation `generation` (0: no token). False when another instance got there first.
   */
  tryLease(lease: RefreshLease, generation: number, now: number): Promise<boolean>;
  /**
   * Stores `token` as the next generation and frees the lease, only while `owner` holds the lease; answers
   * what was stored, or undefined when the lease was taken over.
   */
  replace(owner: string, token: Omit<StoredToken, 'generation'>): Promise<StoredToken | undefined>;
  /** Frees the lease without a new token (the refresh failed), if `owner` still holds it. */
  releaseLease(owner: string): Promise<void>;
}

/**
 * The store within one process: the default of a token manager that is not given a shared one, and the fake
 * of the DynamoDB adapter (several managers given one instance behave as instances sharing the table).
 */
export class InProcessTokenStore implements SharedTokenStore {
  protected record: { token?: StoredToken; lease?: RefreshLease } = {};

  async read(): Promise<TokenRecord> {
    return { ...this.record };
  }

  async tryLease(lease: RefreshLease, generation: number, now: number): Promise<boolean> {
    const held = this.record.lease;
    if (held && held.until >= now) return false;
    if ((this.record.token?.generation ?? 0) !== generation) return false;
    this.record = { ...this.record, lease };
    return true;
  }

  async replace(owner: string, token: Omit<StoredToken, 'generation'>): Promise<StoredToken | undefined> {
    if (this.record.lease?.owner !== owner) return undefined;
    const stored = { ...token, generation: (this.record.token?.generation ?? 0) + 1 };
    this.record = { token: stored };
    return stored;
  }

  async releaseLease(owner: string): Promise<void> {
    if (this.record.lease?.owner === owner) this.record = { token: this.record.token };
  }
}
