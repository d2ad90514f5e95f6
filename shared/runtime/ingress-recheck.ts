/**
 * Defence in depth behind the ingress: a processor re-applies its route's ingress rule (shared/domain/ingress)
 * to every message it takes. The ingress never enqueues what the rule ignores, but a queue also takes messages
 * from elsewhere: an operator's DLQ replay, a message sent by hand, a replayed delivery. Such a message that
 * the ingress would have answered `ignored` (spec 001's trap: a time-off that is not APPROVED) is skipped with
 * an audit entry and a log line giving the rule's reason, never acted on.
 *
 * A message whose type no route of the workflow carries, or that breaks its contract, is left to the handler's
 * own reading (MESSAGE_UNREADABLE): the rule decides only about well-formed events.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { contractFor, eventTypeOf } from '../contracts/registry';
import { decideIngress, type IngressSettings } from '../domain/ingress/rules';
import type { Clock } from '../ports/clock';
import type { AuditLog } from '../ports/platform';
import { ROUTES, type WorkflowName } from '../topology';
import type { WorkflowMessage } from './sqs-processor';

export interface IngressRecheckDeps {
  readonly workflow: WorkflowName;
  readonly settings: IngressSettings;
  readonly audit: AuditLog;
  readonly logger: Pick<Logger, 'warn'>;
  readonly clock: Clock;
}

/** The audit action of a message skipped because its route's rule does not act on it. */
export const INGRESS_RULE_SKIPPED = 'INGRESS_RULE_SKIPPED';

/** Why the route's rule would not act on this message, or undefined when it would (or cannot say). */
export function ingressRuleRefusal(
  workflow: WorkflowName,
  body: string,
  settings: IngressSettings,
): { readonly eventType: string; readonly reason: string } | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return undefined;
  }
  const eventType = eventTypeOf(payload);
  if (!eventType) return undefined;
  const route = ROUTES.find(
    (r) =>
      r.workflow === workflow &&
      (r.eventTypes.includes(eventType) || eventType in r.ingressRule.ignoredEventTypes),
  );
  const parsed = route && contractFor(eventType)?.safeParse(payload);
  if (!route || !parsed?.success) return undefined;
  const decision = decideIngress(route.ingressRule, eventType, parsed.data, settings);
  return decision.act ? undefined : { eventType, reason: decision.reason };
}

/** True when the message was skipped (audited and logged); the handler then does nothing else with it. */
export async function skipWhatIngressIgnores(
  message: WorkflowMessage,
  deps: IngressRecheckDeps,
): Promise<boolean> {
  const refusal = ingressRuleRefusal(deps.workflow, message.body, deps.settings);
  if (!refusal) return false;
  const vendorEventId = message.attributes.eventId ?? message.messageId;
  await deps.audit.append({
    workflow: deps.workflow,
    subject: `event#${vendorEventId}`,
    action: INGRESS_RULE_SKIPPED,
    at: new Date(deps.clock.now()).toISOString(),
    detail: { eventType: refusal.eventType, reason: refusal.reason, messageId: message.messageId },
  });
  deps.logger.warn('message skipped: its ingress rule does not act on it', {
    vendorEventId,
    eventType: refusal.eventType,
    reason: refusal.reason,
  });
  return true;
}

/**
 * The recheck of a workflow whose route rules read no stage settings (every rule but shift-overrides' acts on
 * every event): the same seam, so a rule added later is re-applied without touching the handler.
 */
export function recheckDeps(
  workflow: WorkflowName,
  runtime: { auditLog: AuditLog; logger: Pick<Logger, 'warn'>; clock: Clock },
): IngressRecheckDeps {
  return {
    workflow,
    settings: { timeOffOverrideScope: [] },
    audit: runtime.auditLog,
    logger: runtime.logger,
    clock: runtime.clock,
  };
}
