/**
 * The lifecycle of one bid (spec 003 sections 1, 3 and 4) as data: the handler makes every transition a
 * conditional write guarded by `canTransition`, so a duplicate or late event can never move a bid backwards.
 *
 *   pending_validation --decide--> awaiting_api_commit (APPROVE, or a REJECT still to be sent to CXone)
 *                      --decide--> rejected            (spec 003 section 1: "validation fails -> rejected")
 *                      --decide--> escalated           (a supervisor decides; automation stops for good)
 *   awaiting_api_commit --CXone confirms--> approved | rejected
 *   awaiting_api_commit --409, still pending--> pending_validation (re-validate once, issue 11)
 *   any open state --CXone resolved it (409 read-back, status_changed, sweep)--> approved | rejected |
 *                     expired | cancelled (adopted, `bid.reconciled`)
 */

export const BID_STATES = [
  'pending_validation',
  'awaiting_api_commit',
  'escalated',
  'approved',
  'rejected',
  'expired',
  'cancelled',
] as const;
export type BidState = (typeof BID_STATES)[number];

/** States no event can leave: CXone has resolved the request (409 on any further action). */
export const TERMINAL_BID_STATES: readonly BidState[] = ['approved', 'rejected', 'expired', 'cancelled'];

const ADOPTED: readonly BidState[] = ['approved', 'rejected', 'expired', 'cancelled'];

export const BID_TRANSITIONS: Readonly<Record<BidState, readonly BidState[]>> = {
  pending_validation: ['awaiting_api_commit', 'escalated', ...ADOPTED],
  awaiting_api_commit: ['pending_validation', ...ADOPTED],
  // Escalated is blocklisted for automation (spec 003 section 4): it never goes back to validation or to an
  // API commit; only the state the supervisor set in CXone is adopted.
  escalated: ADOPTED,
  approved: [],
  rejected: [],
  expired: [],
  cancelled: [],
};

export function canTransition(from: BidState, to: BidState): boolean {
  return BID_TRANSITIONS[from].includes(to);
}

export function isTerminal(state: BidState): boolean {
  return TERMINAL_BID_STATES.includes(state);
}

/** Whether automation may still act on a bid in this state (decide, or send an action to CXone). */
export function isAutomatable(state: BidState): boolean {
  return state === 'pending_validation' || state === 'awaiting_api_commit';
}

export type CxoneRequestStatus =
  | { readonly kind: 'pending' }
  | { readonly kind: 'resolved'; readonly state: BidState }
  /** A status this code does not know: neither act nor adopt; escalate to a human. */
  | { readonly kind: 'unknown'; readonly status: string };

const RESOLVED_BY_CXONE_STATUS: Readonly<Record<string, BidState>> = {
  APPROVED: 'approved',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  CANCELLED: 'cancelled',
};

/**
 * What a CXone request status (`GET /bidding/requests/{id}`, `status_changed`) means locally. Only PENDING
 * lets automation act: an unknown status is never read as "still pending".
 */
export function readCxoneStatus(cxoneStatus: string): CxoneRequestStatus {
  const status = cxoneStatus.trim().toUpperCase();
  if (status === 'PENDING') return { kind: 'pending' };
  const state = RESOLVED_BY_CXONE_STATUS[status];
  return state ? { kind: 'resolved', state } : { kind: 'unknown', status: cxoneStatus };
}

/**
 * Event-time ordering (issue 11, spec 000 ordering): events for one request apply in event-time order, so an
 * event older than the last one applied is stale and ignored. An event with the same time is not older; the
 * intake's deduplication by event id, not this rule, drops exact redeliveries.
 */
export function isStaleEvent(eventTimestamp: string, lastAppliedTimestamp: string | undefined): boolean {
  if (lastAppliedTimestamp === undefined) return false;
  const event = Date.parse(eventTimestamp);
  const lastApplied = Date.parse(lastAppliedTimestamp);
  if (Number.isNaN(event) || Number.isNaN(lastApplied)) {
    throw new RangeError(`cannot order events by "${eventTimestamp}" and "${lastAppliedTimestamp}"`);
  }
  return event < lastApplied;
}
