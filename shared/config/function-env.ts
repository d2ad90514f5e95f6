/**
 * Environment variables of every function, declared once as zod schemas (DESIGN section 3).
 *
 * The CDK construct that creates a function takes `z.input<typeof Schema>`, so a missing variable is a
 * compile error in infra/; the handler parses `process.env` once at cold start with the same schema.
 * The local runtime fills the same variables for its worker threads.
 */
// zod/mini (its locale set in shared/contracts/common.ts): the ingress bundle parses this at every cold start.
import {
  NEVER,
  _default,
  array,
  enum as zEnum,
  object,
  pipe,
  record,
  regex,
  string,
  transform,
  url,
} from 'zod/mini';
import type { z } from 'zod/mini';
import { Text } from '../contracts/common';

const jsonOf = <T extends z.ZodMiniType>(schema: T) =>
  pipe(
    string(),
    transform((raw: string, ctx) => {
      try {
        return schema.parse(JSON.parse(raw)) as z.output<T>;
      } catch (err) {
        ctx.issues.push({
          code: 'custom',
          message: `not valid JSON for its schema: ${(err as Error).message}`,
          input: raw,
        });
        return NEVER;
      }
    }),
  );

/** A positive integer given as an environment string (input type string, so CDK props stay typed). */
const intString = () => pipe(string().check(regex(/^\d+$/, 'must be a whole number')), transform(Number));

const common = {
  STAGE: Text,
  POWERTOOLS_SERVICE_NAME: Text,
  POWERTOOLS_METRICS_NAMESPACE: Text,
};

/** Per route: the queue it enqueues on and the Secrets Manager secret holding its signing secrets. */
export const IngressRouteBindingSchema = object({
  queueUrl: url(),
  /** Where a well-signed but schema-invalid event is kept (the workflow's DLQ), with its issues. */
  dlqUrl: url(),
  secretId: Text,
});

/** What the ingress filter needs of the workflows' stage settings. */
export const IngressWorkflowSettingsSchema = object({
  /** Time-off request types that become overrides (the keys of shift-overrides' reasonCodeByRequestType). */
  timeOffOverrideScope: array(Text),
});
export type IngressWorkflowSettings = z.output<typeof IngressWorkflowSettingsSchema>;

export const IngressEnvSchema = object({
  ...common,
  /** JSON map of route id (shared/topology.ts) to its binding. */
  INGRESS_ROUTES: jsonOf(record(string(), IngressRouteBindingSchema)),
  MAX_BODY_BYTES: _default(intString(), 262_144),
  SECRETS_CACHE_TTL_SECONDS: _default(intString(), 300),
  WORKFLOW_SETTINGS: jsonOf(IngressWorkflowSettingsSchema),
});
export type IngressEnv = z.output<typeof IngressEnvSchema>;

/** Processors and scheduled functions of a workflow. */
export const WorkflowEnvSchema = object({
  ...common,
  WORKFLOW: zEnum(['shift-overrides', 'adherence-sync', 'shift-bids', 'reward-triggers']),
  STATE_TABLE_NAME: Text,
  AUDIT_TABLE_NAME: Text,
  IDEMPOTENCY_TABLE_NAME: Text,
  EVENT_BUS_NAME: Text,
  QUEUE_URL: url(),
  /** The processor dead-letters a message itself, with its failure reason as attributes (see shared/runtime). */
  DLQ_URL: url(),
  MAX_RECEIVE_COUNT: intString(),
  VENDOR_BASE_URL: url(),
  VENDOR_SECRET_ID: Text,
  /** JSON of the workflow's stage settings (shared/config/stage.ts, `workflows.<name>`). */
  WORKFLOW_SETTINGS: _default(string(), '{}'),
  SECRETS_CACHE_TTL_SECONDS: _default(intString(), 300),
});
export type WorkflowEnv = z.output<typeof WorkflowEnvSchema>;

/** Parses an environment with a schema and names every missing or malformed variable at once. */
export function parseEnv<T extends z.ZodMiniType>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid function environment:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
