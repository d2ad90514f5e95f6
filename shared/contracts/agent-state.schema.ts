/** ACD agent state change (spec 000 pattern 1), the input of adherence-sync. */
// Named imports keep zod tree-shakable: the ingress bundle is a fifth of the `z` namespace's size.
import { literal, looseObject, string } from 'zod';
import type { z } from 'zod';
import { Id, Instant } from './common';

export const AgentStateChangedEvent = looseObject({
  event_type: literal('agent.state.changed'),
  event_id: Id.optional(),
  timestamp: Instant,
  data: looseObject({
    agent_id: Id,
    previous_state: string().min(1).nullable().optional(),
    new_state: string().min(1),
    queue_id: Id.nullable().optional(),
    contact_id: Id.nullable().optional(),
    reason_code: string().min(1).nullable().optional(),
  }),
});
export type AgentStateChangedEvent = z.output<typeof AgentStateChangedEvent>;
