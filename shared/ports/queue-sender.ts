/** A workflow's own queue, as seen by a function that fans work out to it (spec 004's nightly ingestion). */

export interface OutgoingMessage {
  /** Names the message in errors (an agent id, say); unique within one call. */
  readonly id: string;
  readonly body: string;
  readonly attributes?: Readonly<Record<string, string>>;
  /** 0..900 s before the message becomes visible. */
  readonly delaySeconds?: number;
}

export interface UnsentMessage {
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

export interface QueueSender {
  /**
   * Sends every message, ten per request, retrying those a partial failure left out. Resolves when all are
   * on the queue; otherwise rejects with a `QueueSendError` naming each message that is not (the others
   * were sent).
   */
  sendAll(messages: readonly OutgoingMessage[]): Promise<void>;
}
