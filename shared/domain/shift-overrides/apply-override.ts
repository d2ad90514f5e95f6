/**
 * Creates one planned override at Genesys, exactly once: an override the vendor already holds (by our
 * idempotency key, or the same shift, reason and window) is reconciled instead of posted again; a 409 is
 * resolved by re-reading and recomputing; a 400 fails this shift only.
 */
import { OverrideLifecycle } from './override-lifecycle';
import { resolveConflict } from './conflict-resolution';
import { sameWindow, type PlannedOverride } from './intersection';
import { OverrideConflict, OverrideRejected, type GenesysOverride, type OverrideRecord } from './ports';
import type { ShiftOverridesDeps, TimeOffRequest } from './time-off';

export interface ApprovedTimeOff {
  readonly request: TimeOffRequest;
  readonly reasonCodeId: string;
  /** The user's IANA zone, in which the shifts around the time-off are read. */
  readonly timeZone: string;
}

export type OverrideResult =
  | 'created'
  | 'present'
  /** The shift no longer intersects the time-off (found after a 409). */
  | 'skipped'
  | { readonly failed: string };

export async function applyOverride(
  timeOff: ApprovedTimeOff,
  plan: PlannedOverride,
  record: OverrideRecord | undefined,
  knownOverrides: GenesysOverride[],
  deps: ShiftOverridesDeps,
): Promise<OverrideResult> {
  const { request, reasonCodeId } = timeOff;
  const lifecycle = new OverrideLifecycle(
    deps,
    { requestId: request.requestId, userId: request.userId, reasonCodeId },
    plan,
    record,
  );
  let overrides = knownOverrides;
  const alreadyAtVendor = () =>
    overrides.find(
      (o) =>
        o.idempotencyKey === lifecycle.idempotencyKey ||
        (o.shiftId === lifecycle.plan.shiftId &&
          o.reasonCodeId === reasonCodeId &&
          sameWindow(o, lifecycle.plan)),
    );

  const present = alreadyAtVendor();
  if (present) {
    await lifecycle.reconciled(present);
    return 'present';
  }
  await lifecycle.begin();

  for (;;) {
    try {
      return await createAndCheck(lifecycle, timeOff, deps);
    } catch (err) {
      if (err instanceof OverrideConflict) {
        lifecycle.countRetries(1);
        const resolution = await resolveConflict(
          deps,
          request,
          timeOff.timeZone,
          lifecycle.plan.shiftId,
          lifecycle.retryCount,
        );
        if (resolution.kind === 'no-longer-intersects') {
          const reason = 'shift no longer intersects the time-off';
          await lifecycle.failed({ httpStatus: 409, reason }, { announce: true });
          return 'skipped';
        }
        overrides = resolution.overrides;
        lifecycle.replan(resolution.plan);
        const found = alreadyAtVendor();
        if (found) {
          await lifecycle.reconciled(found, 409);
          return 'present';
        }
        continue;
      }
      if (err instanceof OverrideRejected) {
        await lifecycle.failed({ httpStatus: err.status, reason: err.message }, { announce: true });
        return { failed: `${lifecycle.plan.shiftId}: ${err.message}` };
      }
      throw err;
    }
  }
}

/** Posts the override and checks that what the vendor holds under our key is what we planned. */
async function createAndCheck(
  lifecycle: OverrideLifecycle,
  { request, reasonCodeId }: ApprovedTimeOff,
  deps: ShiftOverridesDeps,
): Promise<OverrideResult> {
  const plan = lifecycle.plan;
  const res = await deps.genesys.createOverride({
    overrideType: 'REMOVE',
    userId: request.userId,
    shiftId: plan.shiftId,
    startTime: plan.startTime,
    endTime: plan.endTime,
    reasonCodeId,
    notes: `Auto-generated from Time-Off Request ${request.requestId}`,
    idempotencyKey: lifecycle.idempotencyKey,
  });
  lifecycle.countRetries(res.attempts - 1);
  await lifecycle.submitted(res.override, res.status);
  if (!sameWindow(res.override, plan) || res.override.reasonCodeId !== reasonCodeId) {
    // The vendor holds a different override under our key (e.g. created before a conflict recompute).
    await lifecycle.failed(
      { overrideId: res.override.id, httpStatus: res.status, reason: 'window differs from plan' },
      { announce: false },
    );
    return {
      failed: `${plan.shiftId}: vendor override ${res.override.id} does not match the planned window`,
    };
  }
  await lifecycle.reconciled(res.override, res.status);
  return 'created';
}
