/** Webhook payloads as vendors send them, for tests and benchmarks. */

/** Spec 000's `agent.state.changed`. */
export const agentStateChanged = (
  agentId: string,
  newState: string,
  timestamp: string,
  reasonCode: string | null = null,
) => ({
  event_type: 'agent.state.changed',
  timestamp,
  data: {
    agent_id: agentId,
    previous_state: null,
    new_state: newState,
    queue_id: 'queue-1',
    contact_id: null,
    reason_code: reasonCode,
    // Vendors send who the agent is; it must go no further than the ingress (test/helpers/leak-scan.ts).
    agent_name: 'Orrin Vantablack',
    agent_email: 'orrin.vantablack@canary.example',
  },
});
