/**
 * Spec 003 section 2's decision table over the four checks:
 * - every check PASS -> APPROVE;
 * - any clear FAIL -> REJECT, the failing checks as the reason. A FAIL stands on its own even when another
 *   check is UNCERTAIN or could not run: its evidence alone refuses the bid;
 * - otherwise anything UNCERTAIN, a check that could not run (ERROR), or a check missing from the results
 *   -> ESCALATE to a supervisor.
 * Every decision carries the rule document version it was made under (spec 003 section 3's `rule_version`).
 */
import { CHECK_NAMES, type CheckName, type CheckOutcome, type CheckResult } from './checks/check-result';

export type BidDecisionKind = 'APPROVE' | 'REJECT' | 'ESCALATE';

export interface BidDecision {
  readonly decision: BidDecisionKind;
  /** The action's `reason` (REJECT), or the supervisor's `escalation_reason` (ESCALATE). */
  readonly reason: string;
  readonly ruleVersion: string;
  /** Spec 003 section 4's `validation_checks`: each check's outcome (ERROR for one that did not run). */
  readonly validationChecks: Readonly<Record<CheckName, CheckOutcome>>;
  /** The checks behind a REJECT or an ESCALATE. */
  readonly decisiveChecks: readonly CheckName[];
  readonly results: readonly CheckResult[];
}

/** Spec 003 section 3's example reason. */
export const APPROVAL_REASON =
  'Auto-approved: Coverage threshold met, no schedule conflicts, agent approval rate within limits, skills and role match.';

const SEVERITY: Readonly<Record<CheckOutcome, number>> = { PASS: 0, UNCERTAIN: 1, ERROR: 2, FAIL: 3 };

export function decide(results: readonly CheckResult[], ruleVersion: string): BidDecision {
  // A check reported twice counts by its more severe result.
  const byName = new Map<CheckName, CheckResult>();
  for (const r of results) {
    const seen = byName.get(r.check);
    if (!seen || SEVERITY[r.result] > SEVERITY[seen.result]) byName.set(r.check, r);
  }
  const complete: CheckResult[] = CHECK_NAMES.map(
    (check) => byName.get(check) ?? { check, result: 'ERROR', evidence: { summary: `${check} did not run` } },
  );
  const validationChecks = Object.fromEntries(complete.map((r) => [r.check, r.result])) as Record<
    CheckName,
    CheckOutcome
  >;
  const outcome = (o: CheckOutcome) => complete.filter((r) => r.result === o);
  const because = (rs: CheckResult[]) => rs.map((r) => `${r.check}: ${r.evidence.summary}`).join('; ');

  const failed = outcome('FAIL');
  if (failed.length > 0) {
    return {
      decision: 'REJECT',
      reason: `Auto-rejected: ${because(failed)}.`,
      ruleVersion,
      validationChecks,
      decisiveChecks: failed.map((r) => r.check),
      results: complete,
    };
  }
  const unsure = complete.filter((r) => r.result === 'UNCERTAIN' || r.result === 'ERROR');
  if (unsure.length > 0) {
    return {
      decision: 'ESCALATE',
      reason: `Escalated to a supervisor: ${because(unsure)}.`,
      ruleVersion,
      validationChecks,
      decisiveChecks: unsure.map((r) => r.check),
      results: complete,
    };
  }
  return {
    decision: 'APPROVE',
    reason: APPROVAL_REASON,
    ruleVersion,
    validationChecks,
    decisiveChecks: [],
    results: complete,
  };
}
