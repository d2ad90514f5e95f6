/**
 * What every shift-bid check returns (spec 003 section 2): its verdict and the evidence behind it, which
 * the audit entry keeps (spec 003 section 4). The names are the keys of the spec's `validation_checks`.
 */
export const CHECK_NAMES = ['double_booking', 'coverage_check', 'approval_history', 'skill_match'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** ERROR: the check could not run (its data could not be read, or was malformed); never a verdict. */
export type CheckOutcome = 'PASS' | 'FAIL' | 'UNCERTAIN' | 'ERROR';

export type CheckEvidence = { readonly summary: string } & Readonly<Record<string, unknown>>;

export interface CheckResult<E extends CheckEvidence = CheckEvidence> {
  readonly check: CheckName;
  readonly result: CheckOutcome;
  readonly evidence: E;
}

export function checkCouldNotRun(check: CheckName, cause: unknown): CheckResult {
  const message = cause instanceof Error ? cause.message : String(cause);
  return {
    check,
    result: 'ERROR',
    evidence: { summary: `${check} could not run: ${message}`, cause: message },
  };
}

/** Runs a check, turning a throw (e.g. an unreadable timestamp in its data) into an explicit ERROR. */
export function runCheck(check: CheckName, run: () => CheckResult): CheckResult {
  try {
    return run();
  } catch (error) {
    return checkCouldNotRun(check, error);
  }
}
