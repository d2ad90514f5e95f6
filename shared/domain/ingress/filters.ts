/**
 * Which valid events a workflow acts on. Spec 001 section 1 (the trap): only approved time-off of a type in
 * the override scope creates overrides; a pending, rejected or out-of-scope request must not. Cancellations
 * are accepted so the workflow can roll back what an approval created.
 */
import type { WorkflowName } from '../../topology';

export type FilterDecision = { act: true } | { act: false; reason: string };

export interface FilterSettings {
  readonly timeOffOverrideScope: readonly string[];
}

interface TimeOffLike {
  eventType: string;
  data: { status: string; requestType: string };
}

export function shouldAct(workflow: WorkflowName, event: unknown, settings: FilterSettings): FilterDecision {
  if (workflow !== 'shift-overrides') return { act: true };
  const { eventType, data } = event as TimeOffLike;
  if (eventType === 'timeoff.request.cancelled') return { act: true };
  if (data.status !== 'APPROVED') return { act: false, reason: `status ${data.status} is not APPROVED` };
  if (!settings.timeOffOverrideScope.includes(data.requestType)) {
    return { act: false, reason: `requestType ${data.requestType} is outside the override scope` };
  }
  return { act: true };
}
