/**
 * What every workflow function's composition root starts from: its env parsed once, AWS clients, the
 * platform adapters and the batch runner wired to its DLQ. Workflow-specific adapters are added in each
 * `functions/<name>/deps.ts`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { parseEnv, WorkflowEnvSchema, type WorkflowEnv } from '../config/function-env';
import { DynamoDbAuditLog } from '../adapters/aws/dynamodb-audit-log';
import { DynamoDbLockManager } from '../adapters/aws/dynamodb-lock';
import { sendMessage } from '../adapters/aws/queue-sender';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { createTracer, traced } from '../observability/tracer';
import { systemClock } from '../ports/clock';
import {
  createSqsProcessor,
  type DeadLetter,
  type DeferralLimits,
  type WorkflowMessage,
} from './sqs-processor';

export function buildWorkflowRuntime(env: WorkflowEnv = parseEnv(WorkflowEnvSchema)) {
  const tracer = createTracer(env.POWERTOOLS_SERVICE_NAME);
  const sqs = traced(tracer, new SQSClient({}));
  const ddb = traced(tracer, new DynamoDBClient({}));
  const doc = DynamoDBDocumentClient.from(ddb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const logger = createLogger(env.WORKFLOW);
  const metrics = createMetrics(env.POWERTOOLS_SERVICE_NAME);
  metrics.setDefaultDimensions({ workflow: env.WORKFLOW });
  const clock = systemClock;

  const send = (message: DeadLetter & { delaySeconds?: number }) => sendMessage(sqs, message);

  return {
    env,
    sqs,
    ddb,
    doc,
    logger,
    metrics,
    clock,
    auditLog: new DynamoDbAuditLog(doc, env.AUDIT_TABLE_NAME),
    tracer,
    publisher: new EventBridgePublisher(
      traced(tracer, new EventBridgeClient({})),
      env.EVENT_BUS_NAME,
      env.WORKFLOW,
    ),
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
