/** Composition root of the ingress: env parsed once, clients created once per cold start. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDbDeliveryNonceStore } from '../../shared/adapters/aws/delivery-nonce-store';
import { SQS_CLIENT_CONFIG } from '../../shared/adapters/aws/sqs-client-config';
import { toSqsAttributes } from '../../shared/adapters/aws/sqs-attributes';
import { IngressEnvSchema, parseEnv } from '../../shared/config/function-env';
import type { WebhookSecretValue } from '../../shared/config/resource-names';
import { createLogger } from '../../shared/observability/logger';
import { createMetrics } from '../../shared/observability/metrics';
import type { IngressDeps } from '../../shared/webhook/ingress';

export function buildIngressDeps(env = parseEnv(IngressEnvSchema)) {
  const sqs = new SQSClient({ ...SQS_CLIENT_CONFIG });
  const deps: IngressDeps = {
    routes: env.INGRESS_ROUTES,
    maxBodyBytes: env.MAX_BODY_BYTES,
    settings: env.WORKFLOW_SETTINGS,
    now: () => Date.now(),
    nonces: new DynamoDbDeliveryNonceStore(new DynamoDBClient({}), env.NONCE_TABLE_NAME),
    secretsFor: async (secretId) => {
      const value = (await getSecret(secretId, {
        maxAge: env.SECRETS_CACHE_TTL_SECONDS,
        transform: 'json',
      })) as WebhookSecretValue | undefined;
      if (!value?.current) throw new Error(`Webhook secret ${secretId} has no "current" value`);
      return value.previous ? [value.current, value.previous] : [value.current];
    },
    send: async ({ queueUrl, body, attributes }) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageAttributes: toSqsAttributes(attributes),
        }),
      );
    },
  };
  return { deps, logger: createLogger(), metrics: createMetrics(env.POWERTOOLS_SERVICE_NAME) };
}
