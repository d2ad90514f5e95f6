/** Why an agent-state event can end on the adherence-sync DLQ; each is explained in docs/runbook.md. */
export const ADHERENCE_SYNC_FAILURE_REASONS = {
  STATE_UNMAPPED: 'The ACD state has no WEM adherence state in stage config (stateMap).',
  REASON_CODE_UNMAPPED:
    'The ACD reason code has no WEM compliance code in stage config (reasonCodeMap); nothing was sent.',
  REASON_CODE_REJECTED: 'WEM answered 422: the translated reason code is not in its compliance policy.',
  VENDOR_REJECTED: 'WEM answered another 4xx; failureDetail has its message.',
  VENDOR_UNAVAILABLE: 'WEM kept answering 429/5xx or timing out through every retry and redelivery.',
  LOCK_HELD: 'Another worker held the agent lock on every delivery.',
} as const;
