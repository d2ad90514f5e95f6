/**
 * Why a reward evaluation can end on the reward-triggers DLQ, or an ingestion run fail; each is explained in
 * docs/runbook.md.
 */
export const REWARD_TRIGGERS_FAILURE_REASONS = {
  REWARD_MANUAL_REVIEW:
    'The marketplace answered 400, 409, 404 or a body without a known status: never retried; the points stay locked.',
  REWARD_ATTEMPTS_EXHAUSTED:
    'Three issue attempts failed (timeouts, 503/504): the WFM administrators are alerted; the points stay locked.',
  REWARD_PENDING_TIMEOUT:
    'The marketplace kept the reward PENDING past its deadline; the points stay locked.',
  REWARD_PENDING: 'Deferral reason while a PENDING reward is polled (seen inside DEFERRAL_EXHAUSTED).',
  REWARD_ISSUE_RETRY: 'Deferral reason between issue attempts (seen inside DEFERRAL_EXHAUSTED).',
  REWARD_REVERSAL_RETRY:
    'Deferral reason while a clawback cannot reach the marketplace (seen inside DEFERRAL_EXHAUSTED).',
  REWARD_LEDGER_CONTENDED: "The agent's ledger kept moving under the evaluation's write (five conflicts).",
  LOCK_HELD: "The agent's point lock moved while the evaluation worked with it, on every delivery.",
  EXPORT_TOTAL_MISMATCH:
    "Ingestion: a day's rows did not match the export's total; that day loaded nothing and the run failed.",
  EXPORT_UNREADABLE:
    'Ingestion: a page of a day could not be read; that day loaded nothing and the run failed.',
  LEDGER_CONTENDED: "Ingestion: a row kept conflicting with other writers to the agent's ledger.",
} as const;
