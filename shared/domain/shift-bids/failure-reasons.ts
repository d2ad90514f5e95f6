/** Why a shift-bids message can end on the DLQ (or a deferral give up); each is explained in docs/runbook.md. */
export const SHIFT_BIDS_FAILURE_REASONS = {
  BID_STATE_CONFLICT:
    'Another worker moved the bid record on every delivery (a concurrent decision); the record shows who won.',
  SHIFT_CLAIMED:
    'Another bid for the same shift and date held the claim lock on every deferral (a stuck worker).',
  SCHEDULE_LOCKED:
    'CXone kept answering 423: a schedule publication held the site for longer than the deferral limits.',
  BID_ACTION_PENDING: 'CXone accepted the action (202) but never reported a final status within the limits.',
  BID_ACTION_REFUSED:
    'CXone refused the action (400 malformed, 404 unknown request, 422 key reused); its reason is in failureDetail.',
  VENDOR_UNAVAILABLE:
    'CXone kept answering 429/5xx, timing out or failing its token request through every retry and receive.',
  CXONE_UNAUTHORIZED:
    "CXone answered 401 to a freshly refreshed token (spec 003: the OAuth client's scope); its reason is in failureDetail.",
} as const;
export type ShiftBidsFailureReason = keyof typeof SHIFT_BIDS_FAILURE_REASONS;
