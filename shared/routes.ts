/**
 * The webhook routes of the topology, per workflow: shared/topology.ts composes them into its workflow
 * declarations (the one declaration both runtimes build from). They live apart so that the ingress, which reads
 * only its routes, does not load the functions, schedules and alarms of every workflow at its cold start.
 */
import { ACT_ON_EVERY_EVENT, type IngressRule } from './domain/ingress/rules';
import { timeOffIngressRule } from './domain/shift-overrides/ingress-rule';
import type { VendorName, WorkflowName } from './topology';

/**
 * `hmac-sha256`: spec 000's `X-Webhook-Signature: sha256=<hex>` over `X-Webhook-Timestamp` and the body;
 * `standard-webhooks`: webhook-id/-timestamp/-signature. Which a route accepts is its vendor's stage config
 * (`vendors.<vendor>.signatureSchemes`, shared/config/stage.ts).
 */
export type SignatureScheme = 'hmac-sha256' | 'standard-webhooks';

export interface RouteDeclaration {
  /** Stable id, used in secret names, metrics and construct ids. */
  readonly id: string;
  readonly method: 'POST';
  readonly path: string;
  /** The vendor that sends to this route (the `vendor` message attribute). */
  readonly vendor: VendorName;
  /** Event types this route enqueues for its workflow (each has a contract in shared/contracts). */
  readonly eventTypes: readonly string[];
  /**
   * Which of those events the workflow acts on, and which other well-formed types the vendor sends here
   * that it ignores (202 `ignored` with the reason). `ACT_ON_EVERY_EVENT` says explicitly: no filtering.
   */
  readonly ingressRule: IngressRule;
}

export const WORKFLOW_ROUTES: Readonly<Record<WorkflowName, readonly RouteDeclaration[]>> = {
  'shift-overrides': [
    {
      id: 'genesys-timeoff',
      method: 'POST',
      path: '/webhooks/genesys/timeoff',
      vendor: 'genesys',
      eventTypes: ['timeoff.request.approved', 'timeoff.request.cancelled'],
      ingressRule: timeOffIngressRule,
    },
  ],
  'adherence-sync': [
    {
      id: 'agent-state',
      method: 'POST',
      path: '/webhooks/agent-state',
      // Spec 000 pattern 1 names no sender; these events feed Genesys WEM adherence.
      vendor: 'genesys',
      eventTypes: ['agent.state.changed'],
      ingressRule: ACT_ON_EVERY_EVENT,
    },
  ],
  'shift-bids': [
    {
      id: 'cxone-bidding',
      method: 'POST',
      path: '/webhooks/cxone/bidding',
      vendor: 'cxone',
      eventTypes: [
        'wfm.bidding.request.created',
        'wfm.bidding.request.status_changed',
        'wfm.bidding.request.updated',
      ],
      ingressRule: ACT_ON_EVERY_EVENT,
    },
    {
      id: 'cxone-schedule',
      method: 'POST',
      path: '/webhooks/cxone/schedule',
      vendor: 'cxone',
      eventTypes: ['wfm.schedule.published', 'wfm.schedule.overridden'],
      ingressRule: ACT_ON_EVERY_EVENT,
    },
  ],
  'reward-triggers': [],
};

export const ROUTES: readonly (RouteDeclaration & { readonly workflow: WorkflowName })[] = (
  Object.keys(WORKFLOW_ROUTES) as WorkflowName[]
).flatMap((workflow) => WORKFLOW_ROUTES[workflow].map((r) => ({ ...r, workflow })));
