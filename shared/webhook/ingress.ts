/**
 * The webhook ingress, one shape for every route:
 * size -> signature (with its signed timestamp) -> JSON -> replay guard -> contract -> rule -> enqueue.
 * The route's ingress rule (declared in shared/topology.ts) decides which well-formed events its workflow
 * acts on; the rest are answered 202 `ignored` with the reason.
 * Answers per DESIGN section 5; every error body is JSON with a stable `error` code and a human `message`.
 * A well-signed event that fails its contract is kept on the workflow's DLQ with its issues, never dropped.
 *
 * The replay guard runs only after the signature is verified (an unsigned request cannot burn a vendor's
 * delivery ids). A delivery id seen before inside the tolerance, with the same body, is a redelivery or a
 * replay (the wire cannot tell them apart): it is answered 202 `duplicate` and nothing is enqueued, so a
 * vendor's retry stops and a replay changes nothing. The same id with another body is a 409.
 */
import { createHash } from 'node:crypto';
import { SQS_MAX_MESSAGE_BYTES, sqsJsonBody, sqsMessageBytes } from '../adapters/aws/sqs-attributes';
import { MessageAttribute } from '../config/resource-names';
import {
  contractFor,
  describeIssues,
  eventIdOf,
  eventTypeOf,
  type ContractIssue,
} from '../contracts/registry';
import { decideIngress, type IngressSettings } from '../domain/ingress/rules';
import type { DeliveryNonceStore } from '../ports/delivery-nonce-store';
import { ROUTES, type SignatureScheme } from '../routes';
import {
  SIGNATURE_TOLERANCE_SECONDS,
  verifySignature,
  type HeaderMap,
  type SignatureFailure,
} from './signatures';

export interface IngressRequest {
  /** The API Gateway resource path, e.g. `/webhooks/agent-state`. */
  readonly path: string;
  readonly headers: HeaderMap;
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
}

export interface IngressResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type IngressOutcome =
  | { kind: 'accepted'; workflow: string; eventType: string; eventId: string }
  | { kind: 'ignored'; workflow: string; eventType: string; eventId: string; reason: string }
  | { kind: 'duplicate'; workflow: string; eventId: string; firstReceivedAt: string }
  | { kind: 'quarantined'; workflow: string; eventType: string; eventId: string; issues: ContractIssue[] }
  | { kind: 'rejected'; workflow?: string; reason: RejectReason };

export type RejectReason =
  'route_not_found' | 'payload_too_large' | 'invalid_json' | 'delivery_id_reused' | SignatureFailure;

export interface QueueMessage {
  readonly queueUrl: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export interface IngressDeps {
  readonly routes: Readonly<
    Record<
      string,
      {
        queueUrl: string;
        dlqUrl: string;
        secretId: string;
        /** The route's vendor's schemes (stage config), tried in order; no other is accepted. */
        signatureSchemes: readonly SignatureScheme[];
      }
    >
  >;
  readonly maxBodyBytes: number;
  readonly settings: IngressSettings;
  /** Every signing secret valid now for a route's secret (current, and previous during rotation). */
  readonly secretsFor: (secretId: string) => Promise<string[]>;
  readonly send: (message: QueueMessage) => Promise<void>;
  /** The replay guard's memory of delivery ids. */
  readonly nonces: DeliveryNonceStore;
  readonly now: () => number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const respond = (statusCode: number, body: Record<string, unknown>): IngressResponse => ({
  statusCode,
  headers: JSON_HEADERS,
  body: JSON.stringify(body),
});

const SIGNATURE_MESSAGES: Record<SignatureFailure, string> = {
  signature_missing:
    'No signature: send X-Webhook-Signature with X-Webhook-Timestamp, or the Standard Webhooks headers, as this route accepts.',
  signature_invalid: 'The signature does not match the body for any current secret.',
  signature_expired: `The signed timestamp (X-Webhook-Timestamp or webhook-timestamp) is not a Unix time or is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds from now.`,
};

const routesByPath = new Map(ROUTES.map((r) => [r.path, r]));

export async function handleWebhook(
  req: IngressRequest,
  deps: IngressDeps,
): Promise<{ response: IngressResponse; outcome: IngressOutcome }> {
  const route = routesByPath.get(req.path);
  if (!route) {
    return {
      response: respond(404, { error: 'route_not_found', message: `No webhook route ${req.path}.` }),
      outcome: { kind: 'rejected', reason: 'route_not_found' },
    };
  }
  const binding = deps.routes[route.id];
  if (!binding) throw new Error(`Route ${route.id} has no queue binding in INGRESS_ROUTES`);
  const workflow = route.workflow;
  const reject = (
    statusCode: number,
    reason: RejectReason,
    message: string,
    extra: Record<string, unknown> = {},
  ) => ({
    response: respond(statusCode, { error: reason, message, ...extra }),
    outcome: { kind: 'rejected', workflow, reason } as IngressOutcome,
  });

  // A body within the limit can still make an SQS message over SQS's own, with the attributes it travels with.
  const fitsOnQueue = (m: QueueMessage) => sqsMessageBytes(m.body, m.attributes) <= SQS_MAX_MESSAGE_BYTES;
  const tooLargeToQueue = (m: QueueMessage) =>
    reject(
      413,
      'payload_too_large',
      `With its queue attributes the event would be a ${sqsMessageBytes(m.body, m.attributes)}-byte message; SQS takes ${SQS_MAX_MESSAGE_BYTES}.`,
    );

  const raw = req.isBase64Encoded ? Buffer.from(req.body ?? '', 'base64').toString('utf8') : (req.body ?? '');
  const size = Buffer.byteLength(raw, 'utf8');
  if (size > deps.maxBodyBytes) {
    return reject(413, 'payload_too_large', `Body is ${size} bytes; the limit is ${deps.maxBodyBytes}.`);
  }

  const now = deps.now();
  const verdict = verifySignature(
    binding.signatureSchemes,
    req.headers,
    raw,
    await deps.secretsFor(binding.secretId),
    now,
  );
  if (!verdict.ok) return reject(401, verdict.code, SIGNATURE_MESSAGES[verdict.code]);

  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (err) {
    return reject(400, 'invalid_json', `Body is not JSON: ${(err as Error).message}`);
  }
  const queuedBody = sqsJsonBody(raw);

  const eventType = eventTypeOf(payload) ?? '(missing)';
  const eventId = eventIdOf(payload, raw, req.headers);
  const receivedAt = new Date(now).toISOString();

  const nonceKey = `${route.id}#${verdict.deliveryId ?? eventId}`;
  const bodyHash = createHash('sha256').update(raw).digest('hex');
  const claim = await deps.nonces.claim(
    {
      key: nonceKey,
      bodyHash,
      receivedAt,
      expiresAt: verdict.timestampSeconds + SIGNATURE_TOLERANCE_SECONDS,
    },
    Math.floor(now / 1000),
  );
  if (claim.kind === 'seen') {
    if (claim.bodyHash !== bodyHash) {
      return reject(
        409,
        'delivery_id_reused',
        `Delivery ${verdict.deliveryId ?? eventId} was received at ${claim.receivedAt} with another body; a delivery id names one payload.`,
        { eventId },
      );
    }
    return {
      response: respond(202, { status: 'duplicate', eventId, firstReceivedAt: claim.receivedAt }),
      outcome: { kind: 'duplicate', workflow, eventId, firstReceivedAt: claim.receivedAt },
    };
  }
  // A delivery that could not be kept must not block the vendor's retry of it (nor answer that retry
  // `duplicate`): its delivery id is released. Answers the 413 when the message cannot fit on a queue.
  const keep = async (message: QueueMessage) => {
    try {
      if (!fitsOnQueue(message)) {
        await deps.nonces.release(nonceKey);
        return tooLargeToQueue(message);
      }
      await deps.send(message);
      return undefined;
    } catch (err) {
      await deps.nonces.release(nonceKey).catch(() => undefined);
      throw err;
    }
  };
  const attributes = {
    [MessageAttribute.workflow]: workflow,
    [MessageAttribute.eventType]: eventType,
    [MessageAttribute.eventId]: eventId,
    [MessageAttribute.vendor]: route.vendor,
    [MessageAttribute.receivedAt]: receivedAt,
  };

  const taken = route.eventTypes.includes(eventType) || eventType in route.ingressRule.ignoredEventTypes;
  const contract = taken ? contractFor(eventType) : undefined;
  const parsed = contract?.safeParse(payload);
  if (!contract || !parsed?.success) {
    const issues: ContractIssue[] = parsed?.error
      ? describeIssues(parsed.error)
      : [
          {
            path: 'eventType',
            message: `must be one of ${[...route.eventTypes, ...Object.keys(route.ingressRule.ignoredEventTypes)].join(', ')} on ${route.path}`,
          },
        ];
    const kept = {
      queueUrl: binding.dlqUrl,
      body: queuedBody,
      attributes: {
        ...attributes,
        [MessageAttribute.failureReason]: 'SCHEMA_INVALID',
        [MessageAttribute.failureDetail]: JSON.stringify(issues).slice(0, 1024),
        failedAt: receivedAt,
      },
    };
    const tooLarge = await keep(kept);
    if (tooLarge) return tooLarge;
    return {
      response: respond(422, {
        error: 'schema_invalid',
        message: `The event does not match its contract: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
        eventId,
        issues,
      }),
      outcome: { kind: 'quarantined', workflow, eventType, eventId, issues },
    };
  }

  const decision = decideIngress(route.ingressRule, eventType, parsed.data, deps.settings);
  if (!decision.act) {
    return {
      response: respond(202, { status: 'ignored', eventId, reason: decision.reason }),
      outcome: { kind: 'ignored', workflow, eventType, eventId, reason: decision.reason },
    };
  }

  const tooLarge = await keep({ queueUrl: binding.queueUrl, body: queuedBody, attributes });
  if (tooLarge) return tooLarge;
  return {
    response: respond(202, { status: 'accepted', eventId }),
    outcome: { kind: 'accepted', workflow, eventType, eventId },
  };
}
