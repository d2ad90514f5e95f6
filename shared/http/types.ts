/**
 * The contract between vendor adapters and the resilience toolkit (shared/http).
 *
 * A `VendorHttpClient` owns authentication (OAuth token manager), the vendor's rate limit, the retry table
 * of spec 000 and the circuit breaker. Adapters only build requests and read responses.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  /** Path relative to the vendor base URL, starting with `/`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Serialised as JSON when present. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides the client's default per-call timeout (connect + read), in ms. */
  readonly timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: T;
  /** How many attempts the call took (1 when the first succeeded). */
  readonly attempts: number;
  /** When the answered attempt was sent (its `X-Timestamp-Dispatch`, ms since epoch). */
  readonly dispatchedAt?: number;
}

export interface VendorHttpClient {
  /** Resolves with a 2xx response; rejects with `VendorHttpError` once the retry table gives up. */
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
}

export interface VendorHttpErrorOptions {
  readonly cause?: unknown;
  /** Overrides the status-based `transient`. */
  readonly transient?: boolean;
}

/** A non-2xx answer the retry table does not (or no longer) retry, or a network failure (`status` 0). */
export class VendorHttpError extends Error {
  constructor(
    readonly vendor: string,
    readonly status: number,
    readonly body: unknown,
    readonly attempts: number,
    message: string,
    options?: VendorHttpErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VendorHttpError';
    this.transientOverride = options?.transient;
  }

  private readonly transientOverride?: boolean;

  /**
   * Whether a later redelivery of the message might succeed: 429, 5xx, network, and failures that are not
   * about the request (the token endpoint failed; a fresh token was revoked again at once).
   */
  get transient(): boolean {
    return this.transientOverride ?? (this.status === 0 || this.status === 429 || this.status >= 500);
  }
}
