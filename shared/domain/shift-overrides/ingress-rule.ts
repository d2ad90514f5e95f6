/**
 * Spec 001 section 1 (the trap): only approved time-off of a type in the override scope creates overrides.
 * `timeoff.request.created` is a request still pending manager approval; acting on it would remove an agent
 * from a shift a manager may later reject. An `approved` event whose status is not APPROVED (PENDING,
 * DENIED, ...) or whose requestType is outside the scope is ignored too. Cancellations are acted on so the
 * workflow can roll back what an approval created (a cancellation with nothing to roll back is a no-op).
 */
import type { TimeOffEvent } from '../../contracts/genesys-timeoff.schema';
import type { IngressDecision, IngressRule } from '../ingress/rules';

const ACT: IngressDecision = Object.freeze({ act: true });

export const timeOffIngressRule: IngressRule<TimeOffEvent> = {
  summary: 'acts on approved time-off in the override scope and on cancellations',
  ignoredEventTypes: {
    'timeoff.request.created':
      'a new request is still pending manager approval; only timeoff.request.approved creates overrides (spec 001 section 1)',
  },
  decide(event, settings) {
    if (event.eventType === 'timeoff.request.cancelled') return ACT;
    if (event.data.status !== 'APPROVED')
      return { act: false, reason: `status ${event.data.status} is not APPROVED` };
    if (!settings.timeOffOverrideScope.includes(event.data.requestType))
      return { act: false, reason: `requestType ${event.data.requestType} is outside the override scope` };
    return ACT;
  },
};
