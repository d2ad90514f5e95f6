/** Hand-built schedules for the shift-bid checks: shifts given as site-local times, placed through the zone. */
import { LOCAL_RULE_DOCUMENT } from '../../../shared/domain/shift-bids/default-rules';
import { parseRuleDocument, type RuleDocument } from '../../../shared/domain/shift-bids/rules.schema';
import type { StaffedShift } from '../../../shared/domain/shift-bids/checks/coverage';
import { shiftWindow } from '../../../shared/domain/shift-bids/shift-window';

export function rules(overrides: Partial<Record<keyof RuleDocument, unknown>> = {}): RuleDocument {
  const parsed = parseRuleDocument({ ...LOCAL_RULE_DOCUMENT, ...overrides });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.document;
}

export function staffed(
  shiftId: string,
  agentId: string | null,
  queueId: string | null,
  date: string,
  startTime: string,
  endTime: string,
  timeZone: string,
): StaffedShift {
  const { start, end } = shiftWindow({ date, startTime, endTime }, timeZone);
  return { shiftId, agentId, queueId, date, start, end };
}

/** `count` agents (a1, a2, ...) on the same shift of a queue. */
export function crew(
  count: number,
  queueId: string,
  date: string,
  startTime: string,
  endTime: string,
  timeZone: string,
  prefix = 'a',
): StaffedShift[] {
  return Array.from({ length: count }, (_, i) =>
    staffed(
      `${prefix}${i + 1}-${queueId}-${date}`,
      `${prefix}${i + 1}`,
      queueId,
      date,
      startTime,
      endTime,
      timeZone,
    ),
  );
}
