/**
 * Supervisor notifications as events on the bus (`bid.supervisor_notification`). On AWS the bus's on-call rule
 * delivers them to the diagnostics log group (shared/topology.ts DOMAIN_EVENTS); a rule target for the contact
 * center's own channel (a CXone in-app alert, email, chat) is not built yet. Locally they are read from the bus
 * fake (`/_local/events`). The notification carries no agent name or contact detail (see SupervisorNotification).
 */
import type { SupervisorNotification, SupervisorNotifier } from '../../domain/shift-bids/workflow';
import type { DomainEventPublisher } from '../../ports/platform';

export const SUPERVISOR_NOTIFICATION = 'bid.supervisor_notification';

export class EventBusSupervisorNotifier implements SupervisorNotifier {
  readonly channel = `eventbridge:${SUPERVISOR_NOTIFICATION}`;
  constructor(private readonly events: DomainEventPublisher) {}

  async notify(notification: SupervisorNotification): Promise<void> {
    await this.events.publish({ type: 'bid.supervisor_notification', detail: { ...notification } });
  }
}
