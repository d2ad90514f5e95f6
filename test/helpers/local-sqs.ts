/**
 * local-aws-sqs in-process for one test file: started on a free loopback port before its tests, stopped after
 * them. Each test creates its own queues (random names), so tests never see each other's messages.
 */
import type { Server } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { freePort } from '../../local/net';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/provision';

export interface LocalSqsForTests {
  readonly client: () => SQSClient;
  readonly endpoint: () => string;
}

/** Registers beforeAll/afterAll hooks; call it at the top of a describe block or file. */
export function useLocalSqs(): LocalSqsForTests {
  let server: Server | undefined;
  let client: SQSClient | undefined;
  let endpoint: string | undefined;
  beforeAll(async () => {
    const port = await freePort();
    server = await createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
    endpoint = `http://127.0.0.1:${port}`;
    client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('local-aws-sqs is not started: use it inside a test or hook');
    return value;
  };
  return { client: () => started(client), endpoint: () => started(endpoint) };
}
