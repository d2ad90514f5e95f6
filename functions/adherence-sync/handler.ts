/** adherence-sync processor (spec 002): agent state transitions reach Genesys WEM, only on transitions. */
import { AgentStateChangedEvent } from '../../shared/contracts/agent-state.schema';
import { processAgentState } from '../../shared/domain/adherence-sync/process-agent-state';
import { recheckDeps, skipWhatIngressIgnores } from '../../shared/runtime/ingress-recheck';
import { readMessage, type WorkflowMessage } from '../../shared/runtime/sqs-processor';
import { buildAdherenceDeps } from './deps';

const { runtime, deps } = buildAdherenceDeps();
const recheck = recheckDeps('adherence-sync', runtime);

async function handle(message: WorkflowMessage): Promise<void> {
  if (await skipWhatIngressIgnores(message, recheck)) return;
  const event = readMessage(message, AgentStateChangedEvent, 'an agent-state event');
  const started = Date.now();
  const outcome = await processAgentState(event, deps);
  runtime.logger.info('agent state processed', {
    vendorEventId: message.attributes.eventId,
    agentId: event.data.agent_id,
    outcome,
    durationMs: Date.now() - started,
  });
}

export const handler = runtime.processor(handle);
