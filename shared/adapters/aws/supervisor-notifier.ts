/**
 * Supervisor notifications as events on the bus (`bid.supervisor_notification`). On AWS a bus rule delivers them
 * to the supervisor SNS topic (KMS-encrypted; the stage's `supervisorNotifications.emails` subscribe to it), and
 * the on-call rule copies them to the diagnostics log group. Locally they are read from the bus fake
 * (`/_local/events`). The notification carries no agent name or contact detail (see SupervisorNotification).
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
