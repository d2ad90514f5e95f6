/** ACD agent state change (spec 000 pattern 1), the input of adherence-sync. */
import { z } from 'zod';
import { Id, Instant } from './common';

export const AgentStateChangedEvent = z.looseObject({
  event_type: z.literal('agent.state.changed'),
  event_id: Id.optional(),
  timestamp: Instant,
  data: z.looseObject({
    agent_id: Id,
    previous_state: z.string().min(1).nullable().optional(),
    new_state: z.string().min(1),
    queue_id: Id.nullable().optional(),
    contact_id: Id.nullable().optional(),
    reason_code: z.string().min(1).nullable().optional(),
  }),
});
export type AgentStateChangedEvent = z.output<typeof AgentStateChangedEvent>;
