/**
 * In-memory CXone bidding with the sandbox's rules: idempotency keys (same key and action: the first answer
 * again; another action: 422), 404 for an unknown request, 400 for a reason over 2000 characters, 423 while a
 * lock covers the request, 409 once it is resolved or its shift was awarded to another bid, and (knob
 * `asyncActions`) 202 accepted-not-final answers that settle `settleAfterMs` later, on the next read, or by
 * `settle`. Tests arrange the rest by editing the maps directly (a supervisor's decision is a status change).
 */
import type { Clock } from '../../ports/clock';
import { systemClock } from '../../ports/clock';
import {
  bidActionIdempotencyKey,
  lockCovers,
  type BidAction,
  type BidActionCommand,
  type BidActionOutcome,
  type BiddingRequestFilter,
  type CxoneAgent,
  type CxoneBidding,
  type CxoneBiddingRequest,
  type CxoneShift,
  type ScheduleLock,
  type ShiftQuery,
} from '../../domain/shift-bids/ports';
import { RetryableFailure } from '../../errors';
import { newCxoneRequestId } from './bidding';

/**
 * A vendor fault as the domain sees it through the real adapter and HTTP client (which retry 429 with
 * Retry-After, 5xx, timeouts and a revoked token themselves): `unavailable` — still failing after every retry,
 * nothing applied; `commit-then-fail` — CXone applied the action but its answer was lost (a timeout);
 * `recovered` — a 429/5xx/401 the client's retry absorbed (the call takes two attempts); `locked` — a bulk
 * publication takes the site's schedule lock for `lockSeconds` (CXone answers 423 meanwhile).
 */
export type CxoneFault = 'unavailable' | 'commit-then-fail' | 'recovered' | 'locked';

interface Pending {
  readonly action: BidAction;
  readonly reason: string;
  readonly by: string;
  readonly acceptedAt: number;
}

export interface FakeCxoneBiddingOptions {
  readonly clock?: Clock;
  /** Actions answer 202 and settle later (the sandbox's `asyncActions`). */
  readonly asyncActions?: boolean;
  readonly settleAfterMs?: number;
}

export class FakeCxoneBidding implements CxoneBidding {
  readonly requests = new Map<string, CxoneBiddingRequest>();
  readonly shiftsById = new Map<string, CxoneShift>();
  readonly agents = new Map<string, CxoneAgent>();
  readonly locksById = new Map<string, ScheduleLock>();
  /** Every action applied (a replay or a refused call adds nothing): the "one action" of issue 11's tests. */
  readonly applied: {
    requestId: string;
    action: BidAction;
    idempotencyKey: string;
    cxoneRequestId: string;
  }[] = [];
  /** Every call, by name, for asserting how many vendor calls a path made. */
  readonly calls: string[] = [];
  /** Scripted faults, each consumed by the next call of its kind (`act`, or any read). */
  readonly faults: { act: CxoneFault[]; read: CxoneFault[] } = { act: [], read: [] };
  /** How long a scripted `locked` fault holds the site's schedule. */
  lockSeconds = 45;
  asyncActions: boolean;
  settleAfterMs: number;
  private readonly clock: Clock;
  private readonly inProgress = new Map<string, Pending>();
  private readonly keys = new Map<string, { fingerprint: string; outcome: BidActionOutcome }>();

  constructor(options: FakeCxoneBiddingOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.asyncActions = options.asyncActions ?? false;
    this.settleAfterMs = options.settleAfterMs ?? 1000;
  }

  private now = () => new Date(this.clock.now()).toISOString();

  private unavailable(what: string, attempts = 3, httpStatus = 503): RetryableFailure {
    return new RetryableFailure('VENDOR_UNAVAILABLE', `CXone ${what}: ${httpStatus || 'timed out'}`, {
      httpStatus,
      attempts,
    });
  }

  /** Applies the next scripted fault of a read: throws, or answers the number of attempts the call took. */
  private readFault(siteId?: string): number {
    const fault = this.faults.read.shift();
    if (fault === 'unavailable' || fault === 'commit-then-fail') throw this.unavailable('read');
    if (fault === 'locked' && siteId) this.lockSite(siteId);
    return fault === 'recovered' ? 2 : 1;
  }

  private lockSite(siteId: string): void {
    const id = `lock-${this.locksById.size + 1}`;
    this.locksById.set(id, {
      id,
      siteId,
      dateFrom: null,
      dateTo: null,
      operation: 'bulk-publish',
      acquiredAt: this.now(),
      expiresAt: new Date(this.clock.now() + this.lockSeconds * 1000).toISOString(),
    });
  }

  /** Adds or replaces a request; `updatedAt` defaults to now. */
  addRequest(request: Omit<CxoneBiddingRequest, 'updatedAt' | 'actionInProgress'> & { updatedAt?: string }) {
    this.requests.set(request.requestId, {
      ...request,
      actionInProgress: null,
      updatedAt: request.updatedAt ?? this.now(),
    });
  }

  /** Resolves a request outside the API: a supervisor in the CXone UI, or expiry. */
  resolveAs(requestId: string, status: string, by = 'supervisor') {
    const request = this.requests.get(requestId);
    if (!request) throw new Error(`No request ${requestId}`);
    const at = this.now();
    this.inProgress.delete(requestId);
    this.requests.set(requestId, {
      ...request,
      status,
      resolution: { action: status === 'APPROVED' ? 'APPROVE' : 'REJECT', reason: null, by, at },
      actionInProgress: null,
      updatedAt: at,
    });
  }

  /** Settles an action answered 202, as requested or with the status CXone decided. */
  settle(requestId: string, status?: 'APPROVED' | 'REJECTED') {
    const pending = this.inProgress.get(requestId);
    if (!pending) throw new Error(`No action in progress for ${requestId}`);
    this.inProgress.delete(requestId);
    const request = this.requests.get(requestId)!;
    if (request.status !== 'PENDING') return;
    this.apply(request, pending.action, pending.reason, pending.by, status);
  }

  private read(requestId: string): CxoneBiddingRequest | undefined {
    const pending = this.inProgress.get(requestId);
    if (pending && this.clock.now() - pending.acceptedAt >= this.settleAfterMs) this.settle(requestId);
    const request = this.requests.get(requestId);
    if (
      request?.status === 'PENDING' &&
      request.expiresAt &&
      Date.parse(request.expiresAt) <= this.clock.now()
    ) {
      const expired = { ...request, status: 'EXPIRED', updatedAt: request.expiresAt, actionInProgress: null };
      this.inProgress.delete(requestId);
      this.requests.set(requestId, expired);
      return expired;
    }
    return request;
  }

  private apply(
    request: CxoneBiddingRequest,
    action: BidAction,
    reason: string,
    by: string,
    status: 'APPROVED' | 'REJECTED' = action === 'APPROVE' ? 'APPROVED' : 'REJECTED',
  ) {
    const at = this.now();
    this.requests.set(request.requestId, {
      ...request,
      status,
      resolution: { action, reason, by, at },
      actionInProgress: null,
      updatedAt: at,
    });
    const shift = this.shiftsById.get(request.shift.id);
    if (status === 'APPROVED' && shift) this.shiftsById.set(shift.id, { ...shift, agentId: request.agentId });
    return status;
  }

  async biddingRequest(requestId: string): Promise<CxoneBiddingRequest | null> {
    this.calls.push('request');
    this.readFault();
    return this.read(requestId) ?? null;
  }

  async biddingRequests(filter: BiddingRequestFilter): Promise<CxoneBiddingRequest[]> {
    this.calls.push('requests');
    this.readFault();
    return [...this.requests.keys()]
      .map((id) => this.read(id)!)
      .filter(
        (r) =>
          (!filter.siteId || r.siteId === filter.siteId) &&
          (!filter.agentId || r.agentId === filter.agentId) &&
          (!filter.status || r.status === filter.status) &&
          (!filter.updatedFrom || Date.parse(r.updatedAt ?? '') >= Date.parse(filter.updatedFrom)),
      )
      .sort(
        (a, b) =>
          Date.parse(a.updatedAt ?? '') - Date.parse(b.updatedAt ?? '') ||
          a.requestId.localeCompare(b.requestId),
      );
  }

  async shifts(query: ShiftQuery): Promise<CxoneShift[]> {
    this.calls.push('shifts');
    this.readFault();
    const status = query.status ?? 'published';
    return [...this.shiftsById.values()]
      .filter(
        (s) =>
          s.siteId === query.siteId &&
          s.date >= query.dateFrom &&
          s.date <= query.dateTo &&
          (status === 'any' || s.status === status),
      )
      .sort(
        (a, b) =>
          a.date.localeCompare(b.date) || a.startTime.localeCompare(b.startTime) || a.id.localeCompare(b.id),
      );
  }

  private active = (l: ScheduleLock) => !l.expiresAt || Date.parse(l.expiresAt) > this.clock.now();

  async locks(siteId?: string): Promise<ScheduleLock[]> {
    this.calls.push('locks');
    this.readFault();
    return [...this.locksById.values()].filter((l) => this.active(l) && (!siteId || l.siteId === siteId));
  }

  async agent(agentId: string): Promise<CxoneAgent | null> {
    this.calls.push('agent');
    this.readFault();
    return this.agents.get(agentId) ?? null;
  }

  async act(command: BidActionCommand): Promise<BidActionOutcome> {
    this.calls.push('act');
    const fault = this.faults.act.shift();
    if (fault === 'unavailable') throw this.unavailable('action');
    if (fault === 'locked') this.lockSite(this.requests.get(command.requestId)?.siteId ?? '');
    const outcome = await this.actNow(command);
    if (fault === 'commit-then-fail') throw this.unavailable('action after the commit', 1, 0);
    return fault === 'recovered' ? { ...outcome, attempts: outcome.attempts + 1 } : outcome;
  }

  private async actNow(command: BidActionCommand): Promise<BidActionOutcome> {
    const idempotencyKey = bidActionIdempotencyKey(command.requestId, command.keyVersion);
    const cxoneRequestId = command.cxoneRequestId ?? newCxoneRequestId();
    const sent = { idempotencyKey, cxoneRequestId, attempts: 1 };
    const fingerprint = `${command.requestId}|${command.action}`;
    const stored = this.keys.get(idempotencyKey);
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        const reason = 'CXone 422: This Idempotency-Key was used for a different request within 24 hours';
        return {
          ...sent,
          httpStatus: 422,
          kind: 'refused',
          reason,
          vendorBody: { error: 'idempotency.key.reused' },
        };
      }
      return { ...stored.outcome, cxoneRequestId, replayed: true } as BidActionOutcome;
    }
    if (command.reason.length > 2000) {
      const reason = 'CXone 400: reason must be at most 2000 characters';
      return { ...sent, httpStatus: 400, kind: 'refused', reason, vendorBody: { error: 'bad.request' } };
    }
    const request = this.read(command.requestId);
    if (!request) {
      const reason = `CXone 404: Bidding request ${command.requestId} not found`;
      return { ...sent, httpStatus: 404, kind: 'refused', reason, vendorBody: { error: 'not.found' } };
    }
    const lock = [...this.locksById.values()].find(
      (l) => this.active(l) && lockCovers(l, request.siteId, request.shift.date),
    );
    if (lock) {
      const message = `Site ${request.siteId} schedule is locked by ${lock.operation}`;
      return { ...sent, httpStatus: 423, kind: 'locked', lock, message };
    }
    const conflict = (message: string, conflictingRequestId: string | null = null): BidActionOutcome => ({
      ...sent,
      httpStatus: 409,
      kind: 'conflict',
      currentStatus: request.status,
      conflictingRequestId,
      message,
      vendorBody: { error: 'conflict', message, currentStatus: request.status, conflictingRequestId },
    });
    if (request.status !== 'PENDING')
      return conflict(`Bidding request ${request.requestId} is already ${request.status}`);
    if (this.inProgress.has(request.requestId))
      return conflict(`Bidding request ${request.requestId} has an action in progress`);
    if (command.action === 'APPROVE') {
      const rival = [...this.requests.values()].find(
        (r) =>
          r.requestId !== request.requestId &&
          r.shift.id === request.shift.id &&
          r.shift.date === request.shift.date &&
          (r.status === 'APPROVED' || this.inProgress.get(r.requestId)?.action === 'APPROVE'),
      );
      if (rival)
        return conflict(
          `Shift ${request.shift.id} was already awarded to ${rival.requestId}`,
          rival.requestId,
        );
    }
    this.applied.push({
      requestId: request.requestId,
      action: command.action,
      idempotencyKey,
      cxoneRequestId,
    });
    const by = command.metadata.approved_by;
    let outcome: BidActionOutcome;
    if (this.asyncActions) {
      this.inProgress.set(request.requestId, {
        action: command.action,
        reason: command.reason,
        by,
        acceptedAt: this.clock.now(),
      });
      this.requests.set(request.requestId, {
        ...request,
        actionInProgress: { action: command.action, acceptedAt: this.now() },
      });
      outcome = { ...sent, httpStatus: 202, kind: 'accepted', status: 'PENDING', replayed: false };
    } else {
      const status = this.apply(request, command.action, command.reason, by);
      outcome = { ...sent, httpStatus: 200, kind: 'final', status, replayed: false, processedAt: this.now() };
    }
    this.keys.set(idempotencyKey, { fingerprint, outcome });
    return outcome;
  }
}
