/**
 * The vendor sandboxes on one loopback HTTP server (DESIGN section 5): `/genesys`, `/cxone`, `/rewards`, each
 * with its OAuth token endpoint, rate limits, spec endpoints and `_admin` surface. `GET /health` answers 200
 * once listening; `POST /_admin/reset` resets all three. See docs/sandboxes.md.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { VendorName } from '../../shared/topology';
import { errorResponse } from './core/http';
import type { VendorContext, VendorSandbox } from './core/vendor-sandbox';
import { CxoneSandbox } from './vendors/cxone';
import { GenesysSandbox } from './vendors/genesys';
import { RewardsSandbox } from './vendors/rewards';

export const DEFAULT_SANDBOX_PORT = 4010;

export interface SandboxOptions {
  /** 0 picks a free port. Default 4010. */
  port?: number;
  host?: string;
  /** Wall clock for timestamps, token expiry and idempotency windows. Default `Date.now`. */
  clock?: { now(): number };
  /** Monotonic ms reading for the rate-limit buckets. Default real time (`performance.now`). */
  rateLimitClock?: () => number;
  /** Multiplies every bucket's refill rate (bursts unchanged), e.g. 10 for faster benches. Default 1. */
  scale?: number;
  /** Load the spec example fixtures at start and on reset. Default true. */
  seed?: boolean;
  /**
   * `_admin/config` patches per vendor that become that vendor's defaults (they survive `_admin/reset`), e.g.
   * `{ genesys: { invalidatePreviousToken: false } }`.
   */
  config?: Partial<Record<VendorName, Record<string, unknown>>>;
}

export interface RunningSandboxes {
  /** `http://host:port`, without a vendor prefix. */
  readonly url: string;
  readonly port: number;
  /** Base URL per vendor, e.g. `http://127.0.0.1:4010/genesys`. */
  readonly urls: Readonly<Record<VendorName, string>>;
  /** In-process access to the same admin operations as the HTTP surface. */
  readonly vendors: {
    readonly genesys: GenesysSandbox;
    readonly cxone: CxoneSandbox;
    readonly rewards: RewardsSandbox;
  };
  /** Resets every vendor (state, faults, request log, tokens, buckets, config). */
  reset(options?: { seed?: boolean }): void;
  close(): Promise<void>;
}

/** Base URL per vendor of the sandboxes at `url` (`http://host:port`). */
export function sandboxUrls(url: string): Record<VendorName, string> {
  return { genesys: `${url}/genesys`, cxone: `${url}/cxone`, rewards: `${url}/rewards` };
}

export async function startSandboxes(options: SandboxOptions = {}): Promise<RunningSandboxes> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? { now: () => Date.now() };
  const timers = new Set<NodeJS.Timeout>();
  const ctx: VendorContext = {
    now: () => clock.now(),
    monotonicNow: options.rateLimitClock ?? (() => performance.now()),
    scale: options.scale ?? 1,
    seed: options.seed ?? true,
    ...(options.config && { baseConfig: options.config }),
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
  };
  if (!(ctx.scale > 0)) throw new Error(`scale must be positive (got ${ctx.scale})`);
  const vendors = {
    genesys: new GenesysSandbox(ctx),
    cxone: new CxoneSandbox(ctx),
    rewards: new RewardsSandbox(ctx),
  };
  const byPrefix = new Map<string, VendorSandbox>(Object.values(vendors).map((v) => [v.prefix, v]));
  const reset = (o: { seed?: boolean } = {}) => Object.values(vendors).forEach((v) => v.reset(o));

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const segment = `/${url.pathname.split('/')[1] ?? ''}`;
    const vendor = byPrefix.get(segment);
    if (vendor) {
      const path = url.pathname.slice(segment.length) || '/';
      vendor.handle(req, res, path, url).catch((err: unknown) => {
        console.error('[sandbox] unhandled', err);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    let body: unknown;
    let status = 200;
    if (req.method === 'GET' && (url.pathname === '/health' || url.pathname === '/')) {
      body = { status: 'ok', vendors: Object.fromEntries(Object.keys(vendors).map((n) => [n, `/${n}`])) };
    } else if (req.method === 'POST' && url.pathname === '/_admin/reset') {
      reset();
      body = { status: 'reset', vendors: Object.keys(vendors) };
    } else {
      const notFound = errorResponse(
        404,
        'not.found',
        `Unknown path ${url.pathname}; use /genesys, /cxone or /rewards`,
      );
      status = notFound.status;
      body = notFound.body;
    }
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_SANDBOX_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    port,
    urls: sandboxUrls(url),
    vendors,
    reset,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
