/**
 * Spec 003 section 2: the rule engine over fresh data. Everything a check needs is read from CXone through the
 * port (never from the event, which is the request's state, not the schedule's), in parallel; the four checks
 * then run each on its own, so a read that failed makes only the checks that needed it ERROR (escalate).
 */
import { addDays } from '../time/local-days';
import type { BidRecord } from './bid-state';
import { checkApprovalHistory } from './checks/approval-history';
import { runCheck, type CheckResult } from './checks/check-result';
import { checkCoverage, type StaffedShift } from './checks/coverage';
import { checkDoubleBooking, type Booking } from './checks/double-booking';
import { checkSkillMatch } from './checks/skill-match';
import { decide, type BidDecision } from './decide';
import { rejectionsAmong, type CxoneBiddingRequest, type CxoneShift } from './ports';
import type { RuleDocument } from './rules.schema';
import { isoInstant, shiftWindow } from './shift-window';
import type { ShiftBidsDeps } from './workflow';

const DAY_MS = 86_400_000;

export interface Validation {
  readonly decision: BidDecision;
  readonly rules: RuleDocument;
  readonly decidedAt: string;
}

function valueOf<T>(read: PromiseSettledResult<T>, what: string): T {
  if (read.status === 'fulfilled') return read.value;
  const cause = read.reason instanceof Error ? read.reason.message : String(read.reason);
  throw new Error(`could not read ${what}: ${cause}`);
}

export async function validateBid(
  record: BidRecord,
  deps: Pick<ShiftBidsDeps, 'cxone' | 'rules' | 'clock' | 'settings'>,
): Promise<Validation> {
  const { document: rules, version } = await deps.rules.current();
  const now = deps.clock.now();
  const { siteId, agentId, requestedDate, cxoneRequestId: requestId } = record;
  // The day before holds the overnight shifts that reach into the requested date; the day after, the shifts a
  // requested overnight shift reaches into.
  // One read of the agent's requests changed within the approval-history window serves two checks: its
  // rejections, and its approved bids (read fresh, so one approved moments ago counts for double booking). An
  // approval older than the window is in the published schedule, which is never more than
  // `scheduleCache.maxAgeSeconds` (at most 120 s) old.
  const historySince = isoInstant(now - rules.approvalHistory.windowDays * DAY_MS);
  const reads = await Promise.allSettled([
    deps.cxone.shifts({ siteId, dateFrom: addDays(requestedDate, -1), dateTo: addDays(requestedDate, 1) }),
    deps.cxone.agent(agentId),
    deps.cxone.biddingRequests({ agentId, updatedFrom: historySince }),
  ]);
  const shifts = () => valueOf(reads[0], 'the published schedule');
  const agent = () => valueOf(reads[1], 'the agent profile');
  const requests = () => valueOf(reads[2], "the agent's bidding requests");
  const rejections = () => rejectionsAmong(requests(), historySince);
  const approved = () => requests().filter((r) => r.status === 'APPROVED');

  const zone = () => {
    const timeZone = deps.settings.siteTimeZones[siteId];
    if (!timeZone) throw new Error(`no time zone is configured for site ${siteId}`);
    return timeZone;
  };
  const requestedShift = (): CxoneShift => {
    const found = shifts().find((s) => s.id === record.shiftId && s.date === requestedDate);
    if (!found)
      throw new Error(`shift ${record.shiftId} is not in the published schedule of ${requestedDate}`);
    return found;
  };
  const requestedWindow = () =>
    shiftWindow({ date: requestedDate, startTime: record.startTime, endTime: record.endTime }, zone());
  const effect = rules.coverage.bidTypeEffects[record.bidType];
  /** A moving bid (a swap) gives up what the agent holds that day. */
  const released = () =>
    effect === 'moves'
      ? shifts()
          .filter((s) => s.agentId === agentId && s.date === requestedDate && s.id !== record.shiftId)
          .map((s) => s.id)
      : [];

  const results: CheckResult[] = [
    runCheck('double_booking', () => {
      const window = requestedWindow();
      const published: Booking[] = shifts()
        .filter((s) => s.agentId === agentId)
        .map((s) => ({ kind: 'published_shift', id: s.id, shiftId: s.id, ...shiftWindow(s, zone()) }));
      const bids: Booking[] = approved()
        .filter((r) => nearDate(r, requestedDate))
        .map((r) => ({
          kind: 'approved_bid',
          id: r.requestId,
          shiftId: r.shift.id,
          ...shiftWindow(r.shift, zone()),
        }));
      return checkDoubleBooking({
        requestId,
        shiftId: record.shiftId,
        window,
        bookings: [...published, ...bids],
        releasing: released(),
      });
    }),
    runCheck('coverage_check', () => {
      const schedule: StaffedShift[] = shifts().map((s) => ({
        shiftId: s.id,
        agentId: s.agentId,
        queueId: s.queueId,
        date: s.date,
        ...shiftWindow(s, zone()),
      }));
      return checkCoverage({
        bid: {
          agentId,
          bidType: record.bidType,
          shiftId: record.shiftId,
          requestedDate,
          queueId: requestedShift().queueId,
          window: requestedWindow(),
        },
        schedule,
        rules,
      });
    }),
    runCheck('approval_history', () =>
      checkApprovalHistory({ requestId, decidedAt: now, rejections: rejections(), rules }),
    ),
    runCheck('skill_match', () => {
      const profile = agent();
      if (!profile) throw new Error(`CXone does not know agent ${agentId}`);
      const shift = requestedShift();
      return checkSkillMatch({
        agent: profile,
        requiredSkills: shift.requiredSkills,
        queueId: shift.queueId,
        rules,
      });
    }),
  ];
  return { decision: decide(results, version), rules, decidedAt: isoInstant(now) };
}

/** An approved bid whose shift is within a day of the requested date (one that could overlap it). */
function nearDate(request: CxoneBiddingRequest, date: string): boolean {
  return request.shift.date >= addDays(date, -1) && request.shift.date <= addDays(date, 1);
}
