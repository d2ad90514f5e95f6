import type { EventIntake, IntakeRecord } from '../../ports/event-intake';

/** The event intake in memory: the first record per workflow and event id wins. */
export class FakeEventIntake implements EventIntake {
  readonly records = new Map<string, IntakeRecord>();

  async recordOnce(record: IntakeRecord): Promise<boolean> {
    const key = `${record.workflow}#${record.eventId}`;
    if (this.records.has(key)) return false;
    this.records.set(key, record);
    return true;
  }
}
