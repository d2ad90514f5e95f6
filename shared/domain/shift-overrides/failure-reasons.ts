/** Why a time-off event can end on the shift-overrides DLQ; each is explained in docs/runbook.md. */
export const SHIFT_OVERRIDES_FAILURE_REASONS = {
  REASON_CODE_UNMAPPED:
    'The time-off requestType has no reason code in stage config (reasonCodeByRequestType).',
  REASON_CODE_UNKNOWN: 'The mapped reason code does not exist in Genesys (GET /api/v2/wfm/reasoncodes).',
  USER_TIMEZONE_INVALID:
    'The Genesys user has no valid IANA time zone, so shifts cannot be intersected safely.',
  VENDOR_REJECTED: 'Genesys answered 400 to an override; its reason is in failureDetail. Not retried.',
  CONFLICT_UNRESOLVED: 'Genesys kept answering 409 after re-fetching the shift and recomputing, 3 times.',
  VENDOR_UNAVAILABLE: 'Genesys kept answering 429/5xx or timing out through every retry and redelivery.',
  LOCK_HELD: 'Another worker held the request lock on every delivery (a stuck or very slow worker).',
} as const;
export type ShiftOverridesFailureReason = keyof typeof SHIFT_OVERRIDES_FAILURE_REASONS;
