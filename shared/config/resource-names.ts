/**
 * Names shared by both runtimes for things that are addressed by name rather than by CloudFormation
 * reference: Secrets Manager secret names and the message attributes on workflow queues.
 */
import type { VendorName } from '../topology';

export const webhookSecretName = (stage: string, routeId: string) => `wfm-bridge/${stage}/webhook/${routeId}`;
/** One secret per OAuth client of a vendor (`oauthClient` in shared/topology.ts, decision 0013). */
export const vendorSecretName = (stage: string, vendor: VendorName, client: string) =>
  `wfm-bridge/${stage}/vendor/${vendor}/${client}`;

/** JSON stored in a webhook secret: two secrets are valid at once during rotation. */
export interface WebhookSecretValue {
  current: string;
  previous?: string;
}

/** JSON stored in a vendor secret: one OAuth client's credentials. */
export interface VendorSecretValue {
  clientId: string;
  clientSecret: string;
  /**
   * The rewards vendor's (reward-triggers' marketplace client) secret only: the key of the agent pseudonym (reward-triggers' agent-pseudonym.ts), at
   * least 32 bytes. Kept with the marketplace's credentials: it exists for that vendor and no other reads it.
   */
  agentPseudonymKey?: string;
}

/** SQS message attributes the ingress sets and the DLQ tooling reads. */
export const MessageAttribute = {
  workflow: 'workflow',
  eventType: 'eventType',
  eventId: 'eventId',
  vendor: 'vendor',
  receivedAt: 'receivedAt',
  /** Set when the ingress keeps a well-signed but schema-invalid event on the DLQ. */
  failureReason: 'failureReason',
  failureDetail: 'failureDetail',
  replayedAt: 'replayedAt',
  replayCount: 'replayCount',
  replayedBy: 'replayedBy',
} as const;

export const stackName = (stage: string) => `WfmBridge-${stage}`;

/**
 * Where a stage's rule documents live in AppConfig (decision 0010): one application per stage, its one
 * environment named after the stage, one hosted configuration profile per rule document, named after it.
 */
export const ruleApplicationName = (stage: string) => `wfm-bridge-${stage}`;
export const ruleEnvironmentName = (stage: string) => stage;

const pascal = (kebab: string) =>
  kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** CloudFormation output names per workflow; the DLQ CLI finds queues by these. */
export const stackOutputNames = (workflow: string) => {
  const p = pascal(workflow);
  return {
    queueUrl: `${p}QueueUrl`,
    queueArn: `${p}QueueArn`,
    dlqUrl: `${p}DlqUrl`,
    dlqArn: `${p}DlqArn`,
  };
};

/** CloudFormation output naming a scheduled function (the CLI invokes `reward-export-ingestion` by it). */
export const scheduleFunctionOutputName = (scheduleId: string) => `${pascal(scheduleId)}FunctionName`;

export const STACK_OUTPUTS = {
  apiUrl: 'ApiUrl',
  stateTable: 'StateTableName',
  auditTable: 'AuditTableName',
  idempotencyTable: 'IdempotencyTableName',
  eventBus: 'EventBusName',
  alarmTopic: 'AlarmTopicArn',
  diagnosticsLogGroup: 'DiagnosticsLogGroupName',
  supervisorTopic: 'SupervisorTopicArn',
} as const;

/**
 * Log group of a function, named so the runbook can say where to look: `/wfm-bridge/<stage>/ingress` and
 * `/wfm-bridge/<stage>/<workflow>/<function id>` (`processor` or the schedule id). The local runtime writes
 * each function's JSON lines under the same path (.local/logs/...).
 */
export const functionLogGroupName = (stage: string, fn: { workflow: string; id: string } | 'ingress') =>
  fn === 'ingress' ? `/wfm-bridge/${stage}/ingress` : `/wfm-bridge/${stage}/${fn.workflow}/${fn.id}`;

/** Where domain events on-call needs (e.g. `adherence.drift`) are delivered; EventBridge log targets live under /aws/events/. */
export const diagnosticsLogGroupName = (stage: string) => `/aws/events/wfm-bridge/${stage}/diagnostics`;

export { pascal as pascalCase };
