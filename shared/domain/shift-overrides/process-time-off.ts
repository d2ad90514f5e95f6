/**
 * Spec 001 end to end for one time-off event: an approval becomes exact REMOVE overrides, a cancellation
 * deletes them. Exactly-once effects on at-least-once delivery come from four things together:
 * event-time admission (stale events change nothing; a cancellation leaves a tombstone), a lease lock per
 * request and user, the per-shift lifecycle record, and — for the crash between the vendor's 201 and the
 * state write — looking for the override by its idempotency key before posting again.
 */
import { PermanentFailure, RetryableFailure } from '../../errors';
import type { AuditLog, DomainEventPublisher, LockManager } from '../../ports/platform';
import type { Clock } from '../../ports/clock';
import { isValidTimeZone, widenedQueryWindow } from '../time/local-days';
import { planOverride, planOverrides, sameWindow, type PlannedOverride } from './intersection';
import {
  OverrideConflict,
  OverrideRejected,
  type GenesysOverride,
  type GenesysScheduling,
  type OverrideRecord,
  type OverrideState,
  type OverrideStateStore,
} from './ports';

export interface TimeOffEventInput {
  readonly eventType: 'timeoff.request.approved' | 'timeoff.request.cancelled';
  readonly timestamp: string;
  readonly data: {
    readonly requestId: string;
    readonly userId: string;
    readonly requestType: string;
    readonly startTime: string;
    readonly endTime: string;
    readonly status: string;
  };
}

export interface ShiftOverridesDeps {
  readonly genesys: GenesysScheduling;
  readonly store: OverrideStateStore;
  readonly locks: LockManager;
  readonly audit: AuditLog;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
  readonly settings: {
    reasonCodeByRequestType: Readonly<Record<string, string>>;
    fullShiftThreshold: number;
  };
  readonly lockTtlSeconds?: number;
  readonly maxConflictRetries?: number;
}

export type Outcome =
  | { kind: 'stale' }
  | { kind: 'applied'; created: number; alreadyPresent: number }
  | { kind: 'rolled-back'; deleted: number };

const WORKFLOW = 'shift-overrides';
export const idempotencyKeyOf = (requestId: string, shiftId: string) =>
  `wfm:override:${requestId}:${shiftId}`;

export async function processTimeOffEvent(
  event: TimeOffEventInput,
  deps: ShiftOverridesDeps,
): Promise<Outcome> {
  const { requestId, userId } = event.data;
  const lease = await deps.locks.tryAcquire(`timeoff#${requestId}#${userId}`, deps.lockTtlSeconds ?? 30);
  if (!lease)
    throw new RetryableFailure('LOCK_HELD', `Request ${requestId} is being processed by another worker`);
  try {
    if (!(await deps.store.admitEvent(requestId, event.eventType, event.timestamp, userId)))
      return { kind: 'stale' };
    return event.eventType === 'timeoff.request.cancelled'
      ? await rollBack(event, deps)
      : await apply(event, deps);
  } catch (err) {
    // A 4xx on a read (an unknown user, say) fails the same way on every delivery.
    if (err instanceof OverrideRejected) throw new PermanentFailure('VENDOR_REJECTED', err.message);
    throw err;
  } finally {
    await lease.release();
  }
}

async function apply(event: TimeOffEventInput, deps: ShiftOverridesDeps): Promise<Outcome> {
  const { requestId, userId, requestType } = event.data;
  const reasonCodeId = deps.settings.reasonCodeByRequestType[requestType];
  if (!reasonCodeId) {
    throw new PermanentFailure(
      'REASON_CODE_UNMAPPED',
      `No reason code is configured for requestType ${requestType}`,
    );
  }
  if (!(await deps.genesys.reasonCodeIds()).has(reasonCodeId)) {
    throw new PermanentFailure(
      'REASON_CODE_UNKNOWN',
      `Genesys has no reason code ${reasonCodeId} (for ${requestType})`,
    );
  }
  const timeZone = await deps.genesys.userTimeZone(userId);
  if (!isValidTimeZone(timeZone)) {
    throw new PermanentFailure(
      'USER_TIMEZONE_INVALID',
      `User ${userId} has time zone "${timeZone}", not an IANA zone`,
    );
  }
  const window = widenedQueryWindow(
    Date.parse(event.data.startTime),
    Date.parse(event.data.endTime),
    timeZone,
  );
  const [shifts, existing, records] = await Promise.all([
    deps.genesys.shifts(userId, new Date(window.start).toISOString(), new Date(window.end).toISOString()),
    deps.genesys.overrides(userId),
    deps.store.records(requestId),
  ]);
  const plans = planOverrides(
    event.data,
    shifts.filter((s) => s.userId === userId),
    deps.settings.fullShiftThreshold,
  );

  let created = 0;
  let alreadyPresent = 0;
  const failures: string[] = [];
  for (const plan of plans) {
    const record = records.find((r) => r.shiftId === plan.shiftId);
    if (record?.state === 'RECONCILED') {
      alreadyPresent++;
      continue;
    }
    const result = await applyOne(event, plan, reasonCodeId, timeZone, record, existing, deps);
    if (result === 'created') created++;
    else if (result === 'present') alreadyPresent++;
    else if (result !== 'skipped') failures.push(result.failed);
  }
  if (failures.length) {
    throw new PermanentFailure(
      'VENDOR_REJECTED',
      `Genesys rejected ${failures.length} override(s): ${failures.join('; ')}`,
    );
  }
  return { kind: 'applied', created, alreadyPresent };
}

async function applyOne(
  event: TimeOffEventInput,
  initialPlan: PlannedOverride,
  reasonCodeId: string,
  timeZone: string,
  record: OverrideRecord | undefined,
  existingOverrides: GenesysOverride[],
  deps: ShiftOverridesDeps,
): Promise<'created' | 'present' | 'skipped' | { failed: string }> {
  const { requestId, userId } = event.data;
  const key = idempotencyKeyOf(requestId, initialPlan.shiftId);
  let plan = initialPlan;
  let existing = existingOverrides;
  let state: OverrideState | 'NONE' = record?.state ?? 'NONE';
  let retryCount = record?.retryCount ?? 0;

  const transition = async (next: OverrideState, extra: Partial<OverrideRecord> = {}) => {
    const at = new Date(deps.clock.now()).toISOString();
    const updated: OverrideRecord = {
      requestId,
      shiftId: plan.shiftId,
      userId,
      idempotencyKey: key,
      startTime: plan.startTime,
      endTime: plan.endTime,
      reasonCodeId,
      retryCount,
      ...extra,
      state: next,
      updatedAt: at,
    };
    await deps.store.save(updated, state);
    state = next;
    await deps.audit.append({
      workflow: WORKFLOW,
      subject: `override#${requestId}#${plan.shiftId}`,
      action: next,
      at,
      detail: {
        httpStatus: extra.httpStatus,
        retryCount,
        overrideId: extra.overrideId,
        startTime: plan.startTime,
        endTime: plan.endTime,
        reason: extra.reason,
      },
    });
  };
  const reconcile = async (found: GenesysOverride, httpStatus?: number) => {
    await transition('RECONCILED', {
      overrideId: found.id,
      httpStatus,
      startTime: found.startTime,
      endTime: found.endTime,
    });
    await deps.events.publish({
      type: 'override.applied',
      detail: appliedDetail(requestId, userId, found, plan.kind),
    });
  };
  const findExisting = () =>
    existing.find(
      (o) =>
        o.idempotencyKey === key ||
        (o.shiftId === plan.shiftId && o.reasonCodeId === reasonCodeId && sameWindow(o, plan)),
    );

  const already = findExisting();
  if (already) {
    await reconcile(already);
    return 'present';
  }
  if (state === 'NONE' || state === 'FAILED' || state === 'ROLLED_BACK') await transition('PENDING');

  for (;;) {
    try {
      const res = await deps.genesys.createOverride({
        overrideType: 'REMOVE',
        userId,
        shiftId: plan.shiftId,
        startTime: plan.startTime,
        endTime: plan.endTime,
        reasonCodeId,
        notes: `Auto-generated from Time-Off Request ${requestId}`,
        idempotencyKey: key,
      });
      retryCount += res.attempts - 1;
      await transition('SUBMITTED', { overrideId: res.override.id, httpStatus: res.status });
      if (!sameWindow(res.override, plan) || res.override.reasonCodeId !== reasonCodeId) {
        // The vendor holds a different override under our key (e.g. created before a conflict recompute).
        await transition('FAILED', {
          overrideId: res.override.id,
          httpStatus: res.status,
          reason: 'window differs from plan',
        });
        return {
          failed: `${plan.shiftId}: vendor override ${res.override.id} does not match the planned window`,
        };
      }
      await reconcile(res.override, res.status);
      return 'created';
    } catch (err) {
      if (err instanceof OverrideConflict) {
        retryCount++;
        if (retryCount > (deps.maxConflictRetries ?? 3)) {
          throw new PermanentFailure(
            'CONFLICT_UNRESOLVED',
            `Shift ${plan.shiftId} kept conflicting (409) after ${retryCount - 1} re-fetches`,
          );
        }
        // Spec 001 section 4: re-query the shift and the current overrides, recompute, then retry.
        const window = widenedQueryWindow(
          Date.parse(event.data.startTime),
          Date.parse(event.data.endTime),
          timeZone,
        );
        const [shifts, overrides] = await Promise.all([
          deps.genesys.shifts(
            userId,
            new Date(window.start).toISOString(),
            new Date(window.end).toISOString(),
          ),
          deps.genesys.overrides(userId),
        ]);
        existing = overrides;
        const shift = shifts.find((s) => s.id === plan.shiftId);
        const recomputed = shift && planOverride(event.data, shift, deps.settings.fullShiftThreshold);
        if (!recomputed) {
          await transition('FAILED', { httpStatus: 409, reason: 'shift no longer intersects the time-off' });
          await publishFailed(
            deps,
            requestId,
            userId,
            plan.shiftId,
            'shift no longer intersects the time-off',
          );
          return 'skipped';
        }
        plan = recomputed;
        const found = findExisting();
        if (found) {
          await reconcile(found, 409);
          return 'present';
        }
        continue;
      }
      if (err instanceof OverrideRejected) {
        await transition('FAILED', { httpStatus: err.status, reason: err.message });
        await publishFailed(deps, requestId, userId, plan.shiftId, err.message);
        return { failed: `${plan.shiftId}: ${err.message}` };
      }
      throw err;
    }
  }
}

async function rollBack(event: TimeOffEventInput, deps: ShiftOverridesDeps): Promise<Outcome> {
  const { requestId, userId } = event.data;
  const [records, overrides] = await Promise.all([
    deps.store.records(requestId),
    deps.genesys.overrides(userId),
  ]);
  const prefix = idempotencyKeyOf(requestId, '');
  // Ours by record, and ours by idempotency key (covers a crash before the record was written).
  const targets = new Map<string, { shiftId: string; record?: OverrideRecord }>();
  for (const r of records)
    if (r.overrideId && r.state !== 'ROLLED_BACK')
      targets.set(r.overrideId, { shiftId: r.shiftId, record: r });
  for (const o of overrides)
    if (o.idempotencyKey?.startsWith(prefix) && !targets.has(o.id)) targets.set(o.id, { shiftId: o.shiftId });

  let deleted = 0;
  for (const [overrideId, { shiftId, record }] of targets) {
    const { status } = await deps.genesys.deleteOverride(overrideId);
    if (status !== 404) deleted++;
    const at = new Date(deps.clock.now()).toISOString();
    if (record)
      await deps.store.save(
        { ...record, state: 'ROLLED_BACK', httpStatus: status, updatedAt: at },
        record.state,
      );
    await deps.audit.append({
      workflow: WORKFLOW,
      subject: `override#${requestId}#${shiftId}`,
      action: 'ROLLED_BACK',
      at,
      detail: { httpStatus: status, overrideId, retryCount: record?.retryCount ?? 0 },
    });
    await deps.events.publish({
      type: 'override.rolled_back',
      detail: { requestId, userId, shiftId, overrideId },
    });
  }
  return { kind: 'rolled-back', deleted };
}

function appliedDetail(requestId: string, userId: string, o: GenesysOverride, kind: PlannedOverride['kind']) {
  return {
    requestId,
    userId,
    shiftId: o.shiftId,
    overrideId: o.id,
    startTime: o.startTime,
    endTime: o.endTime,
    reasonCodeId: o.reasonCodeId,
    kind,
  };
}

async function publishFailed(
  deps: ShiftOverridesDeps,
  requestId: string,
  userId: string,
  shiftId: string,
  reason: string,
) {
  await deps.events.publish({ type: 'override.failed', detail: { requestId, userId, shiftId, reason } });
}
