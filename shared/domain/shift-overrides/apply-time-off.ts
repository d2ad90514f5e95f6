/**
 * An approved time-off becomes one REMOVE override per intersecting shift. Configuration the vendor cannot
 * honour (an unmapped or unknown reason code, a user without a valid zone) fails the event permanently
 * before anything is written.
 */
import { PermanentFailure } from '../../errors';
import { isValidTimeZone } from '../time/local-days';
import { applyOverride, type ApprovedTimeOff } from './apply-override';
import { planOverrides } from './intersection';
import { shiftsAroundTimeOff } from './shift-window';
import type { Outcome, ShiftOverridesDeps, TimeOffRequest } from './time-off';

export async function applyTimeOff(request: TimeOffRequest, deps: ShiftOverridesDeps): Promise<Outcome> {
  const timeOff = await resolveTimeOff(request, deps);
  const [shifts, overrides, records] = await Promise.all([
    shiftsAroundTimeOff(deps.genesys, request, timeOff.timeZone),
    deps.genesys.overrides(request.userId),
    deps.store.records(request.requestId),
  ]);
  const plans = planOverrides(request, shifts, deps.settings.fullShiftThreshold);

  let created = 0;
  let alreadyPresent = 0;
  const failures: string[] = [];
  for (const plan of plans) {
    const record = records.find((r) => r.shiftId === plan.shiftId);
    // A RECONCILED record is trusted only while Genesys still holds its override: a cancellation whose delete
    // landed but whose answer was lost leaves the record RECONCILED and the override gone.
    if (record?.state === 'RECONCILED' && overrides.some((o) => o.id === record.overrideId)) {
      alreadyPresent++;
      continue;
    }
    const result = await applyOverride(timeOff, plan, record, overrides, deps);
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

/** The reason code and the user's zone the overrides need, checked against Genesys. */
async function resolveTimeOff(request: TimeOffRequest, deps: ShiftOverridesDeps): Promise<ApprovedTimeOff> {
  const { userId, requestType } = request;
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
  return { request, reasonCodeId, timeZone };
}
