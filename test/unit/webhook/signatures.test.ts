import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  hmacSha256Signature,
  normalizeHeaders,
  signedHeaders,
  verifySignature,
} from '../../../shared/webhook/signatures';

const body = JSON.stringify({ event_type: 'agent.state.changed', n: 1 });
const NOW = Date.parse('2026-05-15T14:32:07Z');
const both = ['hmac-sha256', 'standard-webhooks'] as const;

describe('hmac-sha256 (spec 000, with a signed timestamp)', () => {
  it('accepts the signature of "<X-Webhook-Timestamp>.<raw body>" and reports the signed time', () => {
    const headers = normalizeHeaders(signedHeaders('hmac-sha256', 's3cret', body, { nowMs: NOW }));
    expect(headers['x-webhook-timestamp']).toBe(String(NOW / 1000));
    expect(headers['x-webhook-signature']).toBe(hmacSha256Signature('s3cret', NOW / 1000, body));
    expect(verifySignature(both, headers, body, ['s3cret'], NOW)).toEqual({
      ok: true,
      scheme: 'hmac-sha256',
      timestampSeconds: NOW / 1000,
    });
  });

  it('refuses a signature of the body alone (no timestamp) and a timestamp outside 300 s', () => {
    const bodyOnly = {
      'x-webhook-signature': `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`,
    };
    expect(verifySignature(both, bodyOnly, body, ['s3cret'], NOW)).toEqual({
      ok: false,
      code: 'signature_missing',
    });
    for (const skew of [-301_000, 301_000]) {
      const headers = normalizeHeaders(signedHeaders('hmac-sha256', 's3cret', body, { nowMs: NOW + skew }));
      expect(verifySignature(both, headers, body, ['s3cret'], NOW)).toEqual({
        ok: false,
        code: 'signature_expired',
      });
    }
    const edge = normalizeHeaders(signedHeaders('hmac-sha256', 's3cret', body, { nowMs: NOW - 299_000 }));
    expect(verifySignature(both, edge, body, ['s3cret'], NOW).ok).toBe(true);
  });

  it('rejects a tampered body, a wrong secret and a malformed or short signature without throwing', () => {
    const headers = normalizeHeaders(signedHeaders('hmac-sha256', 's3cret', body, { nowMs: NOW }));
    expect(verifySignature(both, headers, body + ' ', ['s3cret'], NOW)).toEqual({
      ok: false,
      code: 'signature_invalid',
    });
    expect(verifySignature(both, headers, body, ['other'], NOW)).toEqual({
      ok: false,
      code: 'signature_invalid',
    });
    const ts = String(NOW / 1000);
    for (const bad of [
      'sha256=abc',
      'md5=00',
      hmacSha256Signature('s3cret', NOW / 1000, body).slice(0, -2),
    ]) {
      const headers = { 'x-webhook-signature': bad, 'x-webhook-timestamp': ts };
      expect(verifySignature(both, headers, body, ['s3cret'], NOW)).toEqual({
        ok: false,
        code: 'signature_invalid',
      });
    }
  });

  it('accepts the previous secret during rotation', () => {
    const headers = normalizeHeaders(signedHeaders('hmac-sha256', 'old', body, { nowMs: NOW }));
    expect(verifySignature(both, headers, body, ['new', 'old'], NOW).ok).toBe(true);
  });

  it('reports a missing signature', () => {
    expect(verifySignature(both, {}, body, ['s3cret'], NOW)).toEqual({
      ok: false,
      code: 'signature_missing',
    });
  });
});

describe('Standard Webhooks', () => {
  const secret = 'whsec_' + Buffer.from('a-32-byte-long-secret-for-tests!').toString('base64');

  it('interoperates with the standardwebhooks package in both directions', () => {
    const ts = new Date(NOW);
    const reference = new Webhook(secret).sign('msg_1', ts, body);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(NOW / 1000),
      'webhook-signature': reference,
    };
    expect(verifySignature(both, headers, body, [secret], NOW)).toEqual({
      ok: true,
      scheme: 'standard-webhooks',
      timestampSeconds: NOW / 1000,
      deliveryId: 'msg_1',
    });
    const ours = signedHeaders('standard-webhooks', secret, body, { id: 'msg_1', nowMs: NOW });
    expect(ours['webhook-signature']).toBe(reference);
  });

  it('rejects timestamps outside the 300 s tolerance as expired', () => {
    const old = normalizeHeaders(signedHeaders('standard-webhooks', secret, body, { nowMs: NOW - 301_000 }));
    expect(verifySignature(both, old, body, [secret], NOW)).toEqual({ ok: false, code: 'signature_expired' });
    const fresh = normalizeHeaders(
      signedHeaders('standard-webhooks', secret, body, { nowMs: NOW - 299_000 }),
    );
    expect(verifySignature(both, fresh, body, [secret], NOW).ok).toBe(true);
  });

  it('accepts any of several space-separated signatures and a plain (non-whsec) secret', () => {
    const h = signedHeaders('standard-webhooks', 'plain-secret', body, { id: 'm', nowMs: NOW });
    const headers = { ...normalizeHeaders(h), 'webhook-signature': `v1,AAAA ${h['webhook-signature']}` };
    expect(verifySignature(both, headers, body, ['plain-secret'], NOW).ok).toBe(true);
  });
});
