/**
 * Which contract validates which event type, and the stable vendor event id of an event.
 * The discriminant differs per vendor: spec 000 uses `event_type`, Genesys and CXone use `eventType`.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod/mini';
import { AgentStateChangedEvent } from './agent-state.schema';
import { BiddingRequestEvent, ScheduleChangedEvent } from './cxone.schema';
import { TimeOffCreatedEvent, TimeOffEvent } from './genesys-timeoff.schema';
import type { HeaderMap } from '../webhook/signatures';

const CONTRACTS: Record<string, z.ZodMiniType> = {
  'timeoff.request.approved': TimeOffEvent,
  'timeoff.request.cancelled': TimeOffEvent,
  'timeoff.request.created': TimeOffCreatedEvent,
  'agent.state.changed': AgentStateChangedEvent,
  'wfm.bidding.request.created': BiddingRequestEvent,
  'wfm.bidding.request.status_changed': BiddingRequestEvent,
  'wfm.bidding.request.updated': BiddingRequestEvent,
  'wfm.schedule.published': ScheduleChangedEvent,
  'wfm.schedule.overridden': ScheduleChangedEvent,
};

export function contractFor(eventType: string): z.ZodMiniType | undefined {
  return CONTRACTS[eventType];
}

/** The event type a payload claims, whichever vendor convention it follows. */
export function eventTypeOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const record = payload as Record<string, unknown>;
  const type = record.eventType ?? record.event_type;
  return typeof type === 'string' ? type : undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The vendor's id of this delivery: the payload's own event id, else the Standard Webhooks `webhook-id`,
 * else a content hash (identical redeliveries then share an id, which is what deduplication needs).
 */
export function eventIdOf(payload: unknown, rawBody: string, headers: HeaderMap): string {
  const record = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const own = record.eventId ?? record.event_id;
  if (typeof own === 'string' && own.length > 0) return own;
  const webhookId = headers['webhook-id'];
  if (webhookId) return webhookId;
  return `sha256:${sha256(rawBody).slice(0, 32)}`;
}

export interface ContractIssue {
  path: string;
  message: string;
}

export function describeIssues(error: z.core.$ZodError): ContractIssue[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}
