/**
 * What every vendor sandbox shares: the OAuth token endpoint, bearer-token checks, the vendor's rate limits as
 * token buckets, fault injection, the request log and the admin surface of DESIGN section 5. A vendor adds its
 * routes, its in-memory state, how fixtures merge into it and what `_admin/state` shows.
 *
 * Pipeline of an API call: fault (delay / drop / status) -> route lookup (404/405) -> bearer token (401) ->
 * the token's scopes against the route's (the vendor's refusal: Genesys 403, CXone 401) -> rate-limit bucket
 * (429) -> handler. Admin calls skip all of it and are not logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { FaultList, FaultRequestSchema, type ActiveFault } from './faults';
import {
  errorCodeForStatus,
  errorResponse,
  header,
  json,
  parseJsonBody,
  RequestRejected,
  type SandboxRequest,
  type SandboxResponse,
} from './http';
import { TokenStore, type SandboxClient, type TokenSettings } from './oauth';
import {
  headersOfInterest,
  loggableBody,
  RequestLog,
  responseHeadersOfInterest,
  type LoggedRequest,
  type RequestFilter,
} from './request-log';
import { Router, type RouteDefinition } from './router';
import { TokenBucket, type RateLimit } from './token-bucket';

export const TOKEN_PATH = '/oauth/token';
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface VendorContext {
  /** Wall clock (ms since epoch) for timestamps, token expiry, idempotency windows. */
  readonly now: () => number;
  /** Monotonic ms reading for rate-limit buckets and latency. */
  readonly monotonicNow: () => number;
  /** Multiplies every bucket's refill rate (bursts unchanged). */
  readonly scale: number;
  /** Whether `reset` (and start) load the spec example fixtures. */
  readonly seed: boolean;
  readonly sleep: (ms: number) => Promise<void>;
  /** Per-vendor `_admin/config` patches applied over the defaults at start and on every reset. */
  readonly baseConfig?: Readonly<Record<string, Record<string, unknown>>>;
}

export interface CommonConfig extends TokenSettings {
  requireAuth: boolean;
  /** Unscaled limits per bucket; the effective refill rate is `ratePerSecond * scale`. */
  rateLimits: Record<string, RateLimit>;
}

const RateLimitSchema = z.object({ ratePerSecond: z.number().positive(), burst: z.number().positive() });
const commonConfigShape = {
  tokenTtlSeconds: z.number().positive(),
  invalidatePreviousToken: z.boolean(),
  refreshCollisionWindowMs: z.number().int().nonnegative(),
  requireAuth: z.boolean(),
  rateLimits: z.record(z.string(), RateLimitSchema),
};

const ResetSchema = z.object({ seed: z.boolean().optional() }).strict();

export abstract class VendorSandbox {
  readonly router = new Router();
  readonly log = new RequestLog();
  readonly faults: FaultList;
  protected readonly tokens: TokenStore;
  protected config!: CommonConfig;
  private readonly buckets = new Map<string, TokenBucket>();

  /** `clients`: the vendor's OAuth clients beyond the catch-all local one, with the scopes each was granted. */
  protected constructor(
    readonly name: string,
    protected readonly ctx: VendorContext,
    clients: readonly SandboxClient[] = [],
  ) {
    this.faults = new FaultList(`/${name}`);
    this.tokens = new TokenStore(name, ctx.now, clients);
  }

  get prefix(): string {
    return `/${this.name}`;
  }

  // ---- what a vendor provides -------------------------------------------------------------------------

  protected abstract defaultConfig(): CommonConfig;
  /** Vendor-specific `_admin/config` keys (validated, partial). */
  protected abstract readonly vendorConfigShape: z.ZodRawShape;
  protected abstract applyVendorConfig(patch: Record<string, unknown>, reset: boolean): void;
  protected abstract vendorConfig(): Record<string, unknown>;
  protected abstract resetState(seed: boolean): void;
  /** Merges fixtures into state; returns what changed. Throws `RequestRejected` on invalid fixtures. */
  abstract loadFixtures(fixtures: unknown): Record<string, unknown>;
  abstract state(): Record<string, unknown>;

  /** `scopes`: a token needs one of them (none: any token will do). */
  protected route(
    method: string,
    pattern: string,
    handler: RouteDefinition['handler'],
    { bucket = 'general', scopes = [] }: { bucket?: string; scopes?: readonly string[] } = {},
  ) {
    this.router.add({ method, pattern, handler, bucket, scopes });
  }

  /** How the vendor refuses a valid token that lacks every scope the route needs. */
  protected scopeRefused(required: readonly string[]): SandboxResponse {
    return errorResponse(403, 'missing.any.scopes', `The token lacks every scope this call needs`, {
      requiredScopes: required,
    });
  }

  // ---- admin, also callable in-process -----------------------------------------------------------------

  reset(options: { seed?: boolean } = {}): void {
    this.log.clear();
    this.faults.clear();
    this.tokens.reset();
    this.config = this.defaultConfig();
    this.applyVendorConfig({}, true);
    this.buckets.clear();
    const base = this.ctx.baseConfig?.[this.name];
    if (base) {
      try {
        this.configure(base);
      } catch (err) {
        const detail = err instanceof RequestRejected ? JSON.stringify(err.response.body) : String(err);
        throw new Error(`Invalid sandbox config for ${this.name}: ${detail}`);
      }
    }
    this.resetState(options.seed ?? this.ctx.seed);
  }

  configure(patch: unknown): Record<string, unknown> {
    const parsed = z
      .object({ ...commonConfigShape, ...this.vendorConfigShape })
      .partial()
      .strict()
      .safeParse(patch);
    if (!parsed.success) throw new RequestRejected(zodError('Invalid config', parsed.error));
    const {
      tokenTtlSeconds,
      invalidatePreviousToken,
      refreshCollisionWindowMs,
      requireAuth,
      rateLimits,
      ...rest
    } = parsed.data as Partial<CommonConfig> & Record<string, unknown>;
    if (rateLimits) {
      for (const bucket of Object.keys(rateLimits)) {
        if (!(bucket in this.config.rateLimits)) {
          throw new RequestRejected(
            errorResponse(400, 'bad.request', `Unknown rate-limit bucket "${bucket}"`, {
              buckets: Object.keys(this.config.rateLimits),
            }),
          );
        }
      }
    }
    this.config = {
      ...this.config,
      ...(tokenTtlSeconds !== undefined && { tokenTtlSeconds }),
      ...(invalidatePreviousToken !== undefined && { invalidatePreviousToken }),
      ...(refreshCollisionWindowMs !== undefined && { refreshCollisionWindowMs }),
      ...(requireAuth !== undefined && { requireAuth }),
      rateLimits: { ...this.config.rateLimits, ...rateLimits },
    };
    for (const [bucket, limit] of Object.entries(rateLimits ?? {})) {
      this.buckets.get(bucket)?.reconfigure(this.scaled(limit));
    }
    this.applyVendorConfig(rest, false);
    return this.currentConfig();
  }

  currentConfig(): Record<string, unknown> {
    const effective = Object.fromEntries(
      Object.entries(this.config.rateLimits).map(([bucket, limit]) => [bucket, this.scaled(limit)]),
    );
    return { ...this.config, scale: this.ctx.scale, effectiveRateLimits: effective, ...this.vendorConfig() };
  }

  requests(filter: RequestFilter = {}): LoggedRequest[] {
    const path = filter.path?.startsWith(this.prefix + '/')
      ? filter.path.slice(this.prefix.length)
      : filter.path;
    return this.log.query({ ...filter, path });
  }

  addFaults(body: unknown): ReturnType<FaultList['list']> {
    const parsed = FaultRequestSchema.safeParse(body);
    if (!parsed.success) throw new RequestRejected(zodError('Invalid faults', parsed.error));
    if (Array.isArray(parsed.data)) this.faults.add(parsed.data);
    else this.faults.add(parsed.data.faults, parsed.data.replace);
    return this.faults.list();
  }

  /** The common part of `_admin/state`; vendors add their entities. */
  protected commonState(): Record<string, unknown> {
    const buckets = Object.fromEntries(
      Object.keys(this.config.rateLimits).map((name) => {
        const bucket = this.bucket(name);
        return [name, { ...bucket.settings, available: Math.floor(bucket.available()) }];
      }),
    );
    return {
      vendor: this.name,
      tokens: this.tokens.snapshot(),
      rateLimits: buckets,
      faults: this.faults.list(),
    };
  }

  // ---- HTTP --------------------------------------------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      send(res, errorResponse(413, 'payload.too.large', `Body over ${MAX_BODY_BYTES} bytes`));
      return;
    }
    const base = { method, path, query: url.searchParams, headers: req.headers, rawBody, params: {} };
    if (path === '/_admin' || path.startsWith('/_admin/')) {
      send(res, this.handleAdmin(base));
      return;
    }
    await this.handleApi(base, req, res);
  }

  private async handleApi(request: SandboxRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.ctx.monotonicNow();
    const atMs = this.ctx.now();
    const entry: Omit<LoggedRequest, 'seq'> = {
      at: new Date(atMs).toISOString(),
      atMs,
      method: request.method,
      path: request.path,
      query: Object.fromEntries(request.query),
      headers: headersOfInterest(request.headers),
      body: loggableBody(request.rawBody, header(request.headers, 'content-type')),
      status: 0,
      durationMs: 0,
      responseHeaders: {},
    };
    const logged = this.log.append(entry);
    const finish = (response: SandboxResponse | undefined) => {
      logged.durationMs = Math.round((this.ctx.monotonicNow() - started) * 10) / 10;
      if (!response) return;
      logged.status = response.status;
      logged.responseHeaders = responseHeadersOfInterest(response.headers ?? {});
      if (response.status >= 400) logged.responseBody = response.body;
    };

    /** Applies a fault; true when it answered (or dropped) the call instead of the endpoint. */
    const applyFault = async (fault: ActiveFault): Promise<boolean> => {
      logged.fault = {
        id: fault.id,
        ...(fault.status !== undefined && { status: fault.status }),
        ...(fault.delayMs !== undefined && { delayMs: fault.delayMs }),
        ...(fault.dropConnection && { dropConnection: true }),
        ...(fault.commitFirst && { commitFirst: true }),
      };
      if (fault.delayMs) await this.ctx.sleep(fault.delayMs);
      if (fault.dropConnection) {
        finish(undefined);
        req.socket.destroy();
        return true;
      }
      if (fault.status === undefined) return false;
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      const response: SandboxResponse = {
        status: fault.status,
        headers,
        body:
          fault.body ??
          (fault.status >= 400
            ? { error: errorCodeForStatus(fault.status), message: 'Injected fault', status: fault.status }
            : {}),
      };
      finish(response);
      send(res, response);
      return true;
    };

    const fault = this.faults.take(request.method, request.path);
    if (fault && (await applyFault(fault))) return;

    let response: SandboxResponse;
    try {
      response = await this.dispatch(request, logged);
    } catch (err) {
      if (err instanceof RequestRejected) response = err.response;
      else {
        console.error(`[sandbox:${this.name}] ${request.method} ${request.path} failed`, err);
        response = errorResponse(500, 'internal.server.error', 'Sandbox error');
      }
    }
    const afterCommit =
      response.status < 300 ? this.faults.take(request.method, request.path, true) : undefined;
    if (afterCommit && (await applyFault(afterCommit))) return;
    finish(response);
    if (!res.destroyed) send(res, response);
  }

  private async dispatch(request: SandboxRequest, logged: LoggedRequest): Promise<SandboxResponse> {
    if (request.path === TOKEN_PATH && request.method === 'POST') {
      const limited = this.takeToken('oauth');
      if (limited.response) return limited.response;
      return withHeaders(this.issueToken(request), limited.headers);
    }
    const match = this.router.match(request.method, request.path);
    if (match.kind === 'not-found') {
      return errorResponse(404, 'not.found', `No route ${request.method} ${request.path}`);
    }
    if (match.kind === 'method-not-allowed') {
      return errorResponse(
        405,
        'method.not.allowed',
        `Use ${match.allowed.join(' or ')}`,
        {},
        {
          allow: match.allowed.join(', '),
        },
      );
    }
    if (this.config.requireAuth) {
      const auth = this.tokens.check(header(request.headers, 'authorization'));
      if (!auth.ok) {
        logged.authFailure = auth.reason;
        const message = {
          missing: 'Missing bearer token',
          unknown: 'Unknown bearer token',
          expired: 'The bearer token has expired',
          revoked: 'The bearer token was invalidated by a newer token',
        }[auth.reason];
        return errorResponse(
          401,
          'unauthorized',
          message,
          { reason: auth.reason },
          { 'www-authenticate': `Bearer error="invalid_token", error_description="${message}"` },
        );
      }
      const required = match.route.scopes;
      if (required.length > 0 && !required.some((s) => auth.scopes.has(s))) {
        logged.authFailure = 'scope';
        return this.scopeRefused(required);
      }
    }
    const limited = this.takeToken(match.route.bucket);
    if (limited.response) {
      logged.rateLimited = true;
      return limited.response;
    }
    const response = await match.route.handler({ ...request, params: match.params });
    return withHeaders(response, limited.headers);
  }

  private takeToken(bucketName: string): { headers: Record<string, string>; response?: SandboxResponse } {
    const result = this.bucket(bucketName).take();
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.bucket(bucketName).settings.burst),
      'x-ratelimit-remaining': String(result.remaining),
      'x-ratelimit-reset': String(result.resetSeconds),
      'x-ratelimit-bucket': bucketName,
    };
    if (result.allowed) return { headers };
    const retryAfterMs = Math.ceil(result.retryAfterMs);
    headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(retryAfterMs);
    return {
      headers,
      response: errorResponse(
        429,
        'too.many.requests',
        `Rate limit exceeded for ${this.name} ${bucketName}`,
        { retryAfterMs },
        headers,
      ),
    };
  }

  private bucket(name: string): TokenBucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      const limit = this.config.rateLimits[name];
      if (!limit) throw new Error(`${this.name}: no rate limit declared for bucket ${name}`);
      bucket = new TokenBucket(this.scaled(limit), this.ctx.monotonicNow);
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private scaled(limit: RateLimit): RateLimit {
    return { ratePerSecond: limit.ratePerSecond * this.ctx.scale, burst: limit.burst };
  }

  private issueToken(request: SandboxRequest): SandboxResponse {
    const contentType = header(request.headers, 'content-type') ?? '';
    let fields: Record<string, string>;
    if (contentType.includes('application/json')) {
      const body = parseJsonBody(request);
      fields = typeof body === 'object' && body !== null ? (body as Record<string, string>) : {};
    } else {
      fields = Object.fromEntries(new URLSearchParams(request.rawBody));
    }
    let clientId = fields.client_id;
    let clientSecret = fields.client_secret;
    const basic = /^Basic\s+(\S+)$/i.exec(header(request.headers, 'authorization') ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    if (fields.grant_type !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    const issued = this.tokens.issue(clientId, clientSecret, fields.scope, this.config);
    if (!issued.ok) return oauthError(issued.status, issued.error, issued.message);
    return json(
      200,
      {
        access_token: issued.accessToken,
        token_type: 'Bearer',
        expires_in: issued.expiresIn,
        scope: issued.scope,
      },
      { 'cache-control': 'no-store' },
    );
  }

  private handleAdmin(request: SandboxRequest): SandboxResponse {
    try {
      return this.adminRoute(request);
    } catch (err) {
      if (err instanceof RequestRejected) return err.response;
      console.error(`[sandbox:${this.name}] admin ${request.method} ${request.path} failed`, err);
      return errorResponse(500, 'internal.server.error', String(err));
    }
  }

  private adminRoute(request: SandboxRequest): SandboxResponse {
    const body = () => (request.rawBody.trim() === '' ? {} : parseJsonBody(request));
    const key = `${request.method} ${request.path.replace(/\/$/, '')}`;
    switch (key) {
      case 'POST /_admin/reset': {
        const parsed = ResetSchema.safeParse(body());
        if (!parsed.success) throw new RequestRejected(zodError('Invalid reset', parsed.error));
        this.reset(parsed.data);
        return json(200, { status: 'reset', vendor: this.name });
      }
      case 'POST /_admin/fixtures':
        return json(200, { status: 'merged', loaded: this.loadFixtures(body()) });
      case 'GET /_admin/faults':
        return json(200, { faults: this.faults.list() });
      case 'POST /_admin/faults':
        return json(200, { faults: this.addFaults(body()) });
      case 'DELETE /_admin/faults':
        this.faults.clear();
        return json(200, { faults: [] });
      case 'GET /_admin/requests': {
        const q = request.query;
        const num = (k: string) => (q.get(k) !== null && q.get(k) !== '' ? Number(q.get(k)) : undefined);
        const matching = this.requests({
          path: q.get('path') ?? undefined,
          method: q.get('method') ?? undefined,
          status: num('status'),
          since: num('since'),
        });
        // `count` is every match; `limit` keeps the newest (0: only the count, for cheap polling).
        const limit = num('limit');
        const requests = limit === undefined ? matching : limit > 0 ? matching.slice(-limit) : [];
        return json(200, { count: matching.length, requests });
      }
      case 'DELETE /_admin/requests':
        this.log.clear();
        return json(200, { count: 0, requests: [] });
      case 'GET /_admin/state':
        return json(200, this.state());
      case 'POST /_admin/tokens/expire':
        return json(200, { expired: this.tokens.expireAll() });
      case 'GET /_admin/config':
        return json(200, this.currentConfig());
      case 'POST /_admin/config':
        return json(200, this.configure(body()));
      case 'GET /_admin':
      case 'GET /_admin/routes':
        return json(200, {
          vendor: this.name,
          tokenEndpoint: `POST ${TOKEN_PATH}`,
          routes: this.router.list(),
        });
      default:
        return errorResponse(404, 'not.found', `No admin route ${key}`);
    }
  }
}

interface IssueList {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

export function zodError(message: string, error: IssueList): SandboxResponse {
  return errorResponse(400, 'bad.request', `${message}: ${formatIssues(error)}`, {
    issues: error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}

export function formatIssues(error: IssueList): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

function oauthError(status: number, error: string, message: string): SandboxResponse {
  return json(status, { error, error_description: message, message }, { 'cache-control': 'no-store' });
}

function withHeaders(response: SandboxResponse, headers: Record<string, string>): SandboxResponse {
  return { ...response, headers: { ...headers, ...response.headers } };
}

function send(res: ServerResponse, response: SandboxResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...response.headers };
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and discarded so the 413 can still be answered.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES
        ? reject(new Error('body too large'))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}
