/** adherence-sync processor (spec 002): agent state transitions reach Genesys WEM, only on transitions. */
import { AgentStateChangedEvent } from '../../shared/contracts/agent-state.schema';
import { PermanentFailure } from '../../shared/errors';
import { processAgentState } from '../../shared/domain/adherence-sync/process-agent-state';
import type { WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildAdherenceDeps } from './deps';

const { runtime, deps } = buildAdherenceDeps();

async function handle(message: WorkflowMessage): Promise<void> {
  let payload: unknown;
  try {
    payload = JSON.parse(message.body);
  } catch {
    throw new PermanentFailure('MESSAGE_UNREADABLE', 'Message body is not JSON');
  }
  const event = AgentStateChangedEvent.safeParse(payload);
  if (!event.success)
    throw new PermanentFailure(
      'MESSAGE_UNREADABLE',
      `Not an agent-state event: ${event.error.issues[0]?.message}`,
    );
  const started = Date.now();
  const outcome = await processAgentState(event.data, deps);
  runtime.logger.info('agent state processed', {
    vendorEventId: message.attributes.eventId,
    agentId: event.data.data.agent_id,
    outcome,
    durationMs: Date.now() - started,
  });
}

export const handler = runtime.processor(handle);
