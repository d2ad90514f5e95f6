/**
 * Issue 2 section 8: the edge, in-process. HMAC verify + zod parse of a ~2 KB body + enqueue to an in-memory
 * SQS stub, per request; every function's bundle (esbuild, as CDK builds it); cold module init of the
 * ingress bundle against a baseline bundle that only creates an SQS client, median of 30 fresh processes each,
 * interleaved.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { Bench } from 'tinybench';
import { INGRESS_FUNCTION, SCHEDULES, WORKFLOWS } from '../shared/topology';
import { handleWebhook, type IngressDeps } from '../shared/webhook/ingress';
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
      'genesys-timeoff': { queueUrl: 'http://127.0.0.1/q', dlqUrl: 'http://127.0.0.1/dlq', secretId: 's' },
    },
    maxBodyBytes: 262_144,
    settings: { timeOffOverrideScope: ['PAID_TIME_OFF'] },
    secretsFor: async () => [SECRET], // the real handler caches secrets; the cache hit is what a warm request pays
    send: async () => {
      enqueued++;
    },
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
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'], // as infra/constructs/wfm-function.ts: the runtime provides the SDK
    metafile: true,
    outfile,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs).find((o) => o.entryPoint)!.bytes;
}

/**
 * Median cold module-init time of each file (fresh process each), runs interleaved so that a change in the
 * machine's load during the measurement falls on every file alike.
 */
const INIT_RUNS = 30;

function medianInitMs(files: readonly string[], runs = INIT_RUNS): number[] {
  const env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const once = (file: string) => {
    const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    return Number(execFileSync(process.execPath, ['-e', script], { env, cwd: ROOT, encoding: 'utf8' }));
  };
  const samples = files.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) files.forEach((file, f) => samples[f]!.push(once(file)));
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
}

export async function run() {
  const edge = await throughput();
  const dir = mkdtempSync(join(tmpdir(), 'wfm-bench-'));
  const entries = [
    { name: 'ingress', entry: INGRESS_FUNCTION.entry },
    ...WORKFLOWS.map((w) => ({ name: w.name, entry: w.processor.entry })),
    ...SCHEDULES.map((s) => ({ name: s.id, entry: s.function.entry })),
  ];
  const sizes = [];
  for (const e of entries)
    sizes.push({
      function: e.name,
      kb: +((await bundle(e.entry, join(dir, `${e.name}.js`))) / 1024).toFixed(1),
    });

  // The ingress bundle needs its env to initialise, as on Lambda.
  const ingressEnv = {
    STAGE: 'bench',
    POWERTOOLS_SERVICE_NAME: 'ingress',
    POWERTOOLS_METRICS_NAMESPACE: 'WfmBridge',
    INGRESS_ROUTES: JSON.stringify({
      'genesys-timeoff': { queueUrl: 'http://127.0.0.1/q', dlqUrl: 'http://127.0.0.1/d', secretId: 's' },
    }),
    WORKFLOW_SETTINGS: JSON.stringify({ timeOffOverrideScope: ['PAID_TIME_OFF'] }),
  };
  Object.assign(process.env, ingressEnv);
  const baselineSrc = join(dir, 'baseline.ts');
  writeFileSync(
    baselineSrc,
    "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const client = new SQSClient({});\n",
  );
  await build({
    entryPoints: [baselineSrc],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    outfile: join(dir, 'baseline.js'),
    logLevel: 'silent',
  });
  // Resolve @aws-sdk from this repository's node_modules, as the Lambda runtime would from its own.
  const link = (f: string) => {
    const out = join(ROOT, 'node_modules', '.cache', `wfm-bench-${f}`);
    execFileSync('mkdir', ['-p', join(ROOT, 'node_modules', '.cache')]);
    execFileSync('cp', [join(dir, f), out]);
    return out;
  };
  const [ingressInit, baselineInit] = medianInitMs([link('ingress.js'), link('baseline.js')]) as [
    number,
    number,
  ];

  const ingressKb = sizes[0]!.kb;
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
    {
      figure: `ingress cold init (ms, median of ${INIT_RUNS})`,
      value: +ingressInit.toFixed(1),
      target: '',
      ok: true,
    },
    { figure: 'baseline: SQS client only (ms)', value: +baselineInit.toFixed(1), target: '', ok: true },
    {
      figure: 'init ratio ingress / baseline',
      value: +(ingressInit / baselineInit).toFixed(2),
      target: '<= 1.3x',
      ok: ingressInit / baselineInit <= 1.3,
    },
  ]);
  console.log(
    `body ${edge.bodyBytes} bytes; bundles built like CDK's NodejsFunction (minified, node20, @aws-sdk external):`,
  );
  console.table(sizes);
  return { edge, sizes, ingressInitMs: ingressInit, baselineInitMs: baselineInit };
}
