/**
 * Ingress rules: which well-formed events a route's workflow acts on. Each route declares its rule in
 * shared/topology.ts; a workflow's own rule lives with that workflow (shared/domain/<workflow>/ingress-rule.ts).
 *
 * The ingress validates every event against its contract first (a broken payload is a 422, kept on the DLQ),
 * then asks the rule. An event the workflow does not act on is answered 202 `ignored` with the rule's reason
 * and never enqueued: it is the vendor's normal traffic, not an error.
 */

export type IngressDecision = { readonly act: true } | { readonly act: false; readonly reason: string };

/** What rules may read of the stage config (built once in shared/config/function-env.ts). */
export interface IngressSettings {
  /** Time-off request types that become overrides (the keys of shift-overrides' reasonCodeByRequestType). */
  readonly timeOffOverrideScope: readonly string[];
}

export interface IngressRule<Event = unknown> {
  /** One line for docs/webhook-contract.md and logs. */
  readonly summary: string;
  /**
   * Event types the vendor really sends to this route that the workflow never acts on, each with the reason
   * given back in the 202 `ignored` answer. Each has a contract too: only a well-formed one is ignored.
   */
  readonly ignoredEventTypes: Readonly<Record<string, string>>;
  /** For an event of one of the route's `eventTypes` that passed its contract. */
  decide(event: Event, settings: IngressSettings): IngressDecision;
}

const ACT: IngressDecision = Object.freeze({ act: true });

/** The explicit "no filtering": every well-formed event of the route's types is enqueued. */
export const ACT_ON_EVERY_EVENT: IngressRule = {
  summary: 'acts on every event of its types; ignores none',
  ignoredEventTypes: {},
  decide: () => ACT,
};

/** The decision for one well-formed event: ignored types first, then the rule's own decision. */
export function decideIngress(
  rule: IngressRule,
  eventType: string,
  event: unknown,
  settings: IngressSettings,
): IngressDecision {
  const ignoredBecause = rule.ignoredEventTypes[eventType];
  if (ignoredBecause !== undefined) return { act: false, reason: `${eventType}: ${ignoredBecause}` };
  return rule.decide(event, settings);
}
