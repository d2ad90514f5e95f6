/**
 * The edge alone, on the real path: the local gateway over HTTP, the real ingress handler (bundled, in worker
 * threads, as the local runtime runs it), secrets from the Secrets Manager fake, and real local-aws-sqs queues
 * that nothing consumes, so a test can see exactly what the ingress enqueued. Used by the gateway fuzz suite
 * (test/e2e/gateway-fuzz.test.ts, bench/fuzz.bench.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createSqsServer } from 'local-aws-sqs';
import { fromSqsAttributes } from '../../shared/adapters/aws/sqs-attributes';
import { loadStageConfig } from '../../shared/config/stage';
import { AwsFake } from '../../local/aws-fake';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { FunctionPool } from '../../local/function-host';
import { startGateway } from '../../local/gateway';
import { freePort } from '../../local/net';
import { buildLocalPlan, LOCAL_STAGE, localFunctionEnvironments, type LocalPlan } from '../../local/plan';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provision, type Provisioned } from '../../local/provision';
import { LOCAL_WEBHOOK_SECRET } from '../../local/webhook-sender';

export interface EnqueuedMessage {
  readonly workflow: string;
  readonly queue: 'queue' | 'dlq';
  readonly body: string;
  readonly attributes: Record<string, string>;
}

export interface EdgeHarness {
  readonly gatewayUrl: string;
  readonly routes: LocalPlan['routes'];
  readonly maxBodyBytes: number;
  /** Receives and deletes every message on every workflow queue and DLQ. */
  drain(): Promise<EnqueuedMessage[]>;
  stop(): Promise<void>;
}

/** The harness's ingress log: its own file, so it never truncates the e2e runtime's ingress log. */
export const EDGE_HARNESS_LOG_DIR = resolve(__dirname, '..', '..', '.local', 'edge-harness');
export const EDGE_HARNESS_LOG = join(EDGE_HARNESS_LOG_DIR, 'ingress.log');

/**
 * `dynamodbEndpoint`: a running DynamoDB (the e2e runtime's) for the replay guard's nonce table (decision 0011);
 * without one the harness starts its own DynamoDB Local. The harness's table has its own name either way.
 */
export async function startEdgeHarness({
  ingressInstances = 2,
  dynamodbEndpoint,
}: { ingressInstances?: number; dynamodbEndpoint?: string } = {}): Promise<EdgeHarness> {
  const ownDynamoDb = dynamodbEndpoint ? undefined : await startDynamoDbLocal();
  const sqsPort = await freePort();
  const sqsServer = await createSqsServer({
    port: sqsPort,
    hostname: '127.0.0.1',
    region: LOCAL_REGION,
    accountId: '000000000000',
    emulateQueueCreationLifecycle: false,
  });
  const aws = new AwsFake();
  await aws.listen(0);
  const plan = buildLocalPlan();
  const config = loadStageConfig(LOCAL_STAGE);
  const endpoints = {
    dynamodb: dynamodbEndpoint ?? ownDynamoDb!.endpoint,
    sqs: `http://127.0.0.1:${sqsPort}`,
    secretsManager: aws.url,
    eventBridge: aws.url,
    appConfigData: aws.url,
  };
  // The ingress writes only the nonce table.
  const nonceTable = {
    ...plan.tables.find((t) => t.id === 'WebhookNonces')!,
    name: `edge-harness-nonces-${randomUUID()}`,
  };
  const provisioned: Provisioned = await provision({ ...plan, tables: [nonceTable] }, endpoints, {
    webhookSecret: LOCAL_WEBHOOK_SECRET,
    visibilityTimeoutSeconds: 30,
    deployConfiguration: (location, content) => aws.deployConfiguration(location, content),
  });
  const envs = localFunctionEnvironments(plan, config, {
    tables: { WebhookNonces: nonceTable.name },
    busName: provisioned.busName,
    queues: provisioned.queues,
    vendorUrls: { genesys: 'http://127.0.0.1:9', cxone: 'http://127.0.0.1:9', rewards: 'http://127.0.0.1:9' },
  });
  mkdirSync(join(EDGE_HARNESS_LOG, '..'), { recursive: true });
  const ingress = await FunctionPool.start(
    'ingress',
    plan.ingress,
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      WFM_LOCAL_ECHO_LEVEL: 'SILENT',
      ...envs.ingress,
    },
    ingressInstances,
    { logFile: EDGE_HARNESS_LOG },
  );
  const gateway: Server = await startGateway(
    {
      stage: LOCAL_STAGE,
      routes: plan.routes,
      invokeIngress: (event) => ingress.invoke<APIGatewayProxyResult>(event),
      health: () => ({ ready: true, components: {} }),
      control: {},
    },
    0,
  );
  const address = gateway.address();
  const gatewayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const sqs = new SQSClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: endpoints.sqs,
  });

  const drainQueue = async (workflow: string, queue: 'queue' | 'dlq', url: string) => {
    const out: EnqueuedMessage[] = [];
    // local-aws-sqs answers a receive on an empty queue only after ~40 ms; its counts come at once.
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const count =
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    // A receive may come back empty while the count says a message is there: ask again, within a deadline,
    // so a message is never left for the next case to find.
    const deadline = Date.now() + 5000;
    while (out.length < count) {
      if (Date.now() > deadline)
        throw new Error(
          `${workflow} ${queue}: ${count} message(s) counted, ${out.length} received within 5 s`,
        );
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      if (!Messages?.length) continue;
      out.push(...Messages.map((m: Message) => toEnqueued(workflow, queue, m)));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    return out;
  };

  return {
    gatewayUrl,
    routes: plan.routes,
    maxBodyBytes: config.api.maxBodyBytes,
    drain: async () =>
      (
        await Promise.all(
          Object.entries(provisioned.queues).flatMap(([workflow, q]) => [
            drainQueue(workflow, 'queue', q.queueUrl),
            drainQueue(workflow, 'dlq', q.dlqUrl),
          ]),
        )
      ).flat(),
    stop: async () => {
      await new Promise<void>((r) => {
        gateway.close(() => r());
        gateway.closeAllConnections();
      });
      await ingress.stop();
      sqs.destroy();
      await aws.close();
      await new Promise<void>((r) => sqsServer.close(() => r()));
      await ownDynamoDb?.stop();
    },
  };
}

function toEnqueued(workflow: string, queue: 'queue' | 'dlq', m: Message): EnqueuedMessage {
  return {
    workflow,
    queue,
    body: m.Body ?? '',
    attributes: fromSqsAttributes(m.MessageAttributes),
  };
}
