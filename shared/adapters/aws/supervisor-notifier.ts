/**
 * Supervisor notifications as events on the bus (`bid.supervisor_notification`): an EventBridge rule routes
 * them to the contact center's channel (a CXone in-app alert, email, chat), and locally they are read from
 * the bus fake (`/_local/events`). The notification carries no agent name or contact detail (see
 * SupervisorNotification).
 */
import type { SupervisorNotification, SupervisorNotifier } from '../../domain/shift-bids/workflow';
import type { DomainEventPublisher } from '../../ports/platform';

export const SUPERVISOR_NOTIFICATION = 'bid.supervisor_notification';

export class EventBusSupervisorNotifier implements SupervisorNotifier {
  readonly channel = `eventbridge:${SUPERVISOR_NOTIFICATION}`;
  constructor(private readonly events: DomainEventPublisher) {}

  async notify(notification: SupervisorNotification): Promise<void> {
    await this.events.publish({ type: SUPERVISOR_NOTIFICATION, detail: { ...notification } });
  }
}
