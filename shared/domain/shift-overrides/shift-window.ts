/**
 * The one way the workflow reads a user's shifts for a time-off: over every local day the time-off touches in
 * the user's zone, widened so a shift that starts the evening before (or ends the morning after) is seen.
 */
import { widenedQueryWindow } from '../time/local-days';
import type { GenesysScheduling, GenesysShift } from './ports';
import type { TimeOffRequest } from './time-off';

export async function shiftsAroundTimeOff(
  genesys: GenesysScheduling,
  timeOff: Pick<TimeOffRequest, 'userId' | 'startTime' | 'endTime'>,
  timeZone: string,
): Promise<GenesysShift[]> {
  const window = widenedQueryWindow(Date.parse(timeOff.startTime), Date.parse(timeOff.endTime), timeZone);
  const shifts = await genesys.shifts(
    timeOff.userId,
    new Date(window.start).toISOString(),
    new Date(window.end).toISOString(),
  );
  return shifts.filter((s) => s.userId === timeOff.userId);
}
