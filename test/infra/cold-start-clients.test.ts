/**
 * Decision 0012: each function's bundle, built with the stack's options and started with its own environment
 * (tracing on, as in AWS), loads at cold start only the AWS SDK clients its normal path uses. SQS for
 * dead-lettering, EventBridge for a rare event and Secrets Manager for a token refresh load when first needed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { handlerBuildOptions } from '../../local/function-host';
import { buildLocalPlan, LOCAL_STAGE, localFunctionEnvironments, placeholderRefs } from '../../local/plan';
import { loadStageConfig } from '../../shared/config/stage';
import { INGRESS_FUNCTION, workflowFunction } from '../../shared/topology';
import { runInFreshNode } from '../helpers/fresh-node';

const ROOT = resolve(__dirname, '../..');
const plan = buildLocalPlan();
const config = loadStageConfig(LOCAL_STAGE);
const envs = localFunctionEnvironments(plan, config, placeholderRefs(plan, config));

const DDB = ['client-dynamodb', 'lib-dynamodb'];
const expected: readonly [string, string, readonly string[]][] = [
  // DynamoDB: every signed delivery claims its id in the nonce store (decision 0011).
  ['ingress', 'ingress', ['client-dynamodb', 'client-secrets-manager', 'client-sqs']],
  ['shift-overrides', 'processor', [...DDB, 'client-eventbridge']],
  ['adherence-sync', 'processor', DDB],
  ['adherence-sync', 'adherence-reconciliation', DDB],
  ['shift-bids', 'processor', [...DDB, 'client-appconfigdata', 'client-eventbridge']],
  ['shift-bids', 'shift-bids-sweep', [...DDB, 'client-sqs']],
  [
    'reward-triggers',
    'processor',
    [...DDB, 'client-appconfigdata', 'client-eventbridge', 'client-secrets-manager'],
  ],
  [
    'reward-triggers',
    'reward-export-ingestion',
    [...DDB, 'client-appconfigdata', 'client-eventbridge', 'client-sqs'],
  ],
];

// Under node_modules so that the bundles resolve the external SDK from it, as the Lambda runtime does its own.
const cache = join(ROOT, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'wfm-cold-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The @aws-sdk packages a bundle requires while it is first loaded. */
async function sdkLoadedAtColdStart(entry: string, env: Record<string, string | undefined>) {
  const outfile = join(dir, `${entry.replace(/[/\\.]/g, '_')}.js`);
  await build(handlerBuildOptions(entry, outfile));
  const script = `const Module = require('node:module'); const load = Module._load; const seen = new Set();
Module._load = function (request) { if (request.startsWith('@aws-sdk/')) seen.add(request.slice(9)); return load.apply(this, arguments); };
require(${JSON.stringify(outfile)}); process.stdout.write(JSON.stringify([...seen].sort()));`;
  const out = runInFreshNode(script, env);
  return (JSON.parse(out) as string[]).filter((p) => p.startsWith('client-') || p.startsWith('lib-'));
}

describe('AWS SDK clients loaded at cold start (decision 0012)', () => {
  it.each(expected)(
    '%s %s loads only what its normal path uses',
    async (workflow, id, clients) => {
      const isIngress = workflow === 'ingress';
      const entry = isIngress ? INGRESS_FUNCTION.entry : workflowFunction(workflow, id).entry;
      const env = isIngress ? envs.ingress : envs.workflows[workflow as keyof typeof envs.workflows][id]!;
      expect(await sdkLoadedAtColdStart(entry, env)).toEqual([...clients].sort());
    },
    60_000,
  );
});
