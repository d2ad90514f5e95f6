/** Phase one of spec 003's two-phase processing, usable by any workflow: a vendor event recorded once. */
export interface IntakeRecord {
  readonly workflow: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: string;
  readonly receivedAt: string;
  readonly summary: Readonly<Record<string, unknown>>;
}

export interface EventIntake {
  /** True when this call recorded the event; false when it had been recorded before. */
  recordOnce(record: IntakeRecord): Promise<boolean>;
}
