/** ACD agent state change (spec 000 pattern 1), the input of adherence-sync. */
import { literal, looseObject, nullable, optional } from 'zod/mini';
import type { z } from 'zod/mini';
import { Id, Instant, Text } from './common';

export const AgentStateChangedEvent = looseObject({
  event_type: literal('agent.state.changed'),
  event_id: optional(Id),
  timestamp: Instant,
  data: looseObject({
    agent_id: Id,
    previous_state: optional(nullable(Text)),
    new_state: Text,
    queue_id: optional(nullable(Id)),
    contact_id: optional(nullable(Id)),
    reason_code: optional(nullable(Text)),
  }),
});
export type AgentStateChangedEvent = z.output<typeof AgentStateChangedEvent>;
