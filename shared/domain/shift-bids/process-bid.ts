/**
 * Spec 003 end to end for one CXone bidding event (issue 11). Exactly one action per request on at-least-once,
 * concurrent delivery comes from four things together:
 * - phase one: the record written `pending_validation` before any rule runs, events applied in event-time order
 *   (bid-state.ts);
 * - a claim lock per shift and date, so two bids for one shift are decided one after the other (spec 003 edge
 *   case 1); a bid that finds the shift claimed is deferred a few seconds (`RetryLater`), never a visibility
 *   timeout;
 * - every transition a conditional write from the state read, so a duplicate never decides twice;
 * - CXone's own idempotency key (`idem_bidding_{id}_v1`) for the crash between its answer and our write.
 * An escalated request is blocklisted: later events are recorded and reconcile its state, but never act.
 */
import { PermanentFailure, RetryLater } from '../../errors';
import type { BiddingRequestEvent } from '../../contracts/cxone.schema';
import {
  afterTransition,
  assertTransition,
  BidStateConflict,
  type BidChanges,
  type BidRecord,
} from './bid-state';
import { toCanonicalBid } from './canonical-bid';
import { CHECK_NAMES, type CheckResult } from './checks/check-result';
import type { BidDecision } from './decide';
import { canTransition, isAutomatable, readCxoneStatus, type BidState } from './lifecycle';
import { lockCovers, type BidActionCommand, type BidActionOutcome, type CxoneBiddingRequest } from './ports';
import { validateBid } from './validate-bid';
import { WORKFLOW, type ShiftBidsDeps } from './workflow';
import { LOCK_KEY } from '../../tables';

export type BidOutcome =
  | { readonly kind: 'stale' }
  /** Recorded, but automation may not act (escalated, or already resolved). */
  | { readonly kind: 'recorded'; readonly status: BidState }
  | { readonly kind: 'escalated' }
  /** CXone confirmed our action. */
  | { readonly kind: 'acted'; readonly status: BidState; readonly httpStatus: number }
  /** CXone had resolved it otherwise (a supervisor, expiry): adopted, `bid.reconciled`. */
  | { readonly kind: 'reconciled'; readonly status: BidState };

/** Reads of a request after a 202, before deferring the rest to a later delivery. */
const READ_BACKS = 5;
const READ_BACK_PAUSE_MS = 1000;
const READ_BACK_RETRY_SECONDS = 5;

const CXONE_STATE: Readonly<Record<'APPROVED' | 'REJECTED', BidState>> = {
  APPROVED: 'approved',
  REJECTED: 'rejected',
};

export async function processBidEvent(event: BiddingRequestEvent, deps: ShiftBidsDeps): Promise<BidOutcome> {
  return new BidProcess(deps).run(event);
}

class BidProcess {
  constructor(private readonly deps: ShiftBidsDeps) {}

  private now = () => new Date(this.deps.clock.now()).toISOString();
  private remaining = () => this.deps.remainingMs?.() ?? Number.POSITIVE_INFINITY;

  async run(event: BiddingRequestEvent): Promise<BidOutcome> {
    const bid = toCanonicalBid(event, this.deps.newProcessingId());
    const admitted = await this.deps.store.admit(bid, this.now());
    if (admitted.kind === 'stale') {
      await this.audit(admitted.record, 'EVENT_STALE', {
        event_type: event.eventType,
        event_timestamp: event.timestamp,
        last_event_at: admitted.record.lastEventAt,
      });
      return { kind: 'stale' };
    }
    const record = admitted.record;
    const said = bid.cxoneStatus === null ? undefined : readCxoneStatus(bid.cxoneStatus);
    // CXone says it is resolved (status_changed from the UI, expiry): adopt it; acting is pointless.
    if (said?.kind === 'resolved') return this.adopt(record, said.state, 'event', null);
    if (!isAutomatable(record.status)) {
      await this.audit(record, 'EVENT_RECORDED', {
        event_type: event.eventType,
        event_timestamp: event.timestamp,
        cxone_status: bid.cxoneStatus,
        automation: record.blocklisted ? 'blocklisted (escalated)' : `none: the bid is ${record.status}`,
      });
      return { kind: 'recorded', status: record.status };
    }
    return this.underClaim(record, () => this.decideAndAct(record.cxoneRequestId));
  }

  /** Spec 003 edge case 1: one bid per shift and date at a time. */
  private async underClaim(record: BidRecord, work: () => Promise<BidOutcome>): Promise<BidOutcome> {
    const key = `${LOCK_KEY.bidClaim}${record.shiftId}#${record.requestedDate}`;
    const lease = await this.deps.locks.tryAcquire(key, this.deps.claimLeaseSeconds);
    if (!lease)
      throw new RetryLater(
        'SHIFT_CLAIMED',
        `Shift ${record.shiftId} on ${record.requestedDate} is claimed by another bid being decided`,
        this.deps.settings.claimRetrySeconds,
      );
    try {
      return await work();
    } finally {
      await lease.release();
    }
  }

  private async decideAndAct(requestId: string): Promise<BidOutcome> {
    // Read again under the claim: the bid decided before us may have changed everything.
    let record = await this.deps.store.get(requestId);
    if (!record || !isAutomatable(record.status))
      return { kind: 'recorded', status: record?.status ?? 'pending_validation' };
    if (record.status === 'pending_validation') {
      const winner = await this.deps.store.awardOf(record.shiftId, record.requestedDate);
      if (winner && winner !== record.cxoneRequestId) {
        // CXone already approved another request for this shift (our own record of its terminal answer): it
        // would refuse an approval with a 409 naming that request, so refuse this one now, without the reads.
        const decided = await this.rejectAwarded(record, winner, null);
        return this.act(decided, { revalidated: true });
      }
      record = await this.validate(record);
      if (record.status === 'escalated') return { kind: 'escalated' };
    }
    return this.act(record, { revalidated: false });
  }

  /** The shift went to another bid (CXone's first come, first served): REJECT this one with that reason. */
  private async rejectAwarded(
    record: BidRecord,
    winner: string,
    httpStatus: number | null,
  ): Promise<BidRecord> {
    const reason = `Auto-rejected: shift ${record.shiftId} on ${record.requestedDate} was already awarded to ${winner}.`;
    const ruleVersion = record.ruleVersion ?? (await this.deps.rules.current()).version;
    return this.commit(
      record,
      'pending_validation',
      'awaiting_api_commit',
      { decision: 'REJECT', reason, ruleVersion, validatedAt: this.now() },
      (decided) =>
        this.audit(decided, 'DECIDED', {
          input_state: inputState(record),
          decision: 'REJECT',
          reason,
          rule_version: ruleVersion,
          conflicting_request_id: winner,
          // Known from CXone's 409 (httpStatus) or from our record of its approval of the winner (null).
          award_source: httpStatus === null ? 'recorded approval of the winner' : 'CXone 409',
          ...(httpStatus === null && { checks: 'not run: the shift is no longer open to this bid' }),
          api_response_status: httpStatus,
          final_outcome: decided.status,
        }),
    );
  }

  /** Phase two: the rules, then `awaiting_api_commit` (APPROVE or REJECT to send) or `escalated`. */
  private async validate(record: BidRecord, because?: string): Promise<BidRecord> {
    const { decision, decidedAt } = await validateBid(record, this.deps);
    if (decision.decision === 'ESCALATE') return this.escalate(record, decision, decidedAt);
    const reason = because ? `${decision.reason} (${because})` : decision.reason;
    return this.commit(
      record,
      'pending_validation',
      'awaiting_api_commit',
      { decision: decision.decision, reason, ruleVersion: decision.ruleVersion, validatedAt: decidedAt },
      (decided) =>
        this.audit(decided, 'DECIDED', {
          ...decisionFields(record, decision),
          reason,
          api_response_status: null,
          final_outcome: decided.status,
        }),
    );
  }

  private async escalate(record: BidRecord, decision: BidDecision, decidedAt: string): Promise<BidRecord> {
    const failingChecks = decision.results
      .filter((r) => decision.decisiveChecks.includes(r.check))
      .map((r) => ({ check: r.check, result: r.result, summary: r.evidence.summary }));
    const notification = {
      requestId: record.cxoneRequestId,
      siteId: record.siteId,
      shiftId: record.shiftId,
      requestedDate: record.requestedDate,
      bidType: record.bidType,
      reason: decision.reason,
      ruleVersion: decision.ruleVersion,
      failingChecks,
      deepLink: `${this.deps.settings.supervisorLinkBase}${encodeURIComponent(record.cxoneRequestId)}`,
    };
    return this.commit(
      record,
      'pending_validation',
      'escalated',
      {
        decision: 'ESCALATE',
        reason: decision.reason,
        ruleVersion: decision.ruleVersion,
        validatedAt: decidedAt,
        blocklisted: true,
      },
      async (escalated) => {
        await this.deps.notifier.notify(notification);
        await this.deps.events.publish({ type: 'bid.escalated', detail: notification });
        await this.audit(escalated, 'ESCALATE', {
          ...decisionFields(record, decision),
          escalation_reason: decision.reason,
          api_response_status: null,
          final_outcome: 'escalated',
          supervisor_notified: true,
          notification_channel: this.deps.notifier.channel,
        });
      },
    );
  }

  /** Sends the decided action and follows CXone's answer to a final state (spec 003 section 3, edge case 2). */
  private async act(record: BidRecord, { revalidated }: { revalidated: boolean }): Promise<BidOutcome> {
    const command: BidActionCommand = {
      requestId: record.cxoneRequestId,
      action: record.decision === 'APPROVE' ? 'APPROVE' : 'REJECT',
      reason: record.reason ?? '',
      metadata: {
        approved_by: this.deps.settings.serviceIdentity,
        validation_timestamp: record.validatedAt ?? this.now(),
        rule_version: record.ruleVersion ?? 'unknown',
      },
    };
    for (;;) {
      const outcome = await this.deps.cxone.act(command);
      await this.audit(record, 'ACTION_SENT', actionFields(command, outcome));
      switch (outcome.kind) {
        case 'final':
          return this.settle(record, CXONE_STATE[outcome.status], outcome.httpStatus);
        case 'accepted':
          return this.readBack(record, outcome.httpStatus);
        case 'conflict':
          return this.onConflict(record, outcome, revalidated);
        case 'locked':
          await this.waitForLock(record, outcome);
          continue;
        case 'refused':
          throw new PermanentFailure(
            outcome.httpStatus === 401 ? 'CXONE_UNAUTHORIZED' : 'BID_ACTION_REFUSED',
            outcome.reason,
            { requestId: record.cxoneRequestId, httpStatus: outcome.httpStatus },
          );
      }
    }
  }

  /** CXone's final word on our action; a status other than the one asked (its own rules) is adopted. */
  private async settle(record: BidRecord, state: BidState, httpStatus: number): Promise<BidOutcome> {
    const asked: BidState = record.decision === 'APPROVE' ? 'approved' : 'rejected';
    if (state !== asked) return this.adopt(record, state, 'action answer', null, httpStatus);
    await this.commit(
      record,
      'awaiting_api_commit',
      state,
      { httpStatus, processedAt: this.now(), cxoneStatus: state.toUpperCase() },
      async (done) => {
        if (state === 'approved') await this.recordAward(done);
        await this.deps.events.publish({
          type: state === 'approved' ? 'bid.approved' : 'bid.rejected',
          detail: {
            requestId: done.cxoneRequestId,
            siteId: done.siteId,
            shiftId: done.shiftId,
            requestedDate: done.requestedDate,
            reason: done.reason,
            ruleVersion: done.ruleVersion,
          },
        });
        await this.audit(done, 'OUTCOME', {
          decision: done.decision,
          reason: done.reason,
          rule_version: done.ruleVersion,
          api_response_status: httpStatus,
          final_outcome: state,
        });
      },
    );
    return { kind: 'acted', status: state, httpStatus };
  }

  /** 202: accepted, not final (spec README). Read the request back until CXone says how it ended. */
  private async readBack(record: BidRecord, httpStatus: number): Promise<BidOutcome> {
    for (let read = 1; read <= READ_BACKS; read++) {
      const current = await this.deps.cxone.biddingRequest(record.cxoneRequestId);
      const status = current ? readCxoneStatus(current.status) : undefined;
      if (status?.kind === 'resolved') {
        return status.state === 'approved' || status.state === 'rejected'
          ? this.settle(record, status.state, httpStatus)
          : this.adopt(record, status.state, 'read-back', current!);
      }
      const pause = READ_BACK_PAUSE_MS * this.deps.waitScale;
      if (read === READ_BACKS || this.remaining() < pause * 2) break;
      await this.deps.clock.sleep(pause);
    }
    throw new RetryLater(
      'BID_ACTION_PENDING',
      `CXone accepted the action on ${record.cxoneRequestId} but has not applied it yet`,
      READ_BACK_RETRY_SECONDS,
    );
  }

  /** 409: read the request back; never retry blindly (spec 003 section 3). */
  private async onConflict(
    record: BidRecord,
    conflict: Extract<BidActionOutcome, { kind: 'conflict' }>,
    revalidated: boolean,
  ): Promise<BidOutcome> {
    const current = await this.deps.cxone.biddingRequest(record.cxoneRequestId);
    if (!current)
      throw new PermanentFailure('BID_ACTION_REFUSED', `CXone no longer knows ${record.cxoneRequestId}`);
    const status = readCxoneStatus(current.status);
    if (status.kind === 'resolved') {
      // Our own action, applied by an earlier delivery whose answer was lost: it is ours, not an adoption.
      const ours = current.resolution?.by === this.deps.settings.serviceIdentity;
      return ours && (status.state === 'approved' || status.state === 'rejected')
        ? this.settle(record, status.state, conflict.httpStatus)
        : this.adopt(record, status.state, 'conflict', current, conflict.httpStatus);
    }
    if (current.actionInProgress) return this.readBack(record, conflict.httpStatus);
    if (status.kind === 'unknown' || revalidated) {
      const why =
        status.kind === 'unknown'
          ? `CXone reports the unknown status ${status.status}`
          : `CXone answered 409 again on a pending request: ${conflict.message}`;
      const reopened = await this.reopen(record);
      return this.escalateAfter(reopened, why);
    }
    const reopened = await this.reopen(record);
    if (conflict.conflictingRequestId) {
      const decided = await this.rejectAwarded(reopened, conflict.conflictingRequestId, conflict.httpStatus);
      return this.act(decided, { revalidated: true });
    }
    // Still pending and nobody else holds the shift: the world changed since we decided. Decide again, once.
    const decided = await this.validate(reopened, 're-validated after a 409');
    if (decided.status === 'escalated') return { kind: 'escalated' };
    return this.act(decided, { revalidated: true });
  }

  private reopen(record: BidRecord): Promise<BidRecord> {
    return this.deps.store.transition(
      record.cxoneRequestId,
      'awaiting_api_commit',
      'pending_validation',
      { retryCount: record.retryCount + 1 },
      this.now(),
    );
  }

  private escalateAfter(record: BidRecord, why: string): Promise<BidOutcome> {
    const results: CheckResult[] = CHECK_NAMES.map((check) => ({
      check,
      result: 'PASS',
      evidence: { summary: 'passed before acting' },
    }));
    const decision: BidDecision = {
      decision: 'ESCALATE',
      reason: `Escalated to a supervisor: ${why}.`,
      ruleVersion: record.ruleVersion ?? 'unknown',
      validationChecks: Object.fromEntries(
        results.map((r) => [r.check, r.result]),
      ) as BidDecision['validationChecks'],
      decisiveChecks: [],
      results,
    };
    return this.escalate(record, decision, this.now()).then(() => ({ kind: 'escalated' }) as const);
  }

  /**
   * 423: a publication holds the schedule (spec 003 edge case 2). Wait, poll the locks until none covers the
   * request, every wait in the audit trail; when the invocation would end first, defer the message instead.
   */
  private async waitForLock(
    record: BidRecord,
    locked: Extract<BidActionOutcome, { kind: 'locked' }>,
  ): Promise<void> {
    const pause = this.deps.settings.lockPollSeconds * 1000 * this.deps.waitScale;
    let waitedMs = 0;
    for (;;) {
      if (this.remaining() < pause * 2)
        throw new RetryLater(
          'SCHEDULE_LOCKED',
          `Site ${record.siteId} schedule is locked (${locked.message}); waited ${waitedMs} ms in this invocation`,
          this.deps.settings.lockPollSeconds,
        );
      await this.deps.clock.sleep(pause);
      waitedMs += pause;
      const locks = await this.deps.cxone.locks(record.siteId);
      const holding = locks.filter((l) => lockCovers(l, record.siteId, record.requestedDate));
      await this.audit(record, 'LOCK_WAIT', {
        waited_ms: waitedMs,
        lock: locked.lock,
        still_locked_by: holding.map((l) => ({ id: l.id, operation: l.operation })),
      });
      if (holding.length === 0) return;
    }
  }

  /** CXone resolved the request some other way: take its state, announce `bid.reconciled`, never act. */
  private async adopt(
    record: BidRecord,
    state: BidState,
    source: string,
    current: CxoneBiddingRequest | null,
    httpStatus?: number,
  ): Promise<BidOutcome> {
    if (record.status === state) return { kind: 'recorded', status: state };
    if (!canTransition(record.status, state)) {
      // Ours says one final state, CXone another: nothing automation may change; a human must look.
      await this.audit(record, 'RECONCILE_REFUSED', { cxone_state: state, source });
      return { kind: 'recorded', status: record.status };
    }
    await this.commit(
      record,
      record.status,
      state,
      { cxoneStatus: state.toUpperCase(), processedAt: this.now(), httpStatus },
      async (adopted) => {
        if (state === 'approved') await this.recordAward(adopted);
        await this.deps.events.publish({
          type: 'bid.reconciled',
          detail: {
            requestId: record.cxoneRequestId,
            siteId: record.siteId,
            shiftId: record.shiftId,
            from: record.status,
            to: state,
            source,
            resolvedBy: current?.resolution?.by ?? null,
          },
        });
        await this.audit(adopted, 'RECONCILED', {
          from: record.status,
          source,
          resolution: current?.resolution ?? null,
          decision: record.decision ?? null,
          rule_version: record.ruleVersion ?? null,
          api_response_status: httpStatus ?? null,
          final_outcome: state,
        });
      },
    );
    return { kind: 'reconciled', status: state };
  }

  /**
   * Moves the bid from `from` to `to`, having first done what the move means (`effects`: the audit entry, the
   * domain event, the supervisor's notification). The state write is what tells a redelivery the work is done,
   * so what must follow the work goes before it: a crash or a lost write answer in between repeats the effects
   * on redelivery (at least once), and never loses them. When another worker moved the bid first, the audit
   * trail says so right after the entry whose move did not land (SUPERSEDED, with the state that holds).
   */
  private async commit(
    record: BidRecord,
    from: BidState,
    to: BidState,
    changes: BidChanges,
    effects: (next: BidRecord) => Promise<void>,
  ): Promise<BidRecord> {
    assertTransition(record.cxoneRequestId, from, to);
    await effects(afterTransition({ ...record, status: from }, to, changes, this.now()));
    try {
      return await this.deps.store.transition(record.cxoneRequestId, from, to, changes, this.now());
    } catch (err) {
      if (!(err instanceof BidStateConflict)) throw err;
      const current = await this.deps.store.get(record.cxoneRequestId);
      await this.audit(current ?? record, 'SUPERSEDED', {
        attempted: { from, to },
        final_outcome: current?.status ?? null,
      });
      if (current && current.status !== to && !isAutomatable(current.status) && !isAutomatable(to))
        await this.announceSuperseded(current, to);
      throw err;
    }
  }

  /**
   * A move to a state that announces itself (`bid.escalated`, say) published its effects before its write, so
   * they may have followed the winner's own announcement (a supervisor's cancellation): announce the state that
   * holds again, so the bus's last word on the bid is that one. A winner still open to automation announces its
   * own outcome later.
   */
  private announceSuperseded(current: BidRecord, attempted: BidState): Promise<void> {
    return this.deps.events.publish({
      type: 'bid.reconciled',
      detail: {
        requestId: current.cxoneRequestId,
        siteId: current.siteId,
        shiftId: current.shiftId,
        from: attempted,
        to: current.status,
        source: 'superseded',
        resolvedBy: null,
      },
    });
  }

  /** Written before the claim is released, so the next bid for the shift finds it. */
  private recordAward(record: BidRecord): Promise<void> {
    return this.deps.store.recordAward(
      record.shiftId,
      record.requestedDate,
      record.cxoneRequestId,
      this.now(),
    );
  }

  private audit(record: BidRecord, action: string, detail: Record<string, unknown>): Promise<void> {
    return this.deps.audit.append({
      workflow: WORKFLOW,
      subject: `bid#${record.cxoneRequestId}`,
      action,
      at: this.now(),
      detail: { processing_id: record.processingId, ...detail },
    });
  }
}

/** Spec 003 section 4's fields of a decision (the API status and final outcome are added by the caller). */
function inputState(record: BidRecord) {
  return {
    cxone_request_id: record.cxoneRequestId,
    site_id: record.siteId,
    agent_id: record.agentId,
    shift_id: record.shiftId,
    bid_type: record.bidType,
    requested_date: record.requestedDate,
    start_time: record.startTime,
    end_time: record.endTime,
    status: record.status,
    cxone_event_timestamp: record.cxoneEventTimestamp,
  };
}

function decisionFields(record: BidRecord, decision: BidDecision) {
  return {
    input_state: inputState(record),
    decision: decision.decision,
    validation_checks: decision.validationChecks,
    checks: decision.results.map((r) => ({ check: r.check, result: r.result, evidence: r.evidence })),
    rule_version: decision.ruleVersion,
  };
}

function actionFields(command: BidActionCommand, outcome: BidActionOutcome) {
  return {
    action: command.action,
    metadata: command.metadata,
    idempotency_key: outcome.idempotencyKey,
    cxone_request_id: outcome.cxoneRequestId,
    api_response_status: outcome.httpStatus,
    outcome: outcome.kind,
    attempts: outcome.attempts,
    ...(outcome.kind === 'conflict' && {
      current_status: outcome.currentStatus,
      conflicting_request_id: outcome.conflictingRequestId,
      message: outcome.message,
    }),
    ...(outcome.kind === 'refused' && { vendor_reason: outcome.reason }),
    ...(outcome.kind === 'locked' && { lock: outcome.lock, message: outcome.message }),
  };
}
