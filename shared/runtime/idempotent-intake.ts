/**
 * Phase one of a workflow that records each vendor event before acting on it (spec 003's two-phase
 * processing; shift-bids and reward-triggers): the queue message read against its contract, turned into the
 * canonical event, recorded once on the State table and announced, under Powertools idempotency on the
 * Idempotency table. What differs per workflow is declared in an `IntakeDeclaration`.
 */
import type { Context } from 'aws-lambda';
import { DynamoDbEventIntake } from '../adapters/aws/event-intake';
import type { EventIntake } from '../ports/event-intake';
import type { DomainEventPublisher } from '../ports/platform';
import { idempotentRecordHandler, type IdempotencyOptions } from './idempotent-record-handler';
import {
  messageEnvelope,
  readMessage,
  type MessageContract,
  type MessageEnvelope,
  type WorkflowMessage,
} from './sqs-processor';
import type { WorkflowRuntime } from './workflow-runtime';

export interface IntakeDeps {
  readonly intake: EventIntake;
  readonly events: DomainEventPublisher;
}

export interface IntakeDeclaration<Message, Event extends object, Outcome> {
  readonly message: MessageContract<Message>;
  /** What the message is, for the MESSAGE_UNREADABLE reason: "Not a reward evaluation: ...". */
  readonly describes: string;
  readonly toEvent: (message: Message, envelope: MessageEnvelope) => Event;
  readonly record: (event: Event, deps: IntakeDeps) => Promise<Outcome>;
  readonly idempotency: IdempotencyOptions;
}

export type IntakeHandler<Event, Outcome> = (
  message: WorkflowMessage,
  context?: Context,
) => Promise<{ readonly event: Event; readonly outcome: Outcome }>;

export function idempotentIntake<Message, Event extends object, Outcome>(
  runtime: WorkflowRuntime,
  declared: IntakeDeclaration<Message, Event, Outcome>,
): IntakeHandler<Event, Outcome> {
  const deps: IntakeDeps = {
    intake: new DynamoDbEventIntake(runtime.doc, runtime.env.STATE_TABLE_NAME),
    events: runtime.publisher,
  };
  const recordOnce = idempotentRecordHandler(
    (event: Event) => declared.record(event, deps),
    declared.idempotency,
    { tableName: runtime.env.IDEMPOTENCY_TABLE_NAME, client: runtime.ddb },
  );
  return async (message, context) => {
    const body = readMessage(message, declared.message, declared.describes);
    const event = declared.toEvent(body, messageEnvelope(message, runtime.clock.now()));
    return { event, outcome: await recordOnce(event, context) };
  };
}
