/**
 * What every workflow function's composition root starts from: its env parsed once, AWS clients, the
 * platform adapters and the batch runner wired to its DLQ. Workflow-specific adapters are added in each
 * `functions/<name>/deps.ts`.
 *
 * `sqs` and `publisher` are made, and their SDK clients loaded, when first asked for: the adherence processor
 * and the bid sweep publish no event, reconciliation publishes only a repaired drift
 * (`publisherLoadedOnFirstEvent`), and a processor needs SQS only to dead-letter or defer a record (a failure
 * path). Functions that use them on every run (the fan-out functions' queue sender, the publishers) ask for them
 * in their deps, so they load at cold start as before (docs/decisions/0012-cold-init-floor.md).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type * as EventBridge from '@aws-sdk/client-eventbridge';
import type * as Sqs from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { parseEnv, WorkflowEnvSchema, type WorkflowEnv } from '../config/function-env';
import { DynamoDbAuditLog } from '../adapters/aws/dynamodb-audit-log';
import { DynamoDbLockManager } from '../adapters/aws/dynamodb-lock';
import { namingUnavailableTables } from '../adapters/aws/dynamodb-unavailable';
import { SQS_CLIENT_CONFIG } from '../adapters/aws/sqs-client-config';
import type * as QueueSender from '../adapters/aws/queue-sender';
import type * as EventBridgeAdapter from '../adapters/aws/eventbridge-publisher';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { createTracer, traced } from '../observability/tracer';
import { systemClock } from '../ports/clock';
import { offeredToLocalHook } from './dynamodb-client-hook';
import type { DomainEventPublisher } from '../ports/platform';
import {
  createSqsProcessor,
  type DeadLetter,
  type DeferralLimits,
  type WorkflowMessage,
} from './sqs-processor';

export function buildWorkflowRuntime(env: WorkflowEnv = parseEnv(WorkflowEnvSchema)) {
  const tracer = createTracer(env.POWERTOOLS_SERVICE_NAME);
  const ddb = traced(tracer, namingUnavailableTables(offeredToLocalHook(new DynamoDBClient({}))));
  const doc = DynamoDBDocumentClient.from(ddb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const logger = createLogger(env.WORKFLOW);
  const metrics = createMetrics(env.POWERTOOLS_SERVICE_NAME);
  metrics.setDefaultDimensions({ workflow: env.WORKFLOW });
  const clock = systemClock;

  let sqs: Sqs.SQSClient | undefined;
  let publisher: EventBridgeAdapter.EventBridgePublisher | undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when first asked for (see above) */
  const sqsClient = () =>
    (sqs ??= traced(
      tracer,
      new (require('@aws-sdk/client-sqs') as typeof Sqs).SQSClient({ ...SQS_CLIENT_CONFIG }),
    ));
  const send = (message: DeadLetter & { delaySeconds?: number }) =>
    (require('../adapters/aws/queue-sender') as typeof QueueSender).sendMessage(sqsClient(), message);
  const eventPublisher = () =>
    (publisher ??= new (
      require('../adapters/aws/eventbridge-publisher') as typeof EventBridgeAdapter
    ).EventBridgePublisher(
      traced(
        tracer,
        new (require('@aws-sdk/client-eventbridge') as typeof EventBridge).EventBridgeClient({}),
      ),
      env.EVENT_BUS_NAME,
      env.WORKFLOW,
    ));
  /* eslint-enable @typescript-eslint/no-require-imports */

  return {
    env,
    get sqs() {
      return sqsClient();
    },
    ddb,
    doc,
    logger,
    metrics,
    clock,
    auditLog: new DynamoDbAuditLog(doc, env.AUDIT_TABLE_NAME),
    tracer,
    get publisher() {
      return eventPublisher();
    },
    /** For a function that publishes only on a rare path: EventBridge loads with its first event, not at cold start. */
    publisherLoadedOnFirstEvent: {
      publish: (...events) => eventPublisher().publish(...events),
    } satisfies DomainEventPublisher,
    locks: new DynamoDbLockManager(doc, env.STATE_TABLE_NAME, clock),
    /** The SQS handler for this workflow, given what to do with one message. */
    processor(
      handle: (message: WorkflowMessage, context?: Context) => Promise<void>,
      options: { concurrency?: number; deferral?: Partial<DeferralLimits> } = {},
    ) {
      return createSqsProcessor({
        workflow: env.WORKFLOW,
        handle,
        deadLetter: send,
        requeue: send,
        dlqUrl: env.DLQ_URL,
        queueUrl: env.QUEUE_URL,
        maxReceiveCount: env.MAX_RECEIVE_COUNT,
        logger,
        metrics,
        ...options,
      });
    },
  };
}
export type WorkflowRuntime = ReturnType<typeof buildWorkflowRuntime>;
