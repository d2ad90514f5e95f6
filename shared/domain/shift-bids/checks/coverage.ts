/**
 * Spec 003 section 2, coverage threshold: approving the bid must not take a queue below its minimum staffing
 * in any coverage interval. Only intervals the bid lowers are judged: a queue already short is not the bid's
 * doing, and a bid that only adds an agent (an open shift) never lowers anything. A bid that moves the agent
 * (issue 11's `swap`) lowers every interval of the shift they leave, so those are judged as well as the
 * shift they join.
 *
 * Headcount in an interval is its lowest point: the fewest distinct agents of the queue on shift at any
 * moment of it, so an agent leaving mid-interval counts as gone for the whole interval.
 */
import { isoInstant, overlaps, type ShiftWindow } from '../shift-window';
import { queueMinimum, type QueueMinimum, type RuleDocument } from '../rules.schema';
import type { CheckOutcome, CheckResult } from './check-result';

const MINUTE_MS = 60_000;

/** A shift of the site's schedule (published shifts, with approved bids applied), on absolute instants. */
export interface StaffedShift extends ShiftWindow {
  readonly shiftId: string;
  /** null: an open shift nobody holds yet (it staffs nothing). */
  readonly agentId: string | null;
  readonly queueId: string | null;
  /** The site-local date the shift belongs to (CXone's `date`). */
  readonly date: string;
}

/** A block of the staffing forecast: agents required in a queue; needed for percentage minimums. */
export interface RequiredHeadcount extends ShiftWindow {
  readonly queueId: string;
  readonly agents: number;
}

export interface CoverageInput {
  readonly bid: {
    readonly agentId: string;
    readonly bidType: string;
    readonly shiftId: string;
    readonly requestedDate: string;
    readonly queueId: string | null;
    readonly window: ShiftWindow;
  };
  /** The site's schedule before the bid, covering every window checked (the requested date and the day before). */
  readonly schedule: readonly StaffedShift[];
  readonly required?: readonly RequiredHeadcount[];
  readonly rules: RuleDocument;
}

export interface IntervalCoverage {
  readonly queueId: string;
  readonly start: string;
  readonly end: string;
  readonly before: number;
  readonly after: number;
  /** Required headcount, for a percentage minimum. */
  readonly required?: number;
  /** What is compared with the minimum: `after`, or `after` as a percentage of `required`. */
  readonly level?: number;
  readonly verdict: CheckOutcome;
  readonly note?: string;
}

/** Distinct agents of a queue on shift at every moment of `interval`, taking the lowest. */
export function headcount(schedule: readonly StaffedShift[], queueId: string, interval: ShiftWindow): number {
  const inQueue = schedule.filter(
    (s) => s.agentId !== null && s.queueId === queueId && overlaps(s, interval),
  );
  const cuts = new Set([interval.start]);
  for (const s of inQueue) {
    if (s.start > interval.start && s.start < interval.end) cuts.add(s.start);
    if (s.end > interval.start && s.end < interval.end) cuts.add(s.end);
  }
  let lowest = Number.POSITIVE_INFINITY;
  for (const moment of cuts) {
    const agents = new Set(inQueue.filter((s) => s.start <= moment && moment < s.end).map((s) => s.agentId));
    lowest = Math.min(lowest, agents.size);
  }
  return lowest;
}

/** The window cut into intervals of the rule document's length, from its start; the last one may be short. */
export function coverageIntervals(window: ShiftWindow, intervalMinutes: number): ShiftWindow[] {
  const step = intervalMinutes * MINUTE_MS;
  const intervals: ShiftWindow[] = [];
  for (let start = window.start; start < window.end; start += step) {
    intervals.push({ start, end: Math.min(start + step, window.end) });
  }
  return intervals;
}

export type BidEffect = 'moves' | 'adds';

/** The shifts a moving bid leaves: what the agent holds on the requested date, other than the requested one. */
export function shiftsLeft(input: CoverageInput): StaffedShift[] {
  const { bid } = input;
  return input.schedule.filter(
    (s) => s.agentId === bid.agentId && s.date === bid.requestedDate && s.shiftId !== bid.shiftId,
  );
}

/** The schedule as it would be once the bid is approved: the agent on the requested shift, off what they leave. */
export function scheduleAfter(input: CoverageInput, effect: BidEffect): StaffedShift[] {
  const { bid } = input;
  const left = new Set(effect === 'moves' ? shiftsLeft(input).map((s) => s.shiftId) : []);
  const kept = input.schedule.filter((s) => !left.has(s.shiftId) && s.shiftId !== bid.shiftId);
  const requested = input.schedule.find((s) => s.shiftId === bid.shiftId);
  return [
    ...kept,
    {
      shiftId: bid.shiftId,
      agentId: bid.agentId,
      queueId: requested?.queueId ?? bid.queueId,
      date: bid.requestedDate,
      start: bid.window.start,
      end: bid.window.end,
    },
  ];
}

function judge(
  level: number,
  minimum: QueueMinimum,
): { verdict: CheckOutcome; minimum: number; autoApproveFrom: number } {
  const autoApproveFrom = minimum.minimum + minimum.greyBand;
  const verdict = level < minimum.minimum ? 'FAIL' : level < autoApproveFrom ? 'UNCERTAIN' : 'PASS';
  return { verdict, minimum: minimum.minimum, autoApproveFrom };
}

function requiredAt(
  required: readonly RequiredHeadcount[] | undefined,
  queueId: string,
  interval: ShiftWindow,
) {
  const blocks = (required ?? []).filter((r) => r.queueId === queueId && overlaps(r, interval));
  return blocks.length ? Math.max(...blocks.map((r) => r.agents)) : undefined;
}

function intervalCoverage(
  input: CoverageInput,
  after: readonly StaffedShift[],
  queueId: string,
  interval: ShiftWindow,
): IntervalCoverage {
  const base = {
    queueId,
    start: isoInstant(interval.start),
    end: isoInstant(interval.end),
    before: headcount(input.schedule, queueId, interval),
    after: headcount(after, queueId, interval),
  };
  if (base.after >= base.before) return { ...base, verdict: 'PASS' };
  const minimum = queueMinimum(input.rules, queueId);
  if (minimum.kind === 'headcount') {
    const { verdict } = judge(base.after, minimum);
    return { ...base, level: base.after, verdict };
  }
  const required = requiredAt(input.required, queueId, interval);
  if (required === undefined) {
    return { ...base, verdict: 'UNCERTAIN', note: 'no required headcount for a percentage minimum' };
  }
  if (required === 0) return { ...base, required, verdict: 'PASS', note: 'nobody required' };
  const percent = (base.after / required) * 100;
  // Judged exactly; shown to one decimal.
  return {
    ...base,
    required,
    level: Math.round(percent * 10) / 10,
    verdict: judge(percent, minimum).verdict,
  };
}

function describeInterval(i: IntervalCoverage, rules: RuleDocument): string {
  const minimum = queueMinimum(rules, i.queueId);
  const unit = minimum.kind === 'headcount' ? ' agents' : '%';
  const where = `${i.queueId} from ${i.start} to ${i.end}`;
  if (i.note) return `${where}: ${i.note}`;
  const limits = judge(i.level ?? i.after, minimum);
  return i.verdict === 'FAIL'
    ? `coverage of ${where} at ${i.level}${unit}, below the minimum of ${limits.minimum}${unit}`
    : `coverage threshold at ${i.level}${unit} for ${where}, below the ${limits.autoApproveFrom}${unit} auto-approval limit (minimum ${limits.minimum}${unit})`;
}

export function checkCoverage(input: CoverageInput): CheckResult {
  const { bid, rules } = input;
  const effect = rules.coverage.bidTypeEffects[bid.bidType];
  if (effect === undefined) {
    return {
      check: 'coverage_check',
      result: 'UNCERTAIN',
      evidence: { summary: `unknown bid type "${bid.bidType}": its effect on coverage is not configured` },
    };
  }
  const left = effect === 'moves' ? shiftsLeft(input) : [];
  const after = scheduleAfter(input, effect);
  const windows: { queueId: string | null; shiftId: string; window: ShiftWindow }[] = [
    ...left.map((s) => ({ queueId: s.queueId, shiftId: s.shiftId, window: s })),
    { queueId: after.at(-1)!.queueId, shiftId: bid.shiftId, window: bid.window },
  ];
  const intervals: IntervalCoverage[] = [];
  const unknownQueues: string[] = [];
  for (const w of windows) {
    if (w.queueId === null) {
      unknownQueues.push(w.shiftId);
      continue;
    }
    for (const interval of coverageIntervals(w.window, rules.coverage.intervalMinutes)) {
      intervals.push(intervalCoverage(input, after, w.queueId, interval));
    }
  }
  const failing = intervals.filter((i) => i.verdict === 'FAIL');
  const uncertain = intervals.filter((i) => i.verdict === 'UNCERTAIN');
  const details = { effect, shiftsLeft: left.map((s) => s.shiftId), intervals };
  if (failing.length > 0) {
    return {
      check: 'coverage_check',
      result: 'FAIL',
      evidence: { summary: describeInterval(failing[0]!, rules), ...details },
    };
  }
  // A shift without a queue staffs nothing we can see: leaving it is only a worry for a moving bid.
  const leftWithoutQueue = unknownQueues.filter((id) => id !== bid.shiftId);
  if (uncertain.length > 0 || leftWithoutQueue.length > 0) {
    const summary = uncertain.length
      ? describeInterval(uncertain[0]!, rules)
      : `the agent leaves shift ${leftWithoutQueue[0]}, which has no queue to check coverage on`;
    return { check: 'coverage_check', result: 'UNCERTAIN', evidence: { summary, ...details } };
  }
  return {
    check: 'coverage_check',
    result: 'PASS',
    evidence: { summary: 'coverage threshold met', ...details },
  };
}
