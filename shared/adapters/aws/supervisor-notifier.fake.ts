/** In-memory supervisor notifier: the notifications sent, in order. */
import type { SupervisorNotification, SupervisorNotifier } from '../../domain/shift-bids/workflow';

export class InMemorySupervisorNotifier implements SupervisorNotifier {
  readonly channel = 'in-memory';
  readonly notifications: SupervisorNotification[] = [];
  async notify(notification: SupervisorNotification): Promise<void> {
    this.notifications.push(notification);
  }
}
