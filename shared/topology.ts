/**
 * The one declaration of what the system is made of (DESIGN section 2).
 *
 * The CDK stack (infra/) and the local runtime (local/) both build themselves from this data:
 * routes, queues, processors, schedules and vendors. A resource that exists in one runtime and not
 * the other is a bug; test/infra/topology-parity.test.ts checks it.
 */

export type WorkflowName = 'shift-overrides' | 'adherence-sync' | 'shift-bids' | 'reward-triggers';
export type VendorName = 'genesys' | 'cxone' | 'rewards';

/** `hmac-sha256`: spec 000's `X-Webhook-Signature: sha256=<hex>`; `standard-webhooks`: webhook-id/-timestamp/-signature. */
export type SignatureScheme = 'hmac-sha256' | 'standard-webhooks';

export interface RouteDeclaration {
  /** Stable id, used in secret names, metrics and construct ids. */
  readonly id: string;
  readonly method: 'POST';
  readonly path: string;
  /** Accepted signature schemes, tried in this order. */
  readonly signatureSchemes: readonly SignatureScheme[];
  /** Event contracts (shared/contracts) this route accepts, by `eventType`. */
  readonly eventTypes: readonly string[];
}

export interface QueueSettings {
  readonly batchSize: number;
  readonly maxReceiveCount: number;
  /** Event source mapping maximum concurrency (2..1000 on AWS). */
  readonly maxConcurrency: number;
  readonly maxBatchingWindowSeconds: number;
}

export interface FunctionDeclaration {
  /** Path from the repository root to the handler module; the module exports `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export interface ScheduleDeclaration {
  readonly id: string;
  /** EventBridge Scheduler expression, e.g. `rate(1 minute)` or `cron(15 2 * * ? *)`. */
  readonly expression: string;
  /** IANA time zone the expression is evaluated in. */
  readonly timeZone: string;
  readonly function: FunctionDeclaration;
  readonly description: string;
}

export interface WorkflowDeclaration {
  readonly name: WorkflowName;
  readonly vendor: VendorName;
  readonly spec: string;
  readonly description: string;
  readonly routes: readonly RouteDeclaration[];
  readonly queue: QueueSettings;
  readonly processor: FunctionDeclaration;
  readonly schedules: readonly ScheduleDeclaration[];
}

export interface VendorDeclaration {
  readonly name: VendorName;
  /** Token-bucket limit the vendor enforces for this tenant (spec 000 / the workflow spec). */
  readonly rateLimit: { readonly ratePerSecond: number; readonly burst: number };
  /** Path of the OAuth client-credentials token endpoint, relative to the vendor base URL. */
  readonly tokenPath: string;
}

export const INGRESS_FUNCTION: FunctionDeclaration = {
  entry: 'functions/ingress/handler.ts',
  timeoutSeconds: 10,
  memoryMb: 512,
};

const defaultQueue: QueueSettings = {
  batchSize: 10,
  maxReceiveCount: 5,
  maxConcurrency: 5,
  maxBatchingWindowSeconds: 0,
};

export const VENDORS: readonly VendorDeclaration[] = [
  // Spec 000: 300 requests per minute per org; the adherence endpoint has its own 100 rps / burst 150 (spec 002).
  { name: 'genesys', rateLimit: { ratePerSecond: 5, burst: 5 }, tokenPath: '/oauth/token' },
  // Spec 000 / 003: 50 requests per second.
  { name: 'cxone', rateLimit: { ratePerSecond: 50, burst: 50 }, tokenPath: '/oauth/token' },
  { name: 'rewards', rateLimit: { ratePerSecond: 20, burst: 20 }, tokenPath: '/oauth/token' },
];

/** Spec 002: the WEM adherence endpoint allows 100 requests/s per tenant with a burst of 150. */
export const GENESYS_ADHERENCE_RATE_LIMIT = { ratePerSecond: 100, burst: 150 } as const;

export const WORKFLOWS: readonly WorkflowDeclaration[] = [
  {
    name: 'shift-overrides',
    vendor: 'genesys',
    spec: '001',
    description: 'Approved time-off becomes shift REMOVE overrides; cancellations roll them back.',
    routes: [
      {
        id: 'genesys-timeoff',
        method: 'POST',
        path: '/webhooks/genesys/timeoff',
        signatureSchemes: ['hmac-sha256', 'standard-webhooks'],
        eventTypes: ['timeoff.request.approved', 'timeoff.request.cancelled'],
      },
    ],
    queue: { ...defaultQueue, batchSize: 5 },
    processor: { entry: 'functions/shift-overrides/handler.ts', timeoutSeconds: 60, memoryMb: 512 },
    schedules: [],
  },
  {
    name: 'adherence-sync',
    vendor: 'genesys',
    spec: '002',
    description:
      'Agent state transitions reach Genesys WEM adherence, only on transitions, at the vendor limit.',
    routes: [
      {
        id: 'agent-state',
        method: 'POST',
        path: '/webhooks/agent-state',
        signatureSchemes: ['hmac-sha256', 'standard-webhooks'],
        eventTypes: ['agent.state.changed'],
      },
    ],
    queue: { ...defaultQueue, batchSize: 10, maxConcurrency: 10 },
    processor: { entry: 'functions/adherence-sync/handler.ts', timeoutSeconds: 30, memoryMb: 512 },
    schedules: [
      {
        id: 'adherence-reconciliation',
        expression: 'rate(1 minute)',
        timeZone: 'UTC',
        function: { entry: 'functions/adherence-reconcile/handler.ts', timeoutSeconds: 50, memoryMb: 512 },
        description:
          'Compares last acknowledged agent states with WEM and repairs drift (spec 002 section 4).',
      },
    ],
  },
  {
    name: 'shift-bids',
    vendor: 'cxone',
    spec: '003',
    description: 'CXone shift-bid requests are auto-approved or rejected by the rule engine.',
    routes: [
      {
        id: 'cxone-bidding',
        method: 'POST',
        path: '/webhooks/cxone/bidding',
        signatureSchemes: ['hmac-sha256', 'standard-webhooks'],
        eventTypes: ['wfm.bidding.request.created', 'wfm.bidding.request.updated'],
      },
      {
        id: 'cxone-schedule',
        method: 'POST',
        path: '/webhooks/cxone/schedule',
        signatureSchemes: ['hmac-sha256', 'standard-webhooks'],
        eventTypes: ['wfm.schedule.published', 'wfm.schedule.overridden'],
      },
    ],
    queue: { ...defaultQueue },
    processor: { entry: 'functions/shift-bids/handler.ts', timeoutSeconds: 60, memoryMb: 512 },
    schedules: [],
  },
  {
    name: 'reward-triggers',
    vendor: 'rewards',
    spec: '004',
    description: 'Performance exports become reward issues and clawbacks at the reward marketplace.',
    routes: [],
    queue: { ...defaultQueue },
    processor: { entry: 'functions/reward-triggers/handler.ts', timeoutSeconds: 60, memoryMb: 512 },
    schedules: [
      {
        id: 'reward-export-ingestion',
        expression: 'cron(30 2 * * ? *)',
        timeZone: 'America/New_York',
        function: { entry: 'functions/reward-export-ingest/handler.ts', timeoutSeconds: 300, memoryMb: 1024 },
        description:
          'Pulls the nightly performance export and enqueues one reward evaluation per agent (spec 004).',
      },
    ],
  },
];

export const ROUTES: readonly (RouteDeclaration & { readonly workflow: WorkflowName })[] = WORKFLOWS.flatMap(
  (w) => w.routes.map((r) => ({ ...r, workflow: w.name })),
);

export const SCHEDULES: readonly (ScheduleDeclaration & { readonly workflow: WorkflowName })[] =
  WORKFLOWS.flatMap((w) => w.schedules.map((s) => ({ ...s, workflow: w.name })));

export function workflowByName(name: string): WorkflowDeclaration | undefined {
  return WORKFLOWS.find((w) => w.name === name);
}

export function vendorByName(name: VendorName): VendorDeclaration {
  const vendor = VENDORS.find((v) => v.name === name);
  if (!vendor) throw new Error(`Unknown vendor ${name}`);
  return vendor;
}

/** Visibility timeout rule (AWS guidance for SQS event sources): at least 6x the function timeout. */
export function visibilityTimeoutSeconds(w: WorkflowDeclaration): number {
  return w.processor.timeoutSeconds * 6;
}
