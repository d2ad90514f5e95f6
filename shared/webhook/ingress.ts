/**
 * The webhook ingress, one shape for every route: size -> signature -> JSON -> contract -> rule -> enqueue.
 * The route's ingress rule (declared in shared/topology.ts) decides which well-formed events its workflow
 * acts on; the rest are answered 202 `ignored` with the reason.
 * Answers per DESIGN section 5; every error body is JSON with a stable `error` code and a human `message`.
 * A well-signed event that fails its contract is kept on the workflow's DLQ with its issues, never dropped.
 */
import { MessageAttribute } from '../config/resource-names';
import {
  contractFor,
  describeIssues,
  eventIdOf,
  eventTypeOf,
  type ContractIssue,
} from '../contracts/registry';
import { decideIngress, type IngressSettings } from '../domain/ingress/rules';
import { ROUTES } from '../routes';
import { verifySignature, type HeaderMap, type SignatureFailure } from './signatures';

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
  | { kind: 'quarantined'; workflow: string; eventType: string; eventId: string; issues: ContractIssue[] }
  | { kind: 'rejected'; workflow?: string; reason: RejectReason };

export type RejectReason = 'route_not_found' | 'payload_too_large' | 'invalid_json' | SignatureFailure;

export interface QueueMessage {
  readonly queueUrl: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export interface IngressDeps {
  readonly routes: Readonly<Record<string, { queueUrl: string; dlqUrl: string; secretId: string }>>;
  readonly maxBodyBytes: number;
  readonly settings: IngressSettings;
  /** Every signing secret valid now for a route's secret (current, and previous during rotation). */
  readonly secretsFor: (secretId: string) => Promise<string[]>;
  readonly send: (message: QueueMessage) => Promise<void>;
  readonly now: () => number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const respond = (statusCode: number, body: Record<string, unknown>): IngressResponse => ({
  statusCode,
  headers: JSON_HEADERS,
  body: JSON.stringify(body),
});

const SIGNATURE_MESSAGES: Record<SignatureFailure, string> = {
  signature_missing: 'No signature: send X-Webhook-Signature or the Standard Webhooks headers.',
  signature_invalid: 'The signature does not match the body for any current secret.',
  signature_expired: 'webhook-timestamp is more than 300 seconds from now.',
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

  const raw = req.isBase64Encoded ? Buffer.from(req.body ?? '', 'base64').toString('utf8') : (req.body ?? '');
  const size = Buffer.byteLength(raw, 'utf8');
  if (size > deps.maxBodyBytes) {
    return reject(413, 'payload_too_large', `Body is ${size} bytes; the limit is ${deps.maxBodyBytes}.`);
  }

  const verdict = verifySignature(
    route.signatureSchemes,
    req.headers,
    raw,
    await deps.secretsFor(binding.secretId),
    deps.now(),
  );
  if (!verdict.ok) return reject(401, verdict.code, SIGNATURE_MESSAGES[verdict.code]);

  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (err) {
    return reject(400, 'invalid_json', `Body is not JSON: ${(err as Error).message}`);
  }

  const eventType = eventTypeOf(payload) ?? '(missing)';
  const eventId = eventIdOf(payload, raw, req.headers);
  const receivedAt = new Date(deps.now()).toISOString();
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
    await deps.send({
      queueUrl: binding.dlqUrl,
      body: raw,
      attributes: {
        ...attributes,
        [MessageAttribute.failureReason]: 'SCHEMA_INVALID',
        [MessageAttribute.failureDetail]: JSON.stringify(issues).slice(0, 1024),
        failedAt: receivedAt,
      },
    });
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

  await deps.send({ queueUrl: binding.queueUrl, body: raw, attributes });
  return {
    response: respond(202, { status: 'accepted', eventId }),
    outcome: { kind: 'accepted', workflow, eventType, eventId },
  };
}
