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
  /** The sender's clock when it signs (schemes that sign a timestamp). Default now. */
  readonly nowMs?: number;
}

export interface WebhookAnswer<T> {
  readonly status: number;
  /** The answer parsed as JSON, or its text when it is not JSON. */
  readonly body: T;
}

/**
 * The headers a vendor sends with `body` (content type, then the signature), without sending it: for tests
 * that tamper with a delivery after signing it.
 */
export function webhookHeaders(
  body: string,
  options: Pick<WebhookOptions, 'scheme' | 'secret' | 'nowMs'> = {},
): Record<string, string> {
  const scheme = options.scheme ?? 'hmac-sha256';
  const signature =
    scheme === 'none'
      ? {}
      : signedHeaders(scheme, options.secret ?? LOCAL_WEBHOOK_SECRET, body, { nowMs: options.nowMs });
  return { 'content-type': 'application/json', ...signature };
}

/** `payload` is sent as is when it is a string, as JSON otherwise. */
export async function sendSignedWebhook<T = Record<string, unknown>>(
  url: string,
  payload: unknown,
  options: WebhookOptions = {},
): Promise<WebhookAnswer<T>> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const answer = fetch(url, {
    method: 'POST',
    headers: { ...webhookHeaders(body, options), ...options.headers },
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
