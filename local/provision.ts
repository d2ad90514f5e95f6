/** Creates the plan's tables, queues, secrets and bus against the local emulators with the real SDK clients. */
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type KeySchemaElement,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { vendorSecretName, webhookSecretName } from '../shared/config/resource-names';
import { RULE_DOCUMENTS } from '../shared/config/rule-documents';
import { TABLES, type TableDeclaration } from '../shared/tables';
import { oauthClients, ROUTES } from '../shared/topology';
import type { AppConfigLocation } from './aws-fake';
import { LOCAL_STAGE, localRuleDocumentLocation, type LocalPlan } from './plan';
import { LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, localClientId } from './sandboxes/core/oauth';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';
/** The sandboxes' catch-all client (every scope of its vendor), for tests and benchmarks that are no workflow. */
export const LOCAL_VENDOR_CREDENTIALS = { clientId: LOCAL_CLIENT_ID, clientSecret: LOCAL_CLIENT_SECRET };
/** What the local secret of a workflow's OAuth client (shared/topology.ts `oauthClient`) holds. */
export const localClientCredentials = (clientName: string) => ({
  clientId: localClientId(clientName),
  clientSecret: LOCAL_CLIENT_SECRET,
});
/** The local rewards secret's agent pseudonym key (32 bytes and more). */
export const LOCAL_AGENT_PSEUDONYM_KEY = 'local-agent-pseudonym-key-0123456789abcdef';

export interface Endpoints {
  readonly dynamodb: string;
  readonly sqs: string;
  readonly secretsManager: string;
  readonly eventBridge: string;
  readonly appConfigData: string;
}

export interface WorkflowQueues {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export interface Provisioned {
  readonly tables: Record<string, string>;
  readonly queues: Record<string, WorkflowQueues>;
  readonly busName: string;
}

export async function provision(
  plan: LocalPlan,
  endpoints: Endpoints,
  opts: {
    webhookSecret: string;
    visibilityTimeoutSeconds: number;
    /** AppConfig's control plane, which the local fake has no API for: a hosted version plus its deployment. */
    deployConfiguration: (location: AppConfigLocation, content: string) => void;
  },
): Promise<Provisioned> {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  const sqs = new SQSClient({ ...common, endpoint: endpoints.sqs });
  const secrets = new SecretsManagerClient({ ...common, endpoint: endpoints.secretsManager });
  const events = new EventBridgeClient({ ...common, endpoint: endpoints.eventBridge });

  await Promise.all(plan.tables.map((t) => createTable(ddb, t)));

  const queues: Record<string, WorkflowQueues> = {};
  for (const q of plan.queues) {
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: q.dlqName,
        Attributes: { MessageRetentionPeriod: String(14 * 86400) },
      }),
    );
    const dlqArn = await queueArn(sqs, dlq.QueueUrl!);
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: q.queueName,
        Attributes: {
          VisibilityTimeout: String(opts.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: q.maxReceiveCount }),
        },
      }),
    );
    queues[q.workflow] = {
      queueUrl: queue.QueueUrl!,
      queueArn: await queueArn(sqs, queue.QueueUrl!),
      dlqUrl: dlq.QueueUrl!,
      dlqArn,
    };
  }

  for (const r of ROUTES) {
    await secrets.send(
      new CreateSecretCommand({
        Name: webhookSecretName(LOCAL_STAGE, r.id),
        SecretString: JSON.stringify({ current: opts.webhookSecret }),
      }),
    );
  }
  for (const client of oauthClients()) {
    const credentials = localClientCredentials(client.name);
    await secrets.send(
      new CreateSecretCommand({
        Name: vendorSecretName(LOCAL_STAGE, client.vendor, client.name),
        SecretString: JSON.stringify(
          client.vendor === 'rewards'
            ? { ...credentials, agentPseudonymKey: LOCAL_AGENT_PSEUDONYM_KEY }
            : credentials,
        ),
      }),
    );
  }
  await events.send(new CreateEventBusCommand({ Name: plan.busName }));
  // The default documents, as the CDK stack's first hosted versions (decision 0010).
  for (const d of RULE_DOCUMENTS)
    opts.deployConfiguration(localRuleDocumentLocation(d.name), JSON.stringify(d.initial, null, 2));

  for (const c of [ddb, sqs, secrets, events]) c.destroy();
  return {
    tables: Object.fromEntries(plan.tables.map((t) => [t.id, t.name])),
    queues,
    busName: plan.busName,
  };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes!.QueueArn!;
}

/** Creates a table as declared in shared/tables.ts, under `t.name` (benchmarks and tests make their own). */
export async function createTable(
  ddb: DynamoDBClient,
  t: Pick<TableDeclaration, 'partitionKey' | 'sortKey' | 'ttlAttribute'> & { name: string },
): Promise<void> {
  const keys: KeySchemaElement[] = [{ AttributeName: t.partitionKey, KeyType: 'HASH' }];
  if (t.sortKey) keys.push({ AttributeName: t.sortKey, KeyType: 'RANGE' });
  await ddb.send(
    new CreateTableCommand({
      TableName: t.name,
      KeySchema: keys,
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName!, AttributeType: 'S' })),
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30 }, { TableName: t.name });
  if (t.ttlAttribute) {
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: t.name,
        TimeToLiveSpecification: { AttributeName: t.ttlAttribute, Enabled: true },
      }),
    );
  }
}

/** The State table's declaration (pk/sk, TTL): what the rate limiter and agent records need. */
export const STATE_TABLE = TABLES.find((t) => t.id === 'State')!;
