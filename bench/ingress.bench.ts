/**
 * The edge, in-process: HMAC verify + zod parse of a ~2 KB body + enqueue to an in-memory SQS stub, per request.
 * Every function's bundle (shared/config/handler-bundle.ts, as CDK builds it) and its cold module init against a
 * baseline bundle that only creates an SQS client, median of 30 fresh processes each, interleaved (issue 2:
 * ingress <= 1.3x; issue 10: every other function <= 1.5x). A second baseline, the workflow floor, loads what
 * every workflow function must (docs/decisions/0012-cold-init-floor.md): the init table gives both ratios.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { Bench } from 'tinybench';
import { handlerBuildOptions } from '../local/function-host';
import { buildLocalPlan, LOCAL_STAGE, localFunctionEnvironments, placeholderRefs } from '../local/plan';
import { loadStageConfig } from '../shared/config/stage';
import { functionsOf, INGRESS_FUNCTION, PROCESSOR_ID, WORKFLOWS } from '../shared/topology';
import { handleWebhook, type IngressDeps } from '../shared/webhook/ingress';
import { runInFreshNode } from '../test/helpers/fresh-node';
import { normalizeHeaders, signedHeaders } from '../shared/webhook/signatures';

const ROOT = resolve(__dirname, '..');
const SECRET = 'bench-secret';

function payload(): string {
  const event = {
    eventType: 'timeoff.request.approved',
    timestamp: '2026-05-15T14:32:00.000Z',
    data: {
      requestId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      userId: '8f9e0d1c-2b3a-4567-8901-234567890abc',
      requestType: 'PAID_TIME_OFF',
      startTime: '2026-05-20T09:00:00.000Z',
      endTime: '2026-05-20T17:00:00.000Z',
      status: 'APPROVED',
      approverId: '1a2b3c4d-5e6f-7890-abcd-ef1234567890',
      // Vendor payloads carry more than the contract needs; pad to ~2 KB like a real delivery.
      metadata: {
        source: 'genesys-cloud',
        tags: Array.from({ length: 58 }, (_, i) => `tag-${i}-xxxxxxxxxxxxxxxxxxxx`),
      },
    },
  };
  return JSON.stringify(event);
}

async function throughput() {
  const body = payload();
  const headers = normalizeHeaders(signedHeaders('hmac-sha256', SECRET, body));
  let enqueued = 0;
  const deps: IngressDeps = {
    routes: {
      'genesys-timeoff': {
        queueUrl: 'http://127.0.0.1/q',
        dlqUrl: 'http://127.0.0.1/dlq',
        secretId: 's',
        signatureSchemes: ['hmac-sha256', 'standard-webhooks'],
      },
    },
    maxBodyBytes: 262_144,
    settings: { timeOffOverrideScope: ['PAID_TIME_OFF'] },
    secretsFor: async () => [SECRET], // the real handler caches secrets; the cache hit is what a warm request pays
    send: async () => {
      enqueued++;
    },
    // The same signed body on every iteration: the replay guard's DynamoDB put is a network round trip this
    // in-process figure does not include, so every delivery counts as new here.
    nonces: { claim: async () => ({ kind: 'first' }), release: async () => undefined },
    now: () => Date.now(),
  };
  const bench = new Bench({ time: 2000, warmup: true });
  bench.add('ingress: verify + parse + enqueue (2 KB)', async () => {
    const { response } = await handleWebhook({ path: '/webhooks/genesys/timeoff', headers, body }, deps);
    if (response.statusCode !== 202) throw new Error(`unexpected ${response.statusCode}`);
  });
  await bench.run();
  const r = bench.tasks[0]!.result as unknown as { latency: { p50: number; p99: number; mean: number } };
  return {
    bodyBytes: Buffer.byteLength(body),
    opsPerSecond: Math.round(1000 / r.latency.mean),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    enqueued,
  };
}

async function bundle(entry: string, outfile: string) {
  const result = await build({ ...handlerBuildOptions(entry, outfile), metafile: true });
  return Object.values(result.metafile.outputs).find((o) => o.entryPoint)!.bytes;
}

/** Loads only an SQS client: the SDK core any function pays (the baseline issues 2 and 10 set targets against). */
const SQS_BASELINE = `import { SQSClient } from '@aws-sdk/client-sqs';
export const client = new SQSClient({});
`;

/**
 * What every workflow function must load at cold start, whatever it does: the DynamoDB document client (locks,
 * audit, state), the Powertools Tracer with the X-Ray SDK (active tracing) wrapping it, and the Powertools
 * Logger and Metrics (docs/decisions/0012-cold-init-floor.md).
 */
const WORKFLOW_FLOOR = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
const tracer = new Tracer({ serviceName: 'floor', captureHTTPsRequests: true });
export const doc = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
export const logger = new Logger();
export const metrics = new Metrics({ namespace: 'floor', serviceName: 'floor' });
`;

/**
 * Median cold module-init time of each bundle (a fresh process each, with that function's own environment),
 * runs interleaved so that a change in the machine's load during the measurement falls on every bundle alike.
 * The environment is Lambda's: no POWERTOOLS_TRACE_ENABLED=false, so the workflow functions load the X-Ray
 * SDK as they do on AWS (active tracing), and the AWS SDK is resolved from node_modules as the runtime provides it.
 */
const INIT_RUNS = Number(process.env.BENCH_INIT_RUNS ?? 30);

interface InitSubject {
  readonly file: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function medianInitMs(subjects: readonly InitSubject[], runs = INIT_RUNS): number[] {
  const once = ({ file, env }: InitSubject) => {
    const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    return Number(runInFreshNode(script, env));
  };
  const samples = subjects.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    subjects.forEach((subject, k) => samples[k]!.push(once(subject)));
    if (process.stderr.isTTY)
      process.stderr.write(`\rcold init: run ${i + 1}/${runs} of ${subjects.length} bundles`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
}

/** Each function's bundle, with the environment the shared builder gives it (placeholder resource names). */
function functionsToMeasure() {
  const plan = buildLocalPlan();
  const config = loadStageConfig(LOCAL_STAGE);
  const envs = localFunctionEnvironments(plan, config, placeholderRefs(plan, config));
  return [
    { name: 'ingress', entry: INGRESS_FUNCTION.entry, env: envs.ingress, target: 1.3 },
    ...WORKFLOWS.flatMap((w) =>
      functionsOf(w).map((fn) => ({
        name: fn.id === PROCESSOR_ID ? w.name : fn.id,
        entry: fn.declaration.entry,
        env: envs.workflows[w.name][fn.id]!,
        target: 1.5,
      })),
    ),
  ];
}

export async function run() {
  const edge = await throughput();
  // Under node_modules, so that the bundles resolve @aws-sdk from this repository's node_modules, as the Lambda
  // runtime would from its own; one directory per run, so that runs from two checkouts sharing node_modules
  // never measure each other's bundles.
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'wfm-bench-'));
  try {
    return await measure(edge, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(edge: Awaited<ReturnType<typeof throughput>>, dir: string) {
  const functions = functionsToMeasure();
  const sizes = new Map<string, number>();
  for (const f of functions)
    sizes.set(f.name, +((await bundle(f.entry, join(dir, `${f.name}.js`))) / 1024).toFixed(1));
  for (const [name, source] of [
    ['baseline', SQS_BASELINE],
    ['floor', WORKFLOW_FLOOR],
  ] as const) {
    writeFileSync(join(dir, `${name}.ts`), source);
    await bundle(join(dir, `${name}.ts`), join(dir, `${name}.js`));
  }
  const [baselineInit, floorInit, ...inits] = medianInitMs([
    { file: join(dir, 'baseline.js'), env: {} },
    { file: join(dir, 'floor.js'), env: {} },
    ...functions.map((f) => ({
      file: join(dir, `${f.name}.js`),
      env: { ...f.env, AWS_LAMBDA_FUNCTION_NAME: f.name },
    })),
  ]) as [number, number, ...number[]];

  const ingressKb = sizes.get('ingress')!;
  console.table([
    {
      figure: 'throughput (ops/s, one core)',
      value: edge.opsPerSecond,
      target: '>= 5,000',
      ok: edge.opsPerSecond >= 5000,
    },
    { figure: 'p50 latency (ms)', value: +edge.p50Ms.toFixed(3), target: '', ok: true },
    { figure: 'p99 latency (ms)', value: +edge.p99Ms.toFixed(3), target: '<= 1 ms', ok: edge.p99Ms <= 1 },
    { figure: 'ingress bundle (KB, minified)', value: ingressKb, target: '<= 250 KB', ok: ingressKb <= 250 },
  ]);
  const initTable = functions.map((f, k) => {
    const ratio = inits[k]! / baselineInit;
    return {
      function: f.name,
      'bundle KB': sizes.get(f.name)!,
      'init ms': +inits[k]!.toFixed(1),
      'x baseline': +ratio.toFixed(2),
      target: `<= ${f.target}x`,
      ok: ratio <= f.target,
      'x workflow floor': f.name === 'ingress' ? '' : +(inits[k]! / floorInit).toFixed(2),
    };
  });
  console.log(
    `cold init, median of ${INIT_RUNS} fresh processes each, interleaved; baseline (a bundle that only creates an SQS client): ${baselineInit.toFixed(1)} ms; workflow floor (DynamoDB document client, X-Ray tracer, Powertools logger and metrics): ${floorInit.toFixed(1)} ms (${(floorInit / baselineInit).toFixed(2)}x baseline)`,
  );
  console.table(initTable);
  console.log(
    `body ${edge.bodyBytes} bytes; bundles built with the stack's options (shared/config/handler-bundle.ts: minified, node20, @aws-sdk external)`,
  );
  return { edge, baselineInitMs: baselineInit, workflowFloorInitMs: floorInit, init: initTable };
}
