/**
 * What the marketplace's answer to `POST /v1/rewards/issue` (or to a lookup, `GET /v1/rewards/{id}`) means, and
 * what the workflow does next. Spec 004, and issue 12 on top of it:
 * - success only when the body says `ISSUED` (section 3's trap: a 200 is not a reward);
 * - a body `REJECTED` (or `FAILED`, as Tango answers) is a REWARD_FAILURE: unlock the points, emit
 *   `reward.failed` with the reason, raise the alarm; never retried under the same id;
 * - `PENDING` is not success: poll the transaction until it settles or its deadline passes;
 * - a timeout or connection error is a NETWORK_ERROR (edge case 1), retried silently; a 503 or 504 is retried;
 *   both are ambiguous (the marketplace may have issued before failing), so a lookup by id comes first;
 * - 400 and 409 are never retried: manual review (section 3 step 2); so is any other answer this workflow
 *   cannot read as one of the above, including a 2xx without a known status;
 * - 429 did nothing: retry after its wait, no lookup needed; 401: refresh the token and retry once (spec 000);
 * - after three failed attempts, alert the WFM administrators (section 3 step 3) and stop; the lock stays, as
 *   whether the reward was issued is unknown.
 */
import { RewardsAnswerSchema } from '../../contracts/rewards-issue.schema';

/** What came back from one call, as the adapter saw it. */
export type MarketplaceAnswer =
  | { readonly kind: 'http'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'timeout'; readonly phase: 'connect' | 'read' }
  | { readonly kind: 'connection-error'; readonly code?: string };

export type Classification =
  | { readonly outcome: 'ISSUED'; readonly rewardId: string | null }
  | { readonly outcome: 'REWARD_FAILURE'; readonly reason: string }
  | { readonly outcome: 'PENDING' }
  /** Timeout or connection error: ambiguous. */
  | { readonly outcome: 'NETWORK_ERROR'; readonly detail: string }
  /** 503/504: ambiguous. */
  | { readonly outcome: 'UNAVAILABLE'; readonly status: number }
  | { readonly outcome: 'RATE_LIMITED' }
  | { readonly outcome: 'UNAUTHORIZED' }
  /** The lookup found no such transaction: nothing was issued under the id. */
  | { readonly outcome: 'NOT_FOUND' }
  | { readonly outcome: 'MANUAL_REVIEW'; readonly status: number; readonly reason: string };

export type NextStep =
  /** Append the redemption entry, release the lock, audit. */
  | { readonly step: 'record-issued'; readonly rewardId: string | null }
  /** Release the lock, append `issue-rejected`, emit `reward.failed` with the reason, alarm. */
  | { readonly step: 'unlock-and-fail'; readonly reason: string }
  | { readonly step: 'poll' }
  /** Call again (`attempt` is the next attempt's number, for the backoff); look the id up first if told. */
  | { readonly step: 'retry'; readonly attempt: number; readonly lookupFirst: boolean }
  | { readonly step: 'refresh-token-and-retry' }
  /** Keep the lock, alert the WFM administrators; an operator settles it. */
  | { readonly step: 'manual-review'; readonly reason: string }
  /** Three attempts failed: keep the lock, alert the WFM administrators. */
  | { readonly step: 'alert-administrators'; readonly reason: string };

export const MAX_ISSUE_ATTEMPTS = 3;

/** Reads one answer, to an issue or to a lookup. */
export function classifyAnswer(answer: MarketplaceAnswer): Classification {
  if (answer.kind === 'timeout') return { outcome: 'NETWORK_ERROR', detail: `${answer.phase} timeout` };
  if (answer.kind === 'connection-error') {
    return { outcome: 'NETWORK_ERROR', detail: `connection error${answer.code ? ` ${answer.code}` : ''}` };
  }
  const { status } = answer;
  if (status >= 200 && status < 300) {
    const parsed = RewardsAnswerSchema.safeParse(answer.body);
    const bodyStatus = parsed.success ? parsed.data.status : undefined;
    if (bodyStatus === 'ISSUED') return { outcome: 'ISSUED', rewardId: parsed.data?.reward_id ?? null };
    if (bodyStatus === 'REJECTED' || bodyStatus === 'FAILED') {
      return { outcome: 'REWARD_FAILURE', reason: parsed.data?.reason ?? bodyStatus };
    }
    if (bodyStatus === 'PENDING') return { outcome: 'PENDING' };
    return {
      outcome: 'MANUAL_REVIEW',
      status,
      reason: bodyStatus === undefined ? 'answer without a status' : `unexpected status ${bodyStatus}`,
    };
  }
  if (status === 503 || status === 504) return { outcome: 'UNAVAILABLE', status };
  if (status === 429) return { outcome: 'RATE_LIMITED' };
  if (status === 401) return { outcome: 'UNAUTHORIZED' };
  if (status === 404) return { outcome: 'NOT_FOUND' };
  return {
    outcome: 'MANUAL_REVIEW',
    status,
    reason: status === 409 ? 'conflict: the transaction id was used with another payload' : `HTTP ${status}`,
  };
}

export type StepAfterCall = (
  answer: MarketplaceAnswer,
  attempt: number,
  tokenRefreshed?: boolean,
) => { readonly classification: Classification; readonly next: NextStep };

function stepAfter(call: 'issue' | 'lookup'): StepAfterCall {
  return (answer, attempt, tokenRefreshed = false) => {
    const classification = classifyAnswer(answer);
    return { classification, next: stepFor(classification, attempt, tokenRefreshed, call) };
  };
}

/**
 * The step after an issue call. `attempt` is this call's number (1 for the first); `tokenRefreshed` says the
 * token was already refreshed once for this transaction.
 */
export const nextStepAfterIssue = stepAfter('issue');

/**
 * The step after a lookup, which comes before any retry after an ambiguous failure. Found ISSUED: done, no
 * second issue. Found REJECTED or PENDING: as if the issue had answered it. NOT_FOUND: nothing was issued, so
 * the retry (attempt `attempt + 1`) may send the same id. A lookup that fails itself counts as a failed attempt.
 */
export const nextStepAfterLookup = stepAfter('lookup');

/** The marketplace settled the transaction, whichever call heard it: the reward was issued, or refused for good. */
function settledStep(c: Extract<Classification, { outcome: 'ISSUED' | 'REWARD_FAILURE' }>): NextStep {
  return c.outcome === 'ISSUED'
    ? { step: 'record-issued', rewardId: c.rewardId }
    : { step: 'unlock-and-fail', reason: c.reason };
}

function stepFor(
  c: Classification,
  attempt: number,
  tokenRefreshed: boolean,
  call: 'issue' | 'lookup',
): NextStep {
  const retryOrAlert = (lookupFirst: boolean, reason: string): NextStep =>
    attempt >= MAX_ISSUE_ATTEMPTS
      ? { step: 'alert-administrators', reason: `${reason} after ${attempt} attempts` }
      : { step: 'retry', attempt: attempt + 1, lookupFirst };
  switch (c.outcome) {
    case 'ISSUED':
    case 'REWARD_FAILURE':
      return settledStep(c);
    case 'PENDING':
      return { step: 'poll' };
    case 'NETWORK_ERROR':
      return retryOrAlert(true, `NETWORK_ERROR (${c.detail})`);
    case 'UNAVAILABLE':
      return retryOrAlert(true, `HTTP ${c.status}`);
    // A 429 was not processed; a lookup would only spend the rate limit again.
    case 'RATE_LIMITED':
      return retryOrAlert(call === 'lookup', 'HTTP 429');
    case 'UNAUTHORIZED':
      return tokenRefreshed
        ? { step: 'manual-review', reason: 'HTTP 401 after a token refresh' }
        : { step: 'refresh-token-and-retry' };
    // 404 to a lookup: nothing was issued, so the retry may send the same id (no lookup first).
    // 404 to an issue: the path or the marketplace is wrong, not something a retry fixes.
    case 'NOT_FOUND':
      return call === 'lookup'
        ? { step: 'retry', attempt: attempt + 1, lookupFirst: false }
        : { step: 'manual-review', reason: 'HTTP 404 to an issue request' };
    case 'MANUAL_REVIEW':
      return { step: 'manual-review', reason: c.reason };
  }
}

/**
 * A PENDING transaction is polled until it settles; past its deadline it alarms (and stays locked: the reward
 * may still settle either way). `answer` is the latest lookup.
 */
export function nextStepWhilePending(
  answer: MarketplaceAnswer,
  pendingSinceMs: number,
  nowMs: number,
  deadlineMs: number,
): NextStep {
  const classification = classifyAnswer(answer);
  switch (classification.outcome) {
    case 'ISSUED':
    case 'REWARD_FAILURE':
      return settledStep(classification);
    case 'MANUAL_REVIEW':
    case 'NOT_FOUND':
      return { step: 'manual-review', reason: `while pending: ${describe(classification)}` };
    default:
      return nowMs - pendingSinceMs >= deadlineMs
        ? { step: 'alert-administrators', reason: `still PENDING after ${Math.round(deadlineMs / 1000)} s` }
        : { step: 'poll' };
  }
}

function describe(c: Classification): string {
  return c.outcome === 'MANUAL_REVIEW' ? c.reason : c.outcome;
}
