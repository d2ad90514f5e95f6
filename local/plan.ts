/**
 * What the local runtime builds, derived from the same declarations as the CDK stack (shared/topology.ts,
 * shared/tables.ts). Pure: the parity test compares it with the synthesized template without any server.
 */
import { vendorSecretName, webhookSecretName } from '../shared/config/resource-names';
import { TABLES, type TableDeclaration } from '../shared/tables';
import {
  INGRESS_FUNCTION,
  ROUTES,
  SCHEDULES,
  VENDORS,
  WORKFLOWS,
  type FunctionDeclaration,
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
      ...VENDORS.map((v) => vendorSecretName(LOCAL_STAGE, v.name)),
    ],
    busName: `${prefix}-domain-events`,
    ingress: INGRESS_FUNCTION,
  };
}
