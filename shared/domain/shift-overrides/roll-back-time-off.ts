/**
 * A cancelled time-off deletes every override it created: those our records name, and those the vendor holds
 * under our idempotency key (a crash between the vendor's 201 and our record leaves only the latter).
 */
import { recordRollBack } from './override-lifecycle';
import type { OverrideRecord } from './ports';
import { idempotencyKeyOf, type Outcome, type ShiftOverridesDeps, type TimeOffRequest } from './time-off';

export async function rollBackTimeOff(request: TimeOffRequest, deps: ShiftOverridesDeps): Promise<Outcome> {
  const { requestId, userId } = request;
  const [records, overrides] = await Promise.all([
    deps.store.records(requestId),
    deps.genesys.overrides(userId),
  ]);
  const ourKeyPrefix = idempotencyKeyOf(requestId, '');
  const targets = new Map<string, { shiftId: string; record?: OverrideRecord }>();
  for (const r of records)
    if (r.overrideId && r.state !== 'ROLLED_BACK')
      targets.set(r.overrideId, { shiftId: r.shiftId, record: r });
  for (const o of overrides)
    if (o.idempotencyKey?.startsWith(ourKeyPrefix) && !targets.has(o.id))
      targets.set(o.id, { shiftId: o.shiftId });

  let deleted = 0;
  for (const [overrideId, { shiftId, record }] of targets) {
    const { status } = await deps.genesys.deleteOverride(overrideId);
    if (status !== 404) deleted++;
    await recordRollBack(deps, { requestId, userId, shiftId, overrideId, httpStatus: status, record });
  }
  return { kind: 'rolled-back', deleted };
}
