/**
 * How every handler is bundled: by the CDK stack (infra/constructs/wfm-function.ts, NodejsFunction with the
 * local esbuild), by the local runtime (local/function-host.ts) and by the ingress bench, which measures the
 * bundles' size and cold init. One set of options, so that what runs and is measured locally is what deploys.
 */
export const HANDLER_BUNDLE = {
  /** Runs on the Lambda runtime (the newest Node aws-cdk-lib offers) and on the local Node 20. */
  target: 'node20',
  format: 'cjs',
  minify: true,
  /** ESM entry points first, so esbuild can tree-shake (zod, Powertools). */
  mainFields: ['module', 'main'],
  /**
   * The AWS SDK v3 comes with the Lambda Node runtime (NodejsFunction's default for it), and from
   * node_modules locally: bundles stay small and load the SDK the runtime has.
   */
  external: ['@aws-sdk/*'],
} as const;
