/**
 * Webhook signature schemes, verified on the raw body with constant-time comparison.
 *
 * - `hmac-sha256` (spec 000's header, with a replay window): `X-Webhook-Timestamp: <Unix seconds>` and
 *   `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, 300 s tolerance. Spec 000
 *   shows only the signature header; a MAC over the body alone would let a captured delivery be replayed
 *   forever, so the timestamp is signed with it (the layout Standard Webhooks and Stripe use).
 * - `standard-webhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` (space-separated
 *   list), HMAC-SHA256 over `${id}.${timestamp}.${body}`, 300 s tolerance. A secret that starts with
 *   `whsec_` is base64 after the prefix (the spec's format); any other secret is used as its UTF-8 bytes, so
 *   one route secret serves both schemes. Implemented on node:crypto rather than the `standardwebhooks`
 *   package, whose pure-JS HMAC is slower and whose tolerance check reads the wall clock; the unit tests
 *   check interoperability against the package.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureScheme } from '../routes';

/** How far a signed timestamp may be from now, either way, for both schemes. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureFailure = 'signature_missing' | 'signature_invalid' | 'signature_expired';
export type VerifyResult =
  | {
      ok: true;
      scheme: SignatureScheme;
      /** The signed timestamp (Unix seconds): the delivery is replayable until it leaves the tolerance. */
      timestampSeconds: number;
      /** The sender's delivery id, when the scheme carries one (Standard Webhooks' `webhook-id`). */
      deliveryId?: string;
    }
  | { ok: false; code: SignatureFailure };

/** Lower-cased header names to their value. */
export type HeaderMap = Readonly<Record<string, string | undefined>>;

export function normalizeHeaders(headers: Record<string, string | undefined> | null | undefined): HeaderMap {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function keyBytes(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function hmacSha256Signature(secret: string, timestampSeconds: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', keyBytes(secret)).update(`${timestampSeconds}.${rawBody}`).digest('hex')}`;
}

/** Unix seconds within the tolerance of now, or undefined. */
function freshTimestamp(value: string, nowMs: number): number | undefined {
  if (!/^\d{1,12}$/.test(value)) return undefined;
  const seconds = Number(value);
  return Math.abs(nowMs / 1000 - seconds) > SIGNATURE_TOLERANCE_SECONDS ? undefined : seconds;
}

export function standardWebhooksSignature(
  secret: string,
  id: string,
  timestampSeconds: number,
  rawBody: string,
) {
  const mac = createHmac('sha256', keyBytes(secret))
    .update(`${id}.${timestampSeconds}.${rawBody}`)
    .digest('base64');
  return `v1,${mac}`;
}

function verifyHmac(
  headers: HeaderMap,
  rawBody: string,
  secrets: readonly string[],
  nowMs: number,
): VerifyResult | undefined {
  const header = headers['x-webhook-signature'];
  if (!header) return undefined;
  // A signature without its signed timestamp is as good as none: it could be replayed at any time.
  const timestamp = headers['x-webhook-timestamp'];
  if (!timestamp) return { ok: false, code: 'signature_missing' };
  const seconds = freshTimestamp(timestamp, nowMs);
  if (seconds === undefined) return { ok: false, code: 'signature_expired' };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return { ok: false, code: 'signature_invalid' };
  const given = Buffer.from(match[1]!.toLowerCase(), 'hex');
  for (const secret of secrets) {
    const expected = createHmac('sha256', keyBytes(secret)).update(`${seconds}.${rawBody}`).digest();
    if (safeEqual(given, expected)) return { ok: true, scheme: 'hmac-sha256', timestampSeconds: seconds };
  }
  return { ok: false, code: 'signature_invalid' };
}

function verifyStandard(
  headers: HeaderMap,
  rawBody: string,
  secrets: readonly string[],
  nowMs: number,
): VerifyResult | undefined {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return undefined;
  const seconds = freshTimestamp(timestamp, nowMs);
  if (seconds === undefined) return { ok: false, code: 'signature_expired' };
  const given = signatures
    .split(' ')
    .map((s) => s.split(','))
    .filter(([version, value]) => version === 'v1' && value)
    .map(([, value]) => Buffer.from(value!, 'base64'));
  for (const secret of secrets) {
    const expected = createHmac('sha256', keyBytes(secret)).update(`${id}.${seconds}.${rawBody}`).digest();
    if (given.some((g) => safeEqual(g, expected)))
      return { ok: true, scheme: 'standard-webhooks', timestampSeconds: seconds, deliveryId: id };
  }
  return { ok: false, code: 'signature_invalid' };
}

/**
 * Verifies with the first of the route's schemes whose headers are present. `secrets` holds every secret
 * valid now (current and, during rotation, previous).
 */
export function verifySignature(
  schemes: readonly SignatureScheme[],
  headers: HeaderMap,
  rawBody: string,
  secrets: readonly string[],
  nowMs: number,
): VerifyResult {
  for (const scheme of schemes) {
    const result =
      scheme === 'hmac-sha256'
        ? verifyHmac(headers, rawBody, secrets, nowMs)
        : verifyStandard(headers, rawBody, secrets, nowMs);
    if (result) return result;
  }
  return { ok: false, code: 'signature_missing' };
}

/** Headers a sender would add, for `npm run send`, tests and benchmarks. */
export function signedHeaders(
  scheme: SignatureScheme,
  secret: string,
  rawBody: string,
  opts: { id?: string; nowMs?: number } = {},
): Record<string, string> {
  const ts = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  if (scheme === 'hmac-sha256') {
    return {
      'X-Webhook-Timestamp': String(ts),
      'X-Webhook-Signature': hmacSha256Signature(secret, ts, rawBody),
    };
  }
  const id = opts.id ?? `msg_${createHmac('sha256', 'id').update(rawBody).digest('hex').slice(0, 24)}`;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': standardWebhooksSignature(secret, id, ts, rawBody),
  };
}
