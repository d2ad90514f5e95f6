/**
 * Spec 001 end to end for one time-off event: an approval becomes exact REMOVE overrides, a cancellation
 * deletes them. Exactly-once effects on at-least-once delivery come from four things together:
 * event-time admission (stale events change nothing; a cancellation leaves a tombstone), a lease lock per
 * request and user, the per-shift lifecycle record (override-lifecycle.ts), and — for the crash between the
 * vendor's 201 and the state write — looking for the override by its idempotency key before posting again
 * (apply-override.ts).
 */
import { PermanentFailure, ResourceNotFound, RetryableFailure } from '../../errors';
import { applyTimeOff } from './apply-time-off';
import { OverrideRejected, type OverrideStateStore } from './ports';
import { rollBackTimeOff } from './roll-back-time-off';
import { WORKFLOW, type Outcome, type ShiftOverridesDeps, type TimeOffEventInput } from './time-off';
import { LOCK_KEY } from '../../tables';

export { idempotencyKeyOf } from './time-off';
export type { Outcome, ShiftOverridesDeps, TimeOffEventInput } from './time-off';

export const DEFAULT_LOCK_TTL_SECONDS = 30;

export async function processTimeOffEvent(
  event: TimeOffEventInput,
  deps: ShiftOverridesDeps,
): Promise<Outcome> {
  const { requestId, userId } = event.data;
  const lease = await deps.locks.tryAcquire(
    `${LOCK_KEY.timeOff}${requestId}#${userId}`,
    deps.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS,
  );
  if (!lease)
    throw new RetryableFailure('LOCK_HELD', `Request ${requestId} is being processed by another worker`);
  // Every state write of this event is fenced by the lease: a worker that lost it can no longer write.
  const store: OverrideStateStore = {
    admitEvent: (id, type, time, user) => deps.store.admitEvent(id, type, time, user, lease),
    records: (id) => deps.store.records(id),
    save: (record, expected) => deps.store.save(record, expected, lease),
  };
  const fenced = { ...deps, store };
  try {
    if (!(await store.admitEvent(requestId, event.eventType, event.timestamp, userId)))
      return { kind: 'stale' };
    return event.eventType === 'timeoff.request.cancelled'
      ? await rollBackTimeOff(event.data, fenced)
      : await applyTimeOff(event.data, fenced);
  } catch (err) {
    // Spec 000: a 404 on a read (the user, their shifts or overrides) means it does not exist: log and skip.
    if (err instanceof ResourceNotFound) {
      await deps.audit.append({
        workflow: WORKFLOW,
        subject: `${LOCK_KEY.timeOff}${requestId}`,
        action: 'SKIPPED_NOT_FOUND',
        at: new Date(deps.clock.now()).toISOString(),
        detail: { eventType: event.eventType, resource: err.resource, reason: err.message },
      });
      return { kind: 'skipped', reason: err.message };
    }
    // Any other 4xx on a read fails the same way on every delivery.
    if (err instanceof OverrideRejected) throw new PermanentFailure('VENDOR_REJECTED', err.message);
    throw err;
  } finally {
    await lease.release();
  }
}
