/**
 * reward-triggers (spec 004), intake only: each reward evaluation is recorded once and announced. Points
 * rules, the 90-day window, PII stripping, issue/clawback calls are issue 12. An evaluation without an agent
 * id is unreadable and dead-lettered with that reason.
 */
import { looseObject, optional, string, unknown } from 'zod/mini';
import type { z } from 'zod/mini';
import type { EventIntake } from '../../ports/event-intake';
import type { DomainEventPublisher } from '../../ports/platform';

export const RewardEvaluationMessage = looseObject({
  agentId: string('Reward evaluation has no agentId'),
  period: optional(unknown()),
});
export type RewardEvaluationMessage = z.output<typeof RewardEvaluationMessage>;

export interface EvaluationEnvelope {
  readonly eventId: string;
  readonly eventType?: string;
  readonly receivedAt: string;
}

/** The canonical evaluation; the idempotency key is `eventId`, and `[agentId, period]` must not change. */
export interface RewardEvaluationEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly receivedAt: string;
  readonly agentId: string;
  readonly period?: string;
}

export const REWARD_TRIGGERS_IDEMPOTENCY = {
  name: 'reward-triggers.intake',
  eventKeyJmesPath: 'eventId',
  payloadValidationJmesPath: '[agentId, period]',
} as const;

export interface RewardIntakeDeps {
  readonly intake: EventIntake;
  readonly events: DomainEventPublisher;
}

export function toRewardEvaluationEvent(
  message: RewardEvaluationMessage,
  envelope: EvaluationEnvelope,
): RewardEvaluationEvent {
  return {
    eventId: envelope.eventId,
    eventType: envelope.eventType ?? 'reward.evaluation',
    receivedAt: envelope.receivedAt,
    agentId: message.agentId,
    period: typeof message.period === 'string' ? message.period : undefined,
  };
}

export async function recordRewardEvaluation(
  event: RewardEvaluationEvent,
  deps: RewardIntakeDeps,
): Promise<{ readonly firstTime: boolean }> {
  const firstTime = await deps.intake.recordOnce({
    workflow: 'reward-triggers',
    eventId: event.eventId,
    eventType: event.eventType,
    status: 'pending_evaluation',
    receivedAt: event.receivedAt,
    summary: { agentId: event.agentId, period: event.period },
  });
  if (firstTime)
    await deps.events.publish({
      type: 'reward.evaluation_received',
      detail: { eventId: event.eventId, agentId: event.agentId },
    });
  return { firstTime };
}
