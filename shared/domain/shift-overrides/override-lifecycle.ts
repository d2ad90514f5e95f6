/**
 * One shift's override through its states (PENDING -> SUBMITTED -> RECONCILED, or FAILED; ROLLED_BACK on a
 * cancellation). Every transition is appended to the audit log, an outcome (applied, failed, rolled back) is
 * published as a domain event, and only then is the state saved, guarded by the state it leaves: the state
 * write is what tells a redelivery the work is done, so whatever must follow the work goes before it. A
 * crash (or a lost answer) between them repeats the audit entry and the event on redelivery; none is lost.
 * When the save finds the record moved by another writer, the audit trail says so right after the entry whose
 * move did not land (SUPERSEDED, with the state that holds), as shift-bids does.
 */
import {
  OverrideStateConflict,
  type GenesysOverride,
  type OverrideRecord,
  type OverrideState,
} from './ports';
import type { PlannedOverride } from './intersection';
import { WORKFLOW, idempotencyKeyOf, type ShiftOverridesDeps } from './time-off';

type LifecycleDeps = Pick<ShiftOverridesDeps, 'store' | 'audit' | 'events' | 'clock'>;

export interface OverrideOwner {
  readonly requestId: string;
  readonly userId: string;
  readonly reasonCodeId: string;
}

export class OverrideLifecycle {
  readonly idempotencyKey: string;
  private state: OverrideState | 'NONE';
  private retries: number;

  constructor(
    private readonly deps: LifecycleDeps,
    private readonly owner: OverrideOwner,
    private currentPlan: PlannedOverride,
    record: OverrideRecord | undefined,
  ) {
    this.idempotencyKey = idempotencyKeyOf(owner.requestId, currentPlan.shiftId);
    this.state = record?.state ?? 'NONE';
    this.retries = record?.retryCount ?? 0;
  }

  get plan(): PlannedOverride {
    return this.currentPlan;
  }

  /** Vendor retries and 409 re-fetches so far, across deliveries. */
  get retryCount(): number {
    return this.retries;
  }

  countRetries(retries: number): void {
    this.retries += retries;
  }

  /** The shift changed at the vendor: the override now targets the recomputed window. */
  replan(plan: PlannedOverride): void {
    this.currentPlan = plan;
  }

  /**
   * Starts (or restarts, after a failure, a roll-back, or the loss at the vendor of a reconciled override) the
   * attempt to create the override.
   */
  async begin(): Promise<void> {
    if (this.state !== 'PENDING' && this.state !== 'SUBMITTED') await this.transition('PENDING');
  }

  async submitted(override: GenesysOverride, httpStatus: number): Promise<void> {
    await this.transition('SUBMITTED', { overrideId: override.id, httpStatus });
  }

  /** The vendor holds the override we planned: record its id and window, and announce it. */
  async reconciled(found: GenesysOverride, httpStatus?: number): Promise<void> {
    await this.transition(
      'RECONCILED',
      { overrideId: found.id, httpStatus, startTime: found.startTime, endTime: found.endTime },
      async () =>
        this.deps.events.publish({
          type: 'override.applied',
          detail: {
            requestId: this.owner.requestId,
            userId: this.owner.userId,
            shiftId: found.shiftId,
            overrideId: found.id,
            startTime: found.startTime,
            endTime: found.endTime,
            reasonCodeId: found.reasonCodeId,
            kind: this.currentPlan.kind,
          },
        }),
    );
  }

  /** Records the failure; `announce` also publishes `override.failed`. */
  async failed(
    failure: { reason: string; httpStatus?: number; overrideId?: string },
    { announce }: { announce: boolean },
  ): Promise<void> {
    const shiftId = this.currentPlan.shiftId;
    await this.transition('FAILED', failure, async () => {
      if (announce) await publishFailed(this.deps, this.owner, shiftId, failure.reason);
    });
  }

  private async transition(
    next: OverrideState,
    extra: Partial<OverrideRecord> = {},
    announce?: () => Promise<void>,
  ): Promise<void> {
    const at = new Date(this.deps.clock.now()).toISOString();
    const plan = this.currentPlan;
    const updated: OverrideRecord = {
      requestId: this.owner.requestId,
      shiftId: plan.shiftId,
      userId: this.owner.userId,
      idempotencyKey: this.idempotencyKey,
      startTime: plan.startTime,
      endTime: plan.endTime,
      reasonCodeId: this.owner.reasonCodeId,
      retryCount: this.retries,
      ...extra,
      state: next,
      updatedAt: at,
    };
    const subject = `override#${this.owner.requestId}#${plan.shiftId}`;
    await this.deps.audit.append({
      workflow: WORKFLOW,
      subject,
      action: next,
      at,
      detail: {
        httpStatus: extra.httpStatus,
        retryCount: this.retries,
        overrideId: extra.overrideId,
        startTime: plan.startTime,
        endTime: plan.endTime,
        reason: extra.reason,
      },
    });
    await announce?.();
    await saveOrMarkSuperseded(this.deps, subject, updated, this.state);
    this.state = next;
  }
}

/** Saves the record's new state; if another writer moved it first, audits SUPERSEDED before failing. */
async function saveOrMarkSuperseded(
  deps: LifecycleDeps,
  subject: string,
  record: OverrideRecord,
  expected: OverrideState | 'NONE',
): Promise<void> {
  try {
    await deps.store.save(record, expected);
  } catch (err) {
    if (!(err instanceof OverrideStateConflict)) throw err;
    const current = (await deps.store.records(record.requestId)).find((r) => r.shiftId === record.shiftId);
    await deps.audit.append({
      workflow: WORKFLOW,
      subject,
      action: 'SUPERSEDED',
      at: new Date(deps.clock.now()).toISOString(),
      detail: { attempted: { from: expected, to: record.state }, final_outcome: current?.state ?? null },
    });
    throw err;
  }
}

/** A cancellation removed the override (or found it gone: 404): record, audit and announce it. */
export async function recordRollBack(
  deps: LifecycleDeps,
  rolledBack: {
    readonly requestId: string;
    readonly userId: string;
    readonly shiftId: string;
    readonly overrideId: string;
    readonly httpStatus: number;
    /** Absent when only the vendor knew the override (a crash before our record was written). */
    readonly record?: OverrideRecord;
  },
): Promise<void> {
  const { requestId, userId, shiftId, overrideId, httpStatus, record } = rolledBack;
  const at = new Date(deps.clock.now()).toISOString();
  const subject = `override#${requestId}#${shiftId}`;
  await deps.audit.append({
    workflow: WORKFLOW,
    subject,
    action: 'ROLLED_BACK',
    at,
    detail: { httpStatus, overrideId, retryCount: record?.retryCount ?? 0 },
  });
  await deps.events.publish({
    type: 'override.rolled_back',
    detail: { requestId, userId, shiftId, overrideId },
  });
  // Last, as in a transition: a redelivery after a lost answer finds the record still to roll back.
  if (record)
    await saveOrMarkSuperseded(
      deps,
      subject,
      { ...record, state: 'ROLLED_BACK', httpStatus, updatedAt: at },
      record.state,
    );
}

async function publishFailed(
  deps: LifecycleDeps,
  owner: OverrideOwner,
  shiftId: string,
  reason: string,
): Promise<void> {
  await deps.events.publish({
    type: 'override.failed',
    detail: { requestId: owner.requestId, userId: owner.userId, shiftId, reason },
  });
}
