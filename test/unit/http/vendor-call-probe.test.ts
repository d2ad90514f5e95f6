/**
 * The crash switch's seam at the vendor boundary (shared/http/vendor-call-probe.ts): it sees each attempt
 * just before it is sent and just after its answer, and only the local runtime can install it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { TokenBucket } from '../../../shared/http/rate-limiter';
import {
  VENDOR_CALL_PROBE,
  type VendorCallPhase,
  type VendorCallProbe,
  type VendorCallProbeInfo,
} from '../../../shared/http/vendor-call-probe';
import { createVendorHttpClient } from '../../../shared/http/vendor-http-client';
import { FakeClock } from '../../helpers/fake-clock';

const REPO = resolve(__dirname, '../../..');
const slot = globalThis as { [VENDOR_CALL_PROBE]?: VendorCallProbe };

let server: Server;
let baseUrl = '';
let sent = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    sent += 1;
    req.resume();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end('{"id":"o-1"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => delete slot[VENDOR_CALL_PROBE]);

const client = () => {
  const clock = new FakeClock();
  return createVendorHttpClient({
    vendor: 'genesys',
    baseUrl,
    clock,
    limiter: new TokenBucket({ ratePerSecond: 10, burst: 10 }, clock),
  });
};

describe('the vendor call probe', () => {
  it('sees the attempt before it is sent and after its answer', async () => {
    const seen: [VendorCallPhase, VendorCallProbeInfo, number][] = [];
    slot[VENDOR_CALL_PROBE] = (phase, info) => seen.push([phase, info, sent]);
    const before = sent;
    await client().request({ method: 'POST', path: '/api/v2/wfm/scheduling/overrides', body: {} });
    const call = { vendor: 'genesys', method: 'POST', path: '/api/v2/wfm/scheduling/overrides' };
    expect(seen).toEqual([
      ['before-call', call, before],
      ['after-answer', { ...call, status: 201 }, before + 1],
    ]);
  });

  it('stops the call where it throws, as a killed instance would: nothing is sent', async () => {
    slot[VENDOR_CALL_PROBE] = (phase) => {
      if (phase === 'before-call') throw new Error('killed');
    };
    const before = sent;
    await expect(client().request({ method: 'POST', path: '/x', body: {} })).rejects.toThrow('killed');
    expect(sent).toBe(before);
  });

  it('is installed by nothing outside local/: the deployed handlers cannot arm a crash', () => {
    const key = 'wfm-bridge.local.vendor-call-probe';
    const sources = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return sources(path);
        return /\.(ts|cjs|js|mjs)$/.test(name) ? [path] : [];
      });
    const mentions = ['shared', 'functions', 'infra', 'local']
      .flatMap((dir) => sources(join(REPO, dir)))
      .filter((file) => {
        const text = readFileSync(file, 'utf8');
        return text.includes(key) || /VENDOR_CALL_PROBE\]\s*=/.test(text);
      })
      .map((file) => relative(REPO, file))
      .sort();
    // The probe's own module reads the slot; only the local function worker writes it.
    expect(mentions).toEqual(['local/function-worker.cjs', 'shared/http/vendor-call-probe.ts']);
    expect(readFileSync(join(REPO, 'shared/http/vendor-call-probe.ts'), 'utf8')).not.toMatch(
      /VENDOR_CALL_PROBE\]\s*=/,
    );
  });
});
