/**
 * The whole system on one machine (DESIGN section 5): DynamoDB Local, SQS (local-aws-sqs), the Secrets
 * Manager/EventBridge fake, the vendor sandboxes, the real handlers in worker threads, pollers with event
 * source mapping semantics, schedules and the gateway. Everything is built from shared/topology.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ISqsServerOptions } from 'local-aws-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { RULE_DOCUMENTS, ruleDocumentByName } from '../shared/config/rule-documents';
import { loadStageConfig } from '../shared/config/stage';
import { PROCESSOR_ID, WORKFLOWS, type WorkflowName } from '../shared/topology';
import { waitScale } from '../shared/runtime/vendor-client';
import { AwsFake, type BusEvent } from './aws-fake';
import { startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local';
import { INGRESS_CALLER, type Violation } from './grant-guard';
import { startLeadingKeysGuard } from './leading-keys-guard';
import { startSendMessageGuard } from './send-message-guard';
import { CrashSwitch } from './crash-switch';
import { DynamoDbFaultSwitch } from './dynamodb-fault-switch';
import { FunctionPool, heapOfThisThread, heapOfThread, type HeapUse } from './function-host';
import { startGateway } from './gateway';
import { freePort, withDeadline } from './net';
import { buildLocalPlan, LOCAL_STAGE, localFunctionEnvironments, localRuleDocumentLocation } from './plan';
import { Poller } from './poller';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provision, type Endpoints, type Provisioned } from './provision';
import { sandboxUrls, startSandboxes, type RunningSandboxes } from './sandboxes/server';
import { LocalScheduler, type LocalSchedule } from './scheduler';
import { LOCAL_WEBHOOK_SECRET } from './webhook-sender';

export interface LocalRuntimeOptions {
  /** Gateway port; 0 picks a free one. Default WFM_LOCAL_PORT or 3000. */
  readonly port?: number;
  /** Vendor sandbox port; 0 picks a free one. Default WFM_SANDBOX_PORT or 4010. */
  readonly sandboxPort?: number;
  /**
   * Vendor sandboxes already running there (`http://host:port`, e.g. `npm run sandbox`, or a benchmark's process
   * of their own): the runtime starts none, and its `sandboxes` is undefined. Default WFM_SANDBOX_URL.
   */
  readonly sandboxUrl?: string;
  /**
   * Instances per workflow function; `declared` runs each at its topology maxConcurrency (benchmarks).
   * Default WFM_LOCAL_CONCURRENCY or min(topology maxConcurrency, 3).
   */
  readonly concurrency?: number | 'declared';
  /**
   * Ingress instances (each serves one request at a time, as on Lambda, where API Gateway scales them out).
   * Default WFM_LOCAL_INGRESS_INSTANCES, else 8 with `concurrency: 'declared'`, else 2.
   */
  readonly ingressInstances?: number;
  /** Scaled for a person watching: a message failing every time reaches its DLQ within a minute. */
  readonly visibilityTimeoutSeconds?: number;
  readonly webhookSecret?: string;
  /** Powertools log level inside the functions. */
  readonly logLevel?: string;
  /** Extra env for every function (e.g. WFM_RETRY_SCALE). */
  readonly functionEnv?: Record<string, string>;
  readonly log?: (line: string) => void;
  /** Run schedules on their timers (default true; tests run them on demand). */
  readonly timers?: boolean;
  /** DynamoDB Local keeps its tables in a file in this empty directory, not in memory (local/dynamodb-local.ts). */
  readonly dynamoDbDataDir?: string;
}

export interface LocalOutputs {
  readonly stage: string;
  readonly region: string;
  readonly endpoints: Endpoints;
  readonly gatewayUrl: string;
  readonly sandboxUrl: string;
  readonly workflows: Provisioned['queues'];
  readonly tables: Provisioned['tables'];
  readonly eventBus: string;
}

export interface LocalRuntime {
  readonly urls: { gateway: string; sandbox: string };
  readonly outputs: LocalOutputs;
  readonly events: readonly BusEvent[];
  /** The sandboxes the runtime started, in this process; undefined with the `sandboxUrl` option. */
  readonly sandboxes: RunningSandboxes | undefined;
  readonly startupMs: number;
  readonly startupPhases: Readonly<Record<string, number>>;
  runSchedule(id: string): Promise<unknown>;
  /** The environment the runtime gives a workflow function (`fnId`: PROCESSOR_ID or a schedule's id). */
  functionEnvironment(workflow: WorkflowName, fnId: string): Record<string, string>;
  /**
   * DynamoDB requests refused for falling outside a function's grant: the State table's `dynamodb:LeadingKeys`, the
   * ingress's put and delete on the replay guard's table (local/leading-keys-guard.ts).
   */
  leadingKeyViolations(): readonly Violation[];
  /** SQS requests refused for naming a queue outside a function's `sqs:SendMessage` grant (local/send-message-guard.ts). */
  sendMessageViolations(): readonly Violation[];
  /**
   * The V8 heap of each part of the runtime process: `main` (gateway, pollers, AWS fake, sandboxes and whatever
   * else the caller runs on the main thread), `sqs` (local-aws-sqs's thread), and each function's instances.
   * With `collect`, each thread runs a full collection first, so that readings compare what is retained.
   */
  heaps(options?: { collect?: boolean }): Promise<Record<string, HeapUse>>;
  stop(): Promise<void>;
}

const envInt = (name: string) => (process.env[name] !== undefined ? Number(process.env[name]) : undefined);
export const OUTPUTS_FILE = resolve(__dirname, '..', '.local', 'outputs.json');

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  // This machine runs Node 20 (DESIGN section 4); the SDK's notice about Node 22 would repeat on every client.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const plan = buildLocalPlan();
  const config = loadStageConfig(LOCAL_STAGE);
  const webhookSecret = options.webhookSecret ?? LOCAL_WEBHOOK_SECRET;
  const visibilityTimeoutSeconds =
    options.visibilityTimeoutSeconds ?? envInt('WFM_LOCAL_VISIBILITY_TIMEOUT_SECONDS') ?? 5;
  const components: Record<string, boolean> = {
    dynamodb: false,
    sqs: false,
    aws: false,
    sandboxes: false,
    functions: false,
    pollers: false,
  };
  /** Stopped in reverse order of start, each within STOP_DEADLINE_MS, then killed if it can be. */
  const stops: RunningComponent[] = [];
  /** Milliseconds from start to the end of each phase, reported with the startup time. */
  const phases: Record<string, number> = {};
  const stop = () => stopAll(stops.splice(0).reverse(), log);

  // Sandboxes that do not answer are said before anything starts.
  const externalSandboxes = options.sandboxUrl ?? process.env.WFM_SANDBOX_URL;
  if (externalSandboxes) await sandboxesAnswering(externalSandboxes);
  try {
    const sqsPort = await freePort();
    const [dynamo, sqsServer, aws, sandboxes] = await Promise.all([
      startDynamoDbLocal({ log, dataDir: options.dynamoDbDataDir }),
      startSqsThread({
        port: sqsPort,
        hostname: '127.0.0.1',
        region: LOCAL_REGION,
        accountId: '000000000000',
        emulateQueueCreationLifecycle: false,
      }),
      (async () => {
        const fake = new AwsFake((e) =>
          log(`[event] ${e.detailType} ${JSON.stringify(e.detail).slice(0, 160)}`),
        );
        await fake.listen(0);
        return fake;
      })(),
      // The sandboxes' own defaults, Genesys's revocation of the previous token on each issue (spec 002)
      // included: instances share one token per vendor client (docs/decisions/0007-shared-vendor-token.md).
      externalSandboxes
        ? undefined
        : startSandboxes({
            port: options.sandboxPort ?? envInt('WFM_SANDBOX_PORT') ?? 4010,
            host: '127.0.0.1',
          }),
    ]);
    const sandboxUrl = sandboxes?.url ?? externalSandboxes!;
    stops.push({ name: 'DynamoDB Local', stop: () => (dynamo as RunningDynamoDb).stop() });
    stops.push({ name: 'local-aws-sqs', stop: () => sqsServer.close(), kill: () => sqsServer.terminate() });
    stops.push({ name: 'AWS fake', stop: () => aws.close() });
    if (sandboxes) stops.push({ name: 'vendor sandboxes', stop: () => sandboxes.close() });
    Object.assign(components, { dynamodb: true, sqs: true, aws: true, sandboxes: true });
    phases.emulators = Date.now() - started;

    const endpoints: Endpoints = {
      dynamodb: dynamo.endpoint,
      sqs: `http://127.0.0.1:${sqsPort}`,
      secretsManager: aws.url,
      eventBridge: aws.url,
      appConfigData: aws.url,
    };
    const provisioned = await provision(plan, endpoints, {
      webhookSecret,
      visibilityTimeoutSeconds,
      deployConfiguration: (location, content) => aws.deployConfiguration(location, content),
    });
    phases.provisioned = Date.now() - started;

    const baseEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
      AWS_ENDPOINT_URL_APPCONFIGDATA: endpoints.appConfigData,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // Functions log at the stage's level into .local/logs (local/function-host.ts); this is what the console shows.
      WFM_LOCAL_ECHO_LEVEL: options.logLevel ?? process.env.WFM_LOG_LEVEL ?? 'WARN',
      WFM_RETRY_SCALE: '0.1',
      ...Object.fromEntries(
        Object.entries(process.env).filter(([k]) => k.startsWith('WFM_')) as [string, string][],
      ),
      ...options.functionEnv,
    };

    // Every function reaches DynamoDB and SQS through guards that refuse what its IAM grants would: keys outside
    // the State table's LeadingKeys (for the ingress, anything but the replay guard's put and delete), sends to a
    // queue it was not granted.
    const guard = await startLeadingKeysGuard(endpoints.dynamodb, {
      state: provisioned.tables.State!,
      webhookNonces: provisioned.tables.WebhookNonces!,
    });
    stops.push({ name: 'LeadingKeys guard', stop: () => guard.stop() });
    const sendGuard = await startSendMessageGuard(endpoints.sqs, (workflow) => provisioned.queues[workflow]!);
    stops.push({ name: 'SendMessage guard', stop: () => sendGuard.stop() });
    const guarded = (workflow: string, fnId: string) => ({
      AWS_ENDPOINT_URL_DYNAMODB: guard.endpointFor(workflow, fnId),
      AWS_ENDPOINT_URL_SQS: sendGuard.endpointFor(workflow, fnId),
    });

    const envs = localFunctionEnvironments(plan, config, {
      tables: provisioned.tables,
      busName: provisioned.busName,
      queues: provisioned.queues,
      vendorUrls: sandboxUrls(sandboxUrl),
    });
    const concurrencyOf = (declared: number) =>
      options.concurrency === 'declared'
        ? declared
        : (options.concurrency ?? envInt('WFM_LOCAL_CONCURRENCY') ?? Math.min(declared, 3));
    const ingressInstances =
      options.ingressInstances ??
      envInt('WFM_LOCAL_INGRESS_INSTANCES') ??
      (options.concurrency === 'declared' ? 8 : 2);
    const ingress = await FunctionPool.start(
      'ingress',
      plan.ingress,
      {
        ...baseEnv,
        ...envs.ingress,
        ...guarded(INGRESS_CALLER.workflow, INGRESS_CALLER.fnId),
      },
      ingressInstances,
    );
    stops.push({ name: 'ingress function', stop: () => ingress.stop() });

    const sqs = new SQSClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: endpoints.sqs,
    });
    stops.push({ name: 'SQS client', stop: () => sqs.destroy() });
    const pollers: Poller[] = [];
    const pools: FunctionPool[] = [ingress];
    const crashes = new CrashSwitch();
    const dynamoDbFaults = new DynamoDbFaultSwitch();
    const scheduled: LocalSchedule[] = [];
    await Promise.all(
      WORKFLOWS.map(async (w) => {
        const envOf = (fnId: string) => ({
          ...baseEnv,
          ...envs.workflows[w.name][fnId],
          ...guarded(w.name, fnId),
        });
        const concurrency = concurrencyOf(w.queue.maxConcurrency);
        const processorEnv = envOf(PROCESSOR_ID);
        // Scaled as the visibility timeout and the leases are; a scheduled function's timeout is not: it only
        // bounds its own run, which stops a fixed margin before it (docs/local-runtime.md, "Crash points").
        const pool = await FunctionPool.start(w.name, w.processor, processorEnv, concurrency, {
          timeoutScale: waitScale(processorEnv),
        });
        stops.push({ name: `${w.name} functions`, stop: () => pool.stop() });
        pools.push(pool);
        const q = provisioned.queues[w.name]!;
        pollers.push(
          new Poller({
            workflow: w.name,
            queueUrl: q.queueUrl,
            queueArn: q.queueArn,
            batchSize: w.queue.batchSize,
            concurrency,
            pool,
            sqs,
            log,
            visibilityTimeoutSeconds,
            crashes,
            dynamoDbFaults,
          }),
        );
        for (const s of w.schedules) {
          // Scheduled functions start on their first run (a minute away at the soonest), not at startup.
          let pool: Promise<FunctionPool> | undefined;
          const started = () => {
            pool ??= FunctionPool.start(`${w.name}-${s.id}`, s.function, envOf(s.id), 1).then((p) => {
              stops.push({ name: `${w.name} ${s.id} function`, stop: () => p.stop() });
              pools.push(p);
              return p;
            });
            return pool;
          };
          scheduled.push({
            id: s.id,
            expression: s.expression,
            timeZone: s.timeZone,
            run: async (payload) =>
              (await started()).invoke(
                payload ?? { source: 'local.scheduler', id: s.id, time: new Date().toISOString() },
              ),
          });
        }
      }),
    );
    components.functions = true;
    phases.functions = Date.now() - started;
    for (const p of pollers) p.start();
    stops.push({ name: 'pollers', stop: () => Promise.all(pollers.map((p) => p.stop())) });
    components.pollers = true;

    const scheduler = new LocalScheduler(scheduled, log);
    if (options.timers ?? true) scheduler.start();
    stops.push({ name: 'scheduler', stop: () => scheduler.stop() });

    const gatewayPort = options.port ?? envInt('WFM_LOCAL_PORT') ?? 3000;
    let gatewayUrl = '';
    const outputs = (): LocalOutputs => ({
      stage: LOCAL_STAGE,
      region: LOCAL_REGION,
      endpoints,
      gatewayUrl,
      sandboxUrl,
      workflows: provisioned.queues,
      tables: provisioned.tables,
      eventBus: provisioned.busName,
    });
    const gateway = await startGateway(
      {
        stage: LOCAL_STAGE,
        routes: plan.routes,
        invokeIngress: (event) => ingress.invoke<APIGatewayProxyResult>(event),
        health: () => ({ ready: Object.values(components).every(Boolean), components }),
        control: {
          'GET /_local/events': async ({ url }) => {
            const type = url.searchParams.get('detailType');
            return aws.events.filter((e) => !type || e.detailType === type);
          },
          'GET /_local/outputs': async () => outputs(),
          'GET /_local/topology': async () => ({
            routes: plan.routes.map((r) => `${r.method} ${r.path}`),
            queues: plan.queues.map((q) => ({
              workflow: q.workflow,
              maxReceiveCount: q.maxReceiveCount,
              batchSize: q.batchSize,
            })),
            schedules: plan.schedules.map((s) => ({
              id: s.id,
              expression: s.expression,
              timeZone: s.timeZone,
            })),
          }),
          'POST /_local/schedules/:id/run': async ({ url, body }) => {
            const id = url.pathname.split('/')[3]!;
            const payload: unknown = body.trim() ? JSON.parse(body) : undefined;
            return { schedule: id, result: await scheduler.runNow(id, payload) };
          },
          'GET /_local/rules/:name': async ({ url }) => ruleDocumentControl(aws, url).current(),
          'PUT /_local/rules/:name': async ({ url, body }) => ruleDocumentControl(aws, url).deploy(body),
          // Test-only crash points (local/crash-switch.ts, docs/local-runtime.md).
          'POST /_local/faults/crash': async ({ body }) => crashes.arm(JSON.parse(body || '{}')),
          'GET /_local/faults/crash': async () => crashes.list(),
          'DELETE /_local/faults/crash': async () => {
            crashes.disarmAll();
            return crashes.list();
          },
          // Test-only DynamoDB faults (local/dynamodb-fault-switch.ts, docs/local-runtime.md).
          'POST /_local/faults/dynamodb': async ({ body }) => dynamoDbFaults.arm(JSON.parse(body || '{}')),
          'GET /_local/faults/dynamodb': async () => dynamoDbFaults.list(),
          'DELETE /_local/faults/dynamodb': async () => {
            dynamoDbFaults.disarmAll();
            return dynamoDbFaults.list();
          },
        },
      },
      gatewayPort,
    );
    stops.push({
      name: 'gateway',
      stop: () => new Promise<void>((r) => gateway.close(() => r())),
      kill: () => gateway.closeAllConnections(),
    });
    const address = gateway.address();
    gatewayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : gatewayPort}`;

    mkdirSync(join(OUTPUTS_FILE, '..'), { recursive: true });
    writeFileSync(OUTPUTS_FILE, JSON.stringify(outputs(), null, 2));

    return {
      urls: { gateway: gatewayUrl, sandbox: sandboxUrl },
      outputs: outputs(),
      events: aws.events,
      sandboxes,
      startupMs: Date.now() - started,
      startupPhases: phases,
      runSchedule: (id) => scheduler.runNow(id),
      functionEnvironment: (workflow, fnId) => {
        const env = envs.workflows[workflow]?.[fnId];
        if (!env) throw new Error(`No function ${fnId} in workflow ${workflow}`);
        return { ...baseEnv, ...env, ...guarded(workflow, fnId) };
      },
      leadingKeyViolations: () => guard.violations(),
      sendMessageViolations: () => sendGuard.violations(),
      heaps: async ({ collect = false } = {}) => {
        const [sqs, ...functions] = await Promise.all([
          sqsServer.heap(collect),
          ...pools.map(async (p) => [p.name, await p.heap(collect)] as const),
        ]);
        return { main: heapOfThisThread(collect), sqs, ...Object.fromEntries(functions) };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Sandboxes the runtime did not start (`sandboxUrl`): they must answer their health check. */
async function sandboxesAnswering(url: string): Promise<void> {
  const health = `${url.replace(/\/+$/, '')}/health`;
  const res = await fetch(health, { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => {
    const cause = (err.cause as Error | undefined)?.message;
    throw new Error(
      `No vendor sandboxes answer at ${health} (${cause ?? err.message}): start them (npm run sandbox) or unset WFM_SANDBOX_URL`,
    );
  });
  await res.body?.cancel();
  if (!res.ok)
    throw new Error(`The vendor sandboxes at ${url} are not healthy: ${health} answered ${res.status}`);
}

/**
 * The local stand-in for an operator's AppConfig deployment (docs/local-runtime.md): `PUT` deploys the body as
 * the next version, valid or not, and says whether the functions will take it or refuse it (keeping the last
 * good version) when they next read it, within LOCAL_RULES_MAX_AGE_SECONDS.
 */
function ruleDocumentControl(aws: AwsFake, url: URL) {
  const name = decodeURIComponent(url.pathname.split('/')[3] ?? '');
  const declared = ruleDocumentByName(name);
  if (!declared)
    throw new Error(`No rule document ${name}; there are ${RULE_DOCUMENTS.map((d) => d.name).join(', ')}`);
  const location = localRuleDocumentLocation(name);
  const describe = () => {
    const deployed = aws.deployedConfiguration(location);
    if (!deployed) return { ruleDocument: name, deployed: null };
    const parsed = declared.versioned.parse(deployed.content);
    return {
      ruleDocument: name,
      versionNumber: deployed.versionNumber,
      valid: parsed.ok,
      ...(parsed.ok ? { ruleVersion: parsed.document.version } : { problems: parsed.problems }),
      content: deployed.content,
    };
  };
  return {
    current: async () => describe(),
    deploy: async (content: string) => {
      aws.deployConfiguration(location, content);
      return describe();
    },
  };
}

interface RunningComponent {
  readonly name: string;
  readonly stop: () => Promise<unknown> | void;
  /** What to do when `stop` misses its deadline (a process or thread is killed in its own `stop`). */
  readonly kill?: () => unknown;
}

/** Each component's share of a Ctrl-C: one that has not stopped by then is killed and named. */
const STOP_DEADLINE_MS = envInt('WFM_LOCAL_STOP_DEADLINE_MS') ?? 5000;

async function stopAll(components: readonly RunningComponent[], log: (line: string) => void): Promise<void> {
  for (const c of components) {
    try {
      await withDeadline(Promise.resolve().then(c.stop), STOP_DEADLINE_MS, `${c.name} to stop`);
    } catch (err) {
      log(`${(err as Error).message}${c.kill ? '; killing it' : ''}`);
      try {
        await c.kill?.();
      } catch {
        // it is going anyway
      }
    }
  }
}

interface SqsThread {
  heap(collect: boolean): Promise<HeapUse>;
  close(): Promise<void>;
  terminate(): Promise<number>;
}

/** local-aws-sqs on its own worker thread (local/sqs-worker.cjs). */
function startSqsThread(options: ISqsServerOptions): Promise<SqsThread> {
  const worker = new Worker(join(__dirname, 'sqs-worker.cjs'), { workerData: options });
  const next = () =>
    new Promise<{ type: string; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  return withDeadline(next(), 30_000, 'local-aws-sqs to listen')
    .catch(async (err: Error) => {
      await worker.terminate();
      throw err;
    })
    .then((message) => {
      if (message.type !== 'listening') throw new Error(`local-aws-sqs did not start: ${message.error}`);
      return {
        heap: (collect) => heapOfThread(worker, collect, 'local-aws-sqs'),
        close: async () => {
          const closed = next();
          worker.postMessage('close');
          await closed;
          await worker.terminate();
        },
        terminate: () => worker.terminate(),
      };
    });
}
