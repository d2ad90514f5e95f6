/**
 * One reward evaluation of one agent (spec 004 sections 1-3, edge cases 3-4; issue 12), as the processor runs it
 * for each message the ingestion fanned out:
 * 1. Clawback first: a debit that took the balance below zero after a reward reverses that reward once
 *    (clawback.ts); the reversal, or the marketplace's refusal (the debt), goes in the ledger.
 * 2. The threshold: `evaluateAgent` over the ledger and the lock. A breach takes the lock with the derived
 *    transaction id and the request's timestamp before the first call; a held lock is resumed, never re-derived.
 * 3. The transaction is settled, one marketplace call per delivery, as issue-outcome.ts says: ISSUED records
 *    the redemption and releases the lock in one write; REJECTED releases it with an `issue-rejected` entry;
 *    PENDING and retries come back later (RetryLater, progress kept with the lock); 400/409/attempts exhausted/
 *    pending past its deadline keep the lock for the WFM administrators.
 * Every issuance, failure and reversal is audited with the transaction id (the request id) and its outcome.
 */
import { looseObject } from 'zod/mini';
import type { z } from 'zod/mini';
import { Id, LocalDate } from '../../contracts/common';
import type { Clock } from '../../ports/clock';
import type { AuditLog, DomainEventPublisher } from '../../ports/platform';
import { PermanentFailure, RetryableFailure, RetryLater } from '../../errors';
import { buildIssueRequest, RewardsAnswerSchema } from '../../contracts/rewards-issue.schema';
import { agentPseudonym } from './agent-pseudonym';
import { decideClawback } from './clawback';
import { evaluateAgent, type RedemptionLock } from './evaluate';
import {
  nextStepAfterIssue,
  nextStepAfterLookup,
  nextStepWhilePending,
  type MarketplaceAnswer,
  type NextStep,
} from './issue-outcome';
import { headPosition, type LedgerEntry } from './ledger';
import type { HeldLock, IssueProgress, RewardLedgerStore, RewardMarketplace, RuleSource } from './ports';

export const REWARD_FAILURE_REASONS = {
  manualReview: 'REWARD_MANUAL_REVIEW',
  attemptsExhausted: 'REWARD_ATTEMPTS_EXHAUSTED',
  pendingTimeout: 'REWARD_PENDING_TIMEOUT',
  pending: 'REWARD_PENDING',
  issueRetry: 'REWARD_ISSUE_RETRY',
  reversalRetry: 'REWARD_REVERSAL_RETRY',
  ledgerContended: 'REWARD_LEDGER_CONTENDED',
} as const;

const MAX_LEDGER_CONFLICTS = 5;

/** The message the ingestion fans out (ingest.ts `evaluationMessage`). */
export const RewardEvaluationMessage = looseObject({ agentId: Id, asOfDate: LocalDate });
export type RewardEvaluationMessage = z.output<typeof RewardEvaluationMessage>;

/**
 * The Powertools idempotency seam around `settleTransaction`: keyed on the transaction id; the same id with
 * another agent, reward or earning position is refused (it would be a derivation defect).
 */
export const REWARD_ISSUE_IDEMPOTENCY = {
  name: 'reward-triggers.issue',
  eventKeyJmesPath: 'transactionId',
  payloadValidationJmesPath: '[agentId, rewardType, pointsConsumed, earnedAtPosition]',
} as const;

export interface EvaluationSettings {
  readonly pendingDeadlineSeconds: number;
  readonly pendingPollSeconds: number;
  readonly issueRetrySeconds: number;
  /** Sent as `metadata.wfm_export_version`. */
  readonly exportVersion: string;
}

export interface EvaluationDeps {
  readonly ledger: RewardLedgerStore;
  readonly marketplace: RewardMarketplace;
  readonly rules: RuleSource;
  readonly audit: AuditLog;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  /** The agent pseudonym key (Secrets Manager), at least 32 bytes. */
  readonly pseudonymKey: () => Promise<string | Uint8Array>;
  readonly settings: EvaluationSettings;
  /**
   * Runs `settleTransaction` for a held lock; the processor wraps it in the Powertools idempotency seam keyed
   * on the transaction id. Defaults to calling it directly.
   */
  readonly settle?: (held: SettleRequest) => Promise<SettleOutcome>;
}

export interface EvaluationRequest {
  readonly agentId: string;
  /** Today in the export's time zone, when the ingestion ran. */
  readonly asOfDate: string;
}

/**
 * What the idempotency seam sees of the held lock: the transaction id is its key, the rest must not change
 * under it.
 */
export type SettleRequest = Pick<
  RedemptionLock,
  'transactionId' | 'agentId' | 'rewardType' | 'pointsConsumed' | 'earnedAtPosition'
>;

export type SettleOutcome =
  | { readonly outcome: 'issued'; readonly transactionId: string }
  | { readonly outcome: 'rejected'; readonly transactionId: string; readonly reason: string }
  | { readonly outcome: 'awaiting-administrator'; readonly transactionId: string; readonly reason: string };

/** A clawback this evaluation made: the reward reversed, or the marketplace's refusal recorded as a debt. */
export interface ClawbackDone {
  readonly transactionId: string;
  readonly result: 'reversed' | 'refused';
}

export type EvaluationOutcome =
  | { readonly outcome: 'below-threshold'; readonly windowPoints: number; readonly clawback?: ClawbackDone }
  | (SettleOutcome & { readonly clawback?: ClawbackDone });

export async function processEvaluation(
  request: EvaluationRequest,
  deps: EvaluationDeps,
): Promise<EvaluationOutcome> {
  const { clawback, entries: unchanged } = await clawBackIfDue(request.agentId, deps);
  const { document: rules } = await deps.rules.current();
  // The ledger the clawback check read, when it wrote nothing: no read of the same ledger twice.
  const entries = unchanged ?? (await deps.ledger.entries(request.agentId));
  const held = await deps.ledger.heldLock(request.agentId);
  const evaluation = evaluateAgent({
    agentId: request.agentId,
    entries,
    lock: held?.lock,
    rules,
    asOfDate: request.asOfDate,
    now: new Date(deps.clock.now()).toISOString(),
    pseudonymKey: await deps.pseudonymKey(),
  });
  if (evaluation.action === 'none') {
    return { outcome: 'below-threshold', windowPoints: evaluation.windowPoints, clawback };
  }
  let lock = evaluation.lock;
  if (evaluation.action === 'lock-and-issue' && !(await deps.ledger.takeLock(lock))) {
    // Another evaluation took the lock first: resume its transaction, never derive a second one.
    const winner = await deps.ledger.heldLock(request.agentId);
    if (!winner)
      throw new RetryableFailure('LOCK_HELD', 'the point lock moved while it was taken; evaluate again');
    lock = winner.lock;
  }
  const settle = deps.settle ?? ((r: SettleRequest) => settleTransaction(r, deps));
  const outcome = await settle({
    transactionId: lock.transactionId,
    agentId: lock.agentId,
    rewardType: lock.rewardType,
    pointsConsumed: lock.pointsConsumed,
    earnedAtPosition: lock.earnedAtPosition,
  });
  return { ...outcome, clawback };
}

/** One step of a held lock's transaction: one marketplace call, then what issue-outcome.ts says. */
export async function settleTransaction(
  request: SettleRequest,
  deps: EvaluationDeps,
): Promise<SettleOutcome> {
  const held = await deps.ledger.heldLock(request.agentId);
  if (!held || held.lock.transactionId !== request.transactionId) {
    // Settled by an earlier delivery (the lock is released with the ledger entry that settled it).
    const settledBy = (await deps.ledger.entries(request.agentId)).find(
      (e) => 'transactionId' in e && e.transactionId === request.transactionId,
    );
    if (settledBy?.kind === 'redemption') return { outcome: 'issued', transactionId: request.transactionId };
    if (settledBy?.kind === 'issue-rejected') {
      return { outcome: 'rejected', transactionId: request.transactionId, reason: settledBy.reason };
    }
    throw new RetryableFailure('LOCK_HELD', `no lock holds transaction ${request.transactionId}`);
  }
  const { lock, progress } = held;
  if (progress.heldFor) {
    return { outcome: 'awaiting-administrator', transactionId: lock.transactionId, reason: progress.heldFor };
  }
  const now = deps.clock.now();
  let next: NextStep;
  let attempts = progress.attempts;
  if (progress.pendingSince) {
    const answer = await deps.marketplace.lookup(lock.transactionId);
    next = nextStepWhilePending(
      answer,
      Date.parse(progress.pendingSince),
      now,
      deps.settings.pendingDeadlineSeconds * 1000,
    );
  } else {
    next = { step: 'retry', attempt: attempts + 1, lookupFirst: progress.lookupFirst ?? false };
    if (progress.lookupFirst) {
      const answer = await deps.marketplace.lookup(lock.transactionId);
      next = nextStepAfterLookup(answer, attempts, true).next;
      // A lookup that failed itself counts as a failed attempt (issue-outcome.ts).
      if (next.step === 'retry' && next.lookupFirst) attempts += 1;
    }
    if (next.step === 'retry' && (!progress.lookupFirst || !next.lookupFirst)) {
      attempts = next.attempt;
      const answer = await issue(lock, deps);
      // The HTTP client refreshes the token on a 401 and retries once: a 401 here is after a refresh.
      next = nextStepAfterIssue(answer, attempts, true).next;
    }
  }
  return follow(next, held, { ...progress, attempts }, deps);
}

async function issue(lock: RedemptionLock, deps: EvaluationDeps): Promise<MarketplaceAnswer> {
  const request = buildIssueRequest({
    agent_id: agentPseudonym(lock.agentId, await deps.pseudonymKey()),
    reward_type: lock.rewardType,
    points_consumed: lock.pointsConsumed,
    transaction_timestamp: lock.transactionTimestamp,
    metadata: {
      source_platform: 'Genesys Cloud CX',
      wfm_export_version: deps.settings.exportVersion,
      rule_version: lock.ruleVersion,
    },
  });
  return deps.marketplace.issue(request, lock.transactionId);
}

/**
 * Does what `next` says. The ledger or lock write is what tells a later delivery the step is done, so the audit
 * entry and the domain event go before it: a crash or a lost write answer in between repeats them on
 * redelivery (at least once) and never loses them.
 */
async function follow(
  next: NextStep,
  held: HeldLock,
  progress: IssueProgress,
  deps: EvaluationDeps,
): Promise<SettleOutcome> {
  const { lock } = held;
  const at = new Date(deps.clock.now()).toISOString();
  const audit = (action: string, detail: Record<string, unknown> = {}) =>
    deps.audit.append({
      subject: `reward#${lock.transactionId}`,
      action,
      workflow: 'reward-triggers',
      at,
      detail: {
        requestId: lock.transactionId,
        agentId: lock.agentId,
        rewardType: lock.rewardType,
        pointsConsumed: lock.pointsConsumed,
        attempts: progress.attempts,
        ...detail,
      },
    });
  switch (next.step) {
    case 'record-issued': {
      await audit('ISSUED', { rewardId: next.rewardId });
      await deps.events.publish({
        type: 'reward.issued',
        detail: {
          agentId: lock.agentId,
          transactionId: lock.transactionId,
          rewardType: lock.rewardType,
          pointsConsumed: lock.pointsConsumed,
        },
      });
      await appendSettling(
        lock,
        (position) => ({
          kind: 'redemption',
          position,
          agentId: lock.agentId,
          date: lock.asOfDate,
          delta: -lock.pointsConsumed,
          ruleVersion: lock.ruleVersion,
          transactionId: lock.transactionId,
          rewardType: lock.rewardType,
          earnedAtPosition: lock.earnedAtPosition,
        }),
        deps,
      );
      return { outcome: 'issued', transactionId: lock.transactionId };
    }
    case 'unlock-and-fail': {
      await audit('REJECTED', { outcome: 'REWARD_FAILURE', reason: next.reason });
      await deps.events.publish({
        type: 'reward.failed',
        detail: {
          agentId: lock.agentId,
          transactionId: lock.transactionId,
          rewardType: lock.rewardType,
          failure: 'REWARD_FAILURE',
          reason: next.reason,
        },
      });
      await appendSettling(
        lock,
        (position) => ({
          kind: 'issue-rejected',
          position,
          agentId: lock.agentId,
          date: lock.asOfDate,
          delta: 0,
          ruleVersion: lock.ruleVersion,
          transactionId: lock.transactionId,
          reason: next.reason,
        }),
        deps,
      );
      return { outcome: 'rejected', transactionId: lock.transactionId, reason: next.reason };
    }
    case 'poll': {
      await saveProgress(
        lock,
        { ...progress, lookupFirst: false, pendingSince: progress.pendingSince ?? at },
        deps,
      );
      throw new RetryLater(
        REWARD_FAILURE_REASONS.pending,
        `reward ${lock.transactionId} is PENDING at the marketplace; polling again`,
        deps.settings.pendingPollSeconds,
      );
    }
    case 'retry': {
      await audit('ATTEMPT_FAILED', { nextAttempt: next.attempt, lookupFirst: next.lookupFirst });
      await saveProgress(lock, { ...progress, lookupFirst: next.lookupFirst }, deps);
      throw new RetryLater(
        REWARD_FAILURE_REASONS.issueRetry,
        `reward ${lock.transactionId}: attempt ${progress.attempts} failed; attempt ${next.attempt} later${next.lookupFirst ? ', after a lookup' : ''}`,
        deps.settings.issueRetrySeconds * 2 ** Math.max(0, progress.attempts - 1),
      );
    }
    case 'refresh-token-and-retry':
    case 'manual-review':
    case 'alert-administrators': {
      const reason =
        next.step !== 'alert-administrators'
          ? REWARD_FAILURE_REASONS.manualReview
          : progress.pendingSince
            ? REWARD_FAILURE_REASONS.pendingTimeout
            : REWARD_FAILURE_REASONS.attemptsExhausted;
      const why = next.step === 'refresh-token-and-retry' ? 'HTTP 401' : next.reason;
      await audit(reason, { outcome: reason, reason: why });
      await deps.events.publish({
        type: 'reward.needs_review',
        detail: { agentId: lock.agentId, transactionId: lock.transactionId, failure: reason, reason: why },
      });
      await saveProgress(lock, { ...progress, lookupFirst: false, heldFor: `${reason}: ${why}` }, deps);
      throw new PermanentFailure(
        reason,
        `reward ${lock.transactionId} needs the WFM administrators: ${why}; the points stay locked (runbook: ${reason})`,
      );
    }
  }
}

async function saveProgress(lock: RedemptionLock, progress: IssueProgress, deps: EvaluationDeps) {
  if ((await deps.ledger.saveProgress(lock.agentId, lock.transactionId, progress)) === 'conflict') {
    throw new RetryableFailure('LOCK_HELD', `the lock on ${lock.transactionId} was released concurrently`);
  }
}

/** Appends the entry that settles the lock's transaction and releases the lock, in one write. */
async function appendSettling(
  lock: RedemptionLock,
  entryAt: (position: number) => LedgerEntry,
  deps: EvaluationDeps,
): Promise<void> {
  for (let attempt = 1; attempt <= MAX_LEDGER_CONFLICTS; attempt++) {
    const head = await deps.ledger.headPosition(lock.agentId);
    const releasing = { agentId: lock.agentId, transactionId: lock.transactionId };
    if ((await deps.ledger.append([entryAt(head + 1)], { releasing })) === 'written') return;
    const still = await deps.ledger.heldLock(lock.agentId);
    if (still?.lock.transactionId !== lock.transactionId) {
      throw new RetryableFailure('LOCK_HELD', `the lock on ${lock.transactionId} was released concurrently`);
    }
  }
  throw new RetryableFailure(
    REWARD_FAILURE_REASONS.ledgerContended,
    `the ledger kept moving under ${lock.transactionId}`,
  );
}

/**
 * Spec 004 edge case 4: reverse the reward a debit took below zero, once; record it or the refusal. Without a
 * clawback due, answers the entries it read.
 */
async function clawBackIfDue(
  agentId: string,
  deps: EvaluationDeps,
): Promise<{ clawback?: ClawbackDone; entries?: readonly LedgerEntry[] }> {
  for (let attempt = 1; attempt <= MAX_LEDGER_CONFLICTS; attempt++) {
    const entries = await deps.ledger.entries(agentId);
    const decision = decideClawback(entries);
    if (decision.action === 'none') return { entries };
    const answer = await deps.marketplace.reverse(decision.transactionId);
    const status = answer.kind === 'http' ? answer.status : 0;
    if (answer.kind !== 'http' || status === 429 || status === 503 || status === 504 || status === 401) {
      throw new RetryLater(
        REWARD_FAILURE_REASONS.reversalRetry,
        `reversal of ${decision.transactionId} did not reach the marketplace (${answer.kind === 'http' ? `HTTP ${status}` : answer.kind}); trying again later`,
        deps.settings.issueRetrySeconds,
      );
    }
    const body = RewardsAnswerSchema.safeParse(answer.body);
    const accepted = status >= 200 && status < 300 && body.success && body.data.status === 'REVERSED';
    const position = headPosition(entries) + 1;
    const base = { position, agentId, date: decision.date, ruleVersion: entries.at(-1)!.ruleVersion };
    const reason = accepted ? '' : `HTTP ${status}${body.success ? ` ${body.data.status}` : ''}`;
    const entry: LedgerEntry = accepted
      ? {
          ...base,
          kind: 'reversal',
          delta: decision.points,
          transactionId: decision.transactionId,
          triggeredByPosition: decision.triggeredByPosition,
        }
      : {
          ...base,
          kind: 'clawback-refused',
          delta: 0,
          transactionId: decision.transactionId,
          triggeredByPosition: decision.triggeredByPosition,
          reason,
        };
    await deps.audit.append({
      subject: `reward#${decision.transactionId}`,
      action: accepted ? 'REVERSED' : 'CLAWBACK_REFUSED',
      workflow: 'reward-triggers',
      at: new Date(deps.clock.now()).toISOString(),
      detail: {
        requestId: decision.transactionId,
        agentId,
        rewardType: decision.rewardType,
        points: decision.points,
        triggeredByPosition: decision.triggeredByPosition,
        outcome: accepted ? 'REVERSED' : 'CLAWBACK_REFUSED',
        ...(accepted ? {} : { reason }),
      },
    });
    await deps.events.publish({
      type: accepted ? 'reward.reversed' : 'reward.clawback_refused',
      detail: {
        agentId,
        transactionId: decision.transactionId,
        rewardType: decision.rewardType,
        points: decision.points,
        ...(accepted ? {} : { reason, debt: decision.points }),
      },
    });
    // After the audit and the event (see `follow`): a conflict reverses again (a replay) and re-announces.
    if ((await deps.ledger.append([entry])) === 'conflict') continue;
    return { clawback: { transactionId: decision.transactionId, result: accepted ? 'reversed' : 'refused' } };
  }
  throw new RetryableFailure(
    REWARD_FAILURE_REASONS.ledgerContended,
    `the ledger of the clawback kept moving`,
  );
}
