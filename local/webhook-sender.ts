/**
 * Signs a webhook the way a vendor does and POSTs it: the one sender for tests, benchmarks and
 * `npm run send`.
 */
import type { SignatureScheme } from '../shared/topology';
import { signedHeaders } from '../shared/webhook/signatures';
import { DeadlineExceeded } from './net';

/** The signing secret every local route accepts (DESIGN section 5). */
export const LOCAL_WEBHOOK_SECRET = process.env.WFM_LOCAL_WEBHOOK_SECRET ?? 'local-webhook-secret';

export interface WebhookOptions {
  /** `none` sends the body unsigned. Default `hmac-sha256`. */
  readonly scheme?: SignatureScheme | 'none';
  /** Default LOCAL_WEBHOOK_SECRET. */
  readonly secret?: string;
  /** Sent after the signature headers, so a test can override them. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How long to wait for the answer. Default 30 s. */
  readonly timeoutMs?: number;
}

export interface WebhookAnswer<T> {
  readonly status: number;
  /** The answer parsed as JSON, or its text when it is not JSON. */
  readonly body: T;
}

/** `payload` is sent as is when it is a string, as JSON otherwise. */
export async function sendSignedWebhook<T = Record<string, unknown>>(
  url: string,
  payload: unknown,
  options: WebhookOptions = {},
): Promise<WebhookAnswer<T>> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const scheme = options.scheme ?? 'hmac-sha256';
  const signature =
    scheme === 'none' ? {} : signedHeaders(scheme, options.secret ?? LOCAL_WEBHOOK_SECRET, body);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const answer = fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signature, ...options.headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  }).then(async (res) => ({ res, text: await res.text() }));
  const { res, text } = await answer.catch((err: Error) => {
    throw err.name === 'TimeoutError' ? new DeadlineExceeded(`an answer to POST ${url}`, timeoutMs) : err;
  });
  return { status: res.status, body: parseOrText(text) as T };
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
