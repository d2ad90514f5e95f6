/**
 * Spec 002 section 4: every vendor call made for one unit of work (one SQS record) carries the same
 * `X-Correlation-Id`, so WEM's ingestion metadata and our logs can be joined per record. The id travels in the
 * async context, like the record's log keys, because records of one batch run concurrently.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';

const correlation = new AsyncLocalStorage<string>();

/** Runs `work` with `id` as the correlation id of every vendor call made within it. */
export function withCorrelationId<T>(id: string, work: () => Promise<T>): Promise<T> {
  return correlation.run(id, work);
}

/**
 * The correlation id of a record, derived from its vendor event id: stable across redeliveries and replays,
 * and opaque, because an internal event id can name an agent (a reward evaluation's does) and the id leaves
 * the system on every vendor call. Every log line of the record carries both.
 */
export function correlationIdOf(vendorEventId: string): string {
  const h = createHash('sha256').update(vendorEventId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The unit of work's correlation id; outside one (a scheduled run), a fresh id for the one call. */
export function correlationId(): string {
  return correlation.getStore() ?? randomUUID();
}
