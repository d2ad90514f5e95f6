/**
 * What the local runtime builds, derived from the same declarations as the CDK stack (shared/topology.ts,
 * shared/tables.ts). Pure: the parity test compares it with the synthesized template without any server.
 */
import type { z } from 'zod/mini';
import {
  ingressFunctionEnv,
  workflowFunctionEnv,
  type IngressEnvSchema,
  type WorkflowEnvSchema,
} from '../shared/config/function-env';
import {
  ruleApplicationName,
  ruleEnvironmentName,
  vendorSecretName,
  webhookSecretName,
} from '../shared/config/resource-names';
import type { StageConfig } from '../shared/config/stage';
import { TABLES, type TableDeclaration } from '../shared/tables';
import {
  functionsOf,
  INGRESS_FUNCTION,
  ROUTES,
  SCHEDULES,
  oauthClients,
  WORKFLOWS,
  type FunctionDeclaration,
  type VendorName,
  type WorkflowName,
} from '../shared/topology';

export const LOCAL_STAGE = 'local';
const prefix = `wfm-bridge-${LOCAL_STAGE}`;

export interface LocalPlan {
  readonly tables: readonly (TableDeclaration & { name: string })[];
  readonly queues: readonly {
    workflow: string;
    queueName: string;
    dlqName: string;
    maxReceiveCount: number;
    batchSize: number;
    concurrency: number;
    processor: FunctionDeclaration;
  }[];
  readonly routes: readonly {
    id: string;
    method: string;
    path: string;
    workflow: string;
    secretName: string;
  }[];
  readonly schedules: readonly {
    id: string;
    workflow: string;
    expression: string;
    timeZone: string;
    fn: FunctionDeclaration;
  }[];
  readonly secrets: readonly string[];
  readonly busName: string;
  readonly ingress: FunctionDeclaration;
}

export function buildLocalPlan(): LocalPlan {
  return {
    tables: TABLES.map((t) => ({ ...t, name: `${prefix}-${t.id.toLowerCase()}` })),
    queues: WORKFLOWS.map((w) => ({
      workflow: w.name,
      queueName: `${prefix}-${w.name}`,
      dlqName: `${prefix}-${w.name}-dlq`,
      maxReceiveCount: w.queue.maxReceiveCount,
      batchSize: w.queue.batchSize,
      concurrency: w.queue.maxConcurrency,
      processor: w.processor,
    })),
    routes: ROUTES.map((r) => ({
      id: r.id,
      method: r.method,
      path: r.path,
      workflow: r.workflow,
      secretName: webhookSecretName(LOCAL_STAGE, r.id),
    })),
    schedules: SCHEDULES.map((s) => ({
      id: s.id,
      workflow: s.workflow,
      expression: s.expression,
      timeZone: s.timeZone,
      fn: s.function,
    })),
    secrets: [
      ...ROUTES.map((r) => webhookSecretName(LOCAL_STAGE, r.id)),
      ...oauthClients().map((c) => vendorSecretName(LOCAL_STAGE, c.vendor, c.name)),
    ],
    busName: `${prefix}-domain-events`,
    ingress: INGRESS_FUNCTION,
  };
}

/** Where the local runtime put what the plan declares (or placeholders, for the parity test). */
export interface LocalResourceRefs {
  /** Table names by table id (State, Audit, Idempotency). */
  readonly tables: Readonly<Record<string, string>>;
  readonly busName: string;
  readonly queues: Readonly<Record<string, { readonly queueUrl: string; readonly dlqUrl: string }>>;
  readonly vendorUrls: Readonly<Record<VendorName, string>>;
}

export interface LocalFunctionEnvironments {
  readonly ingress: z.input<typeof IngressEnvSchema>;
  /** Per workflow, per function id (`processor` or a schedule id). */
  readonly workflows: Readonly<
    Record<WorkflowName, Readonly<Record<string, z.input<typeof WorkflowEnvSchema>>>>
  >;
}

/** Locally, rotated secrets show within seconds rather than five minutes. */
const LOCAL_SECRETS_CACHE_TTL_SECONDS = 5;
/** Locally, a rule document put through the gateway applies within seconds rather than a minute. */
export const LOCAL_RULES_MAX_AGE_SECONDS = 2;

/** Where the local AppConfig fake holds a rule document: names, as AppConfigData accepts. */
export const localRuleDocumentLocation = (name: string) => ({
  application: ruleApplicationName(LOCAL_STAGE),
  environment: ruleEnvironmentName(LOCAL_STAGE),
  profile: name,
});

/**
 * Every function's environment, built by the same shared/config/function-env.ts builders as the CDK stack;
 * the local runtime adds only its local extras (AWS endpoints, credentials, log level, WFM_ knobs).
 */
export function localFunctionEnvironments(
  plan: LocalPlan,
  config: StageConfig,
  refs: LocalResourceRefs,
): LocalFunctionEnvironments {
  const queueOf = (workflow: string) => {
    const q = refs.queues[workflow];
    if (!q) throw new Error(`No local queue for workflow ${workflow}`);
    return q;
  };
  const ingress = ingressFunctionEnv({
    config,
    nonceTable: refs.tables.WebhookNonces!,
    secretsCacheTtlSeconds: LOCAL_SECRETS_CACHE_TTL_SECONDS,
    routes: (routeId) => {
      const route = plan.routes.find((r) => r.id === routeId)!;
      const q = queueOf(route.workflow);
      return { queueUrl: q.queueUrl, dlqUrl: q.dlqUrl, secretId: route.secretName };
    },
  });
  const workflows = Object.fromEntries(
    WORKFLOWS.map((w) => {
      const q = queueOf(w.name);
      const envs = functionsOf(w).map((fn) => [
        fn.id,
        workflowFunctionEnv({
          config,
          workflow: w,
          fn,
          secretsCacheTtlSeconds: LOCAL_SECRETS_CACHE_TTL_SECONDS,
          rulesMaxAgeSeconds: LOCAL_RULES_MAX_AGE_SECONDS,
          refs: {
            stateTable: refs.tables.State!,
            auditTable: refs.tables.Audit!,
            idempotencyTable: refs.tables.Idempotency!,
            eventBus: refs.busName,
            queueUrl: q.queueUrl,
            dlqUrl: q.dlqUrl,
            vendor: (vendor, client) => ({
              baseUrl: refs.vendorUrls[vendor],
              secretId: vendorSecretName(LOCAL_STAGE, vendor, client),
            }),
            ruleDocument: localRuleDocumentLocation,
          },
        }),
      ]);
      return [w.name, Object.fromEntries(envs)];
    }),
  ) as LocalFunctionEnvironments['workflows'];
  return { ingress, workflows };
}

/** References with placeholder URLs, so the environments can be built (and compared) without servers. */
export function placeholderRefs(plan: LocalPlan, config: StageConfig): LocalResourceRefs {
  const queueUrl = (name: string) => `http://127.0.0.1:9324/000000000000/${name}`;
  return {
    tables: Object.fromEntries(plan.tables.map((t) => [t.id, t.name])),
    busName: plan.busName,
    queues: Object.fromEntries(
      plan.queues.map((q) => [q.workflow, { queueUrl: queueUrl(q.queueName), dlqUrl: queueUrl(q.dlqName) }]),
    ),
    vendorUrls: {
      genesys: config.vendors.genesys.baseUrl,
      cxone: config.vendors.cxone.baseUrl,
      rewards: config.vendors.rewards.baseUrl,
    },
  };
}
