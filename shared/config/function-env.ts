/**
 * Environment variables of every function, declared once as zod schemas (DESIGN section 3).
 *
 * The CDK construct that creates a function takes `z.input<typeof Schema>`, so a missing variable is a
 * compile error in infra/; the handler parses `process.env` once at cold start with the same schema.
 * `ingressFunctionEnv` and `workflowFunctionEnv` build every variable once, from the topology, the stage
 * config and the resource references each runtime has (CDK tokens in the stack, local names and URLs in the
 * local runtime); both runtimes call them, and add nothing but their own local-only extras.
 */
// zod/mini (its locale set in shared/contracts/common.ts): the ingress bundle parses this at every cold start.
import {
  NEVER,
  _default,
  array,
  enum as zEnum,
  object,
  minLength,
  optional,
  pipe,
  record,
  regex,
  string,
  transform,
  url,
} from 'zod/mini';
import type { z } from 'zod/mini';
import { Text } from '../contracts/common';
import { ROUTES } from '../routes';
import type { RuleDocumentName, VendorName, WorkflowDeclaration, WorkflowFunction } from '../topology';
// Types only: the ingress bundle must not carry classic zod (stage.ts) for a type.
import type { StageConfig } from './stage';

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
  /** The stage's `logLevel` (shared/config/stage.ts). */
  POWERTOOLS_LOG_LEVEL: zEnum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
};

/**
 * Per route: the queue it enqueues on, the Secrets Manager secret holding its signing secrets, and the
 * signature schemes its vendor signs with (stage config `vendors.<vendor>.signatureSchemes`).
 */
export const IngressRouteBindingSchema = object({
  queueUrl: url(),
  /** Where a well-signed but schema-invalid event is kept (the workflow's DLQ), with its issues. */
  dlqUrl: url(),
  secretId: Text,
  signatureSchemes: array(zEnum(['hmac-sha256', 'standard-webhooks'])).check(minLength(1)),
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
  /** The replay guard's table (shared/tables.ts `WebhookNonces`). */
  NONCE_TABLE_NAME: Text,
  MAX_BODY_BYTES: _default(intString(), 262_144),
  SECRETS_CACHE_TTL_SECONDS: _default(intString(), 300),
  WORKFLOW_SETTINGS: jsonOf(IngressWorkflowSettingsSchema),
});
export type IngressEnv = z.output<typeof IngressEnvSchema>;

/** Processors and scheduled functions of a workflow. */
export const WorkflowEnvSchema = object({
  ...common,
  WORKFLOW: zEnum(['shift-overrides', 'adherence-sync', 'shift-bids', 'reward-triggers']),
  /** Which function of the workflow this is (`processor` or a schedule id): finds its topology declaration. */
  WORKFLOW_FUNCTION: Text,
  STATE_TABLE_NAME: Text,
  AUDIT_TABLE_NAME: Text,
  IDEMPOTENCY_TABLE_NAME: Text,
  EVENT_BUS_NAME: Text,
  QUEUE_URL: url(),
  /** The processor dead-letters a message itself, with its failure reason as attributes (see shared/runtime). */
  DLQ_URL: url(),
  MAX_RECEIVE_COUNT: intString(),
  /** Of the vendor the function's declaration names (shared/topology.ts), and of its OAuth client's secret. */
  VENDOR_BASE_URL: url(),
  VENDOR_SECRET_ID: Text,
  /** JSON of the workflow's stage settings (shared/config/stage.ts, `workflows.<name>`). */
  WORKFLOW_SETTINGS: _default(string(), '{}'),
  SECRETS_CACHE_TTL_SECONDS: _default(intString(), 300),
  /**
   * Of a function whose declaration names a rule document (decision 0010): its name, and where AppConfig
   * holds it (names locally, ids on AWS), read at most once per RULES_MAX_AGE_SECONDS.
   */
  RULE_DOCUMENT: optional(zEnum(['shift-bids-rules', 'reward-points-rules'])),
  RULES_APPCONFIG_APPLICATION: optional(Text),
  RULES_APPCONFIG_ENVIRONMENT: optional(Text),
  RULES_APPCONFIG_PROFILE: optional(Text),
  RULES_MAX_AGE_SECONDS: optional(intString()),
});
export type WorkflowEnv = z.output<typeof WorkflowEnvSchema>;

const METRICS_NAMESPACE = 'WfmBridge';
const DEFAULT_SECRETS_CACHE_TTL_SECONDS = 300;
/** A rule document change applies within a minute, without a redeploy (decision 0010). */
export const DEFAULT_RULES_MAX_AGE_SECONDS = 60;

/** The ingress rules' view of the stage config: built here only. */
export function ingressWorkflowSettings(config: StageConfig): IngressWorkflowSettings {
  return {
    timeOffOverrideScope: Object.keys(config.workflows['shift-overrides'].reasonCodeByRequestType),
  };
}

/** What each runtime supplies of a route's binding; the signature schemes come from the stage config. */
export type IngressRouteBinding = Omit<z.input<typeof IngressRouteBindingSchema>, 'signatureSchemes'>;

export interface IngressEnvInputs {
  readonly config: StageConfig;
  /** Per route id: its workflow's queue and DLQ and its signing secret (tokens in CDK). */
  readonly routes: (routeId: string) => IngressRouteBinding;
  /** The `WebhookNonces` table's name (a token in CDK). */
  readonly nonceTable: string;
  /** JSON serialiser that understands the runtime's references (CDK: `stack.toJsonString`). */
  readonly toJson?: (value: unknown) => string;
  readonly secretsCacheTtlSeconds?: number;
}

export function ingressFunctionEnv(i: IngressEnvInputs): z.input<typeof IngressEnvSchema> {
  const toJson = i.toJson ?? JSON.stringify;
  return {
    STAGE: i.config.stage,
    POWERTOOLS_SERVICE_NAME: 'ingress',
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: i.config.logLevel,
    MAX_BODY_BYTES: String(i.config.api.maxBodyBytes),
    SECRETS_CACHE_TTL_SECONDS: String(i.secretsCacheTtlSeconds ?? DEFAULT_SECRETS_CACHE_TTL_SECONDS),
    WORKFLOW_SETTINGS: JSON.stringify(ingressWorkflowSettings(i.config)),
    INGRESS_ROUTES: toJson(
      Object.fromEntries(
        ROUTES.map((r) => [
          r.id,
          { ...i.routes(r.id), signatureSchemes: i.config.vendors[r.vendor].signatureSchemes },
        ]),
      ),
    ),
    NONCE_TABLE_NAME: i.nonceTable,
  };
}

/** Where a workflow function's resources are: CDK tokens in the stack, names and URLs locally. */
export interface WorkflowResourceRefs {
  readonly stateTable: string;
  readonly auditTable: string;
  readonly idempotencyTable: string;
  readonly eventBus: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  /** A vendor's base URL, and the secret of the OAuth client (shared/topology.ts `oauthClient`) a function uses. */
  readonly vendor: (
    vendor: VendorName,
    client: string,
  ) => { readonly baseUrl: string; readonly secretId: string };
  /** Where AppConfig holds a rule document for this stage. */
  readonly ruleDocument: (name: RuleDocumentName) => {
    readonly application: string;
    readonly environment: string;
    readonly profile: string;
  };
}

export interface WorkflowEnvInputs {
  readonly config: StageConfig;
  readonly workflow: WorkflowDeclaration;
  readonly fn: WorkflowFunction;
  readonly refs: WorkflowResourceRefs;
  readonly secretsCacheTtlSeconds?: number;
  readonly rulesMaxAgeSeconds?: number;
}

export function workflowFunctionEnv(i: WorkflowEnvInputs): z.input<typeof WorkflowEnvSchema> {
  const { config, workflow: w, fn, refs } = i;
  const vendor = refs.vendor(fn.declaration.vendor, fn.declaration.oauthClient.name);
  const settings = (config.workflows as Record<string, unknown>)[w.name];
  const ruleDocument = fn.declaration.ruleDocument;
  const rules = ruleDocument && refs.ruleDocument(ruleDocument);
  return {
    STAGE: config.stage,
    POWERTOOLS_SERVICE_NAME: w.name,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    WORKFLOW: w.name,
    WORKFLOW_FUNCTION: fn.id,
    STATE_TABLE_NAME: refs.stateTable,
    AUDIT_TABLE_NAME: refs.auditTable,
    IDEMPOTENCY_TABLE_NAME: refs.idempotencyTable,
    EVENT_BUS_NAME: refs.eventBus,
    QUEUE_URL: refs.queueUrl,
    DLQ_URL: refs.dlqUrl,
    MAX_RECEIVE_COUNT: String(w.queue.maxReceiveCount),
    VENDOR_BASE_URL: vendor.baseUrl,
    VENDOR_SECRET_ID: vendor.secretId,
    WORKFLOW_SETTINGS: JSON.stringify(settings ?? {}),
    SECRETS_CACHE_TTL_SECONDS: String(i.secretsCacheTtlSeconds ?? DEFAULT_SECRETS_CACHE_TTL_SECONDS),
    ...(ruleDocument &&
      rules && {
        RULE_DOCUMENT: ruleDocument,
        RULES_APPCONFIG_APPLICATION: rules.application,
        RULES_APPCONFIG_ENVIRONMENT: rules.environment,
        RULES_APPCONFIG_PROFILE: rules.profile,
        RULES_MAX_AGE_SECONDS: String(i.rulesMaxAgeSeconds ?? DEFAULT_RULES_MAX_AGE_SECONDS),
      }),
  };
}

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
