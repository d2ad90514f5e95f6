/**
 * Spec 003 section 2, historical approval rate: an agent with at least N rejections in the last D days
 * (default 3 in 30) is refused, so the bidding system cannot be gamed by bidding again and again. Days are
 * 24-hour periods back from the decision time, not local calendar days.
 */
import { isoInstant } from '../shift-window';
import type { RuleDocument } from '../rules.schema';
import type { CheckResult } from './check-result';

const DAY_MS = 86_400_000;

export interface Rejection {
  readonly requestId: string;
  /** When CXone (a supervisor, or this engine) rejected it, ISO 8601 with an offset. */
  readonly rejectedAt: string;
}

export interface ApprovalHistoryInput {
  readonly requestId: string;
  /** The decision time, from the caller's clock. */
  readonly decidedAt: number;
  /** The agent's rejected bidding requests, at least over the rule's window. */
  readonly rejections: readonly Rejection[];
  readonly rules: RuleDocument;
}

export function checkApprovalHistory(input: ApprovalHistoryInput): CheckResult {
  const { maxRejections, windowDays } = input.rules.approvalHistory;
  const since = input.decidedAt - windowDays * DAY_MS;
  const counted = new Map<string, string>();
  for (const r of input.rejections) {
    const at = Date.parse(r.rejectedAt);
    if (Number.isNaN(at))
      throw new RangeError(`rejection of ${r.requestId} has no readable time "${r.rejectedAt}"`);
    // The request being decided never counts against itself (a redelivery after its own rejection).
    if (at > since && r.requestId !== input.requestId) counted.set(r.requestId, r.rejectedAt);
  }
  const evidence = {
    rejections: counted.size,
    maxRejections,
    windowDays,
    since: isoInstant(since),
    requestIds: [...counted.keys()],
  };
  return counted.size >= maxRejections
    ? {
        check: 'approval_history',
        result: 'FAIL',
        evidence: {
          summary: `agent has ${counted.size} rejections in the last ${windowDays} days (limit ${maxRejections})`,
          ...evidence,
        },
      }
    : {
        check: 'approval_history',
        result: 'PASS',
        evidence: { summary: 'agent approval rate within limits', ...evidence },
      };
}
