/**
 * The one declaration of what the system is made of (DESIGN section 2).
 *
 * The CDK stack (infra/) and the local runtime (local/) both build themselves from this data:
 * routes, queues, processors, schedules and vendors. A resource that exists in one runtime and not
 * the other is a bug; test/infra/topology-parity.test.ts checks it.
 *
 * Facts about one function live on that function's declaration: which vendor it calls (its
 * VENDOR_BASE_URL follows it) with which OAuth client and scopes (its VENDOR_SECRET_ID, secret grant and shared
 * token follow the client), its vendor-client profile (retry table,
 * timeouts, breaker) and the alarms it needs. Facts about one route live on the route (shared/routes.ts, the
 * part of this declaration the ingress loads): the event types it acts on and its ingress rule
 * (shared/domain/<workflow>/ingress-rule.ts), which names the well-formed types it ignores and why.
 */
import type { BreakerSettings } from './http/circuit-breaker';
import type { RetryTable } from './http/retry-policy';
import type { Timeouts } from './http/vendor-http-client';
import type { MetricName } from './observability/metrics';
import { WORKFLOW_ROUTES, type RouteDeclaration } from './routes';

export { ROUTES, type RouteDeclaration, type SignatureScheme } from './routes';
import { LOCK_KEY, STATE_KEY, type LockKind, type StateKeyKind } from './tables';

export type WorkflowName = 'shift-overrides' | 'adherence-sync' | 'shift-bids' | 'reward-triggers';
export type VendorName = 'genesys' | 'cxone' | 'rewards';
/** A versioned rule document outside the code (shared/config/rule-documents.ts, decision 0010). */
export type RuleDocumentName = 'shift-bids-rules' | 'reward-points-rules';

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
  /** Alarms beyond the ones every function has (`FUNCTION_ALARMS`) and those `alarmsOf` derives. */
  readonly alarms?: readonly AlarmDeclaration[];
}

/** How a function's vendor client departs from the defaults (spec 000's retry table, 3+7 s, spec 002's breaker). */
export interface VendorClientProfile {
  readonly retry?: Partial<RetryTable>;
  readonly timeouts?: Partial<Timeouts>;
  readonly breaker?: BreakerSettings;
}

/** Where an alarm's metric comes from. */
export type AlarmSource =
  /**
   * A custom metric of shared/observability/metrics.ts, on its emitter's base dimensions (`service`, and
   * `workflow` for a workflow function), plus `dimensions` when the alarm watches one breakdown value.
   */
  | {
      readonly source: 'custom';
      readonly metricName: MetricName;
      readonly dimensions?: Readonly<Record<string, string>>;
    }
  /** The function's own Lambda metric (one alarm per function that declares it). */
  | { readonly source: 'lambda'; readonly metricName: 'Errors' | 'Throttles' | 'Invocations' }
  /** The webhook API stage's API Gateway metric. */
  | { readonly source: 'api'; readonly metricName: '5XXError' | 'Latency' }
  /**
   * Counted from the webhook API's access log by a metric filter (namespace `API_ACCESS_LOG_NAMESPACE`):
   * API Gateway has no metric of its own for what it throttles, whose 429s are inside 4XXError with every
   * refusal of the ingress. `filterPattern` reads the access log's JSON fields.
   */
  | {
      readonly source: 'api-access-log';
      readonly metricName: 'ApiThrottled';
      readonly filterPattern: string;
    };

/** The namespace of the metrics counted from the webhook API's access log (`api-access-log` alarms). */
export const API_ACCESS_LOG_NAMESPACE = 'WfmBridge/WebhookApi';

export type AlarmDeclaration = AlarmSource & {
  /** The alarm's kind, PascalCase: part of its construct id, and its section in docs/runbook.md. */
  readonly id: string;
  readonly statistic: 'Sum' | 'Maximum' | 'p99';
  readonly periodMinutes: number;
  /** Consecutive periods the condition must hold (default 1). */
  readonly evaluationPeriods?: number;
  readonly threshold: number;
  /** Fires when the statistic is greater (default) or less than the threshold. */
  readonly comparison?: 'greater' | 'less';
  /** How a period without data counts (default: not breaching). A heartbeat counts silence as breaching. */
  readonly whenMissing?: 'notBreaching' | 'breaching';
  readonly description: string;
};

/**
 * One OAuth client of a vendor: a dedicated service account with the minimum scopes (spec 000), one per workflow
 * and vendor (docs/decisions/0013-oauth-client-per-workflow.md). It has its own secret
 * (`vendorSecretName(stage, vendor, name)`) and its own shared token; the functions of a workflow that call one
 * vendor share it. Genesys revokes a client's token when it issues the next one (spec 002), so two workflows
 * asking one client for different scopes would revoke each other.
 */
export interface OAuthClientDeclaration {
  /** Names the client's secret and its shared token (the workflow it serves). */
  readonly name: string;
  /** Sent as the token request's `scope` (space-separated); none sends no `scope`. */
  readonly scopes: readonly string[];
}

/** A processor or scheduled function of a workflow. */
export interface WorkflowFunctionDeclaration extends FunctionDeclaration {
  /** The vendor this function calls. */
  readonly vendor: VendorName;
  /** The OAuth client it calls the vendor with: its secret is the only one the function may read. */
  readonly oauthClient: OAuthClientDeclaration;
  readonly vendorClient?: VendorClientProfile;
  /** The rule document it reads: its AppConfig profile, the read grant on it and its env follow. */
  readonly ruleDocument?: RuleDocumentName;
  /**
   * The State-table items it reads and writes (shared/tables.ts `STATE_KEY`), beyond its vendor's shared token
   * and rate-limit buckets: its grant on the table allows these partition keys only (`stateKeysOf`).
   */
  readonly stateKeys: { readonly items: readonly StateKeyKind[]; readonly locks?: readonly LockKind[] };
  /**
   * It lists items with a Scan, which `dynamodb:LeadingKeys` cannot scope: Scan is granted on its own, to this
   * function only.
   */
  readonly scansStateTable?: boolean;
  /** A scheduled function that sends messages to its workflow's queue (its only SQS grant). */
  readonly enqueues?: boolean;
}

export interface ScheduleDeclaration {
  readonly id: string;
  /** EventBridge Scheduler expression, e.g. `rate(1 minute)` or `cron(15 2 * * ? *)`. */
  readonly expression: string;
  /** IANA time zone the expression is evaluated in. */
  readonly timeZone: string;
  readonly function: WorkflowFunctionDeclaration;
  readonly description: string;
  /**
   * The `DidNotRun` heartbeat: the function must be invoked at least once in every period this long
   * (a whole number of minutes CloudWatch accepts as a period: 1, 5, 10, 30 or a multiple of 60, at most a day).
   */
  readonly heartbeatMinutes: number;
}

export interface WorkflowDeclaration {
  readonly name: WorkflowName;
  readonly spec: string;
  readonly description: string;
  readonly routes: readonly RouteDeclaration[];
  readonly queue: QueueSettings;
  readonly processor: WorkflowFunctionDeclaration;
  readonly schedules: readonly ScheduleDeclaration[];
}

/** A domain event type the code publishes on the bus (shared/ports/platform.ts `DomainEvent.type`). */
export interface DomainEventDeclaration {
  readonly type: string;
  /** Delivered to the diagnostics log group on-call reads (every event is archived either way). */
  readonly onCall: boolean;
}

/** Every domain event type the code publishes; test/infra checks the code publishes no other. */
export const DOMAIN_EVENTS: readonly DomainEventDeclaration[] = [
  // Spec 002 section 4: the drift diagnosis (payload hash, token refresh time, rate-limit headers).
  { type: 'adherence.drift', onCall: true },
  { type: 'override.applied', onCall: false },
  { type: 'override.rolled_back', onCall: false },
  // Spec 001: the lifecycle record went FAILED (the message is also dead-lettered with its reason).
  { type: 'override.failed', onCall: true },
  { type: 'bid.received', onCall: false },
  { type: 'bid.approved', onCall: false },
  { type: 'bid.rejected', onCall: false },
  // Spec 003: automation stopped for the request; a supervisor decides (they are notified separately).
  { type: 'bid.escalated', onCall: true },
  // The supervisor's notice of an escalation (shared/adapters/aws/supervisor-notifier.ts).
  { type: 'bid.supervisor_notification', onCall: true },
  { type: 'bid.reconciled', onCall: false },
  { type: 'schedule.cache_invalidated', onCall: false },
  { type: 'rewards.ingestion.completed', onCall: false },
  { type: 'reward.issued', onCall: false },
  // Spec 004: a REWARD_FAILURE (REJECTED by the marketplace); the points were unlocked.
  { type: 'reward.failed', onCall: true },
  // 400/409, three failed attempts or a PENDING past its deadline: the points stay locked for an administrator.
  { type: 'reward.needs_review', onCall: true },
  { type: 'reward.reversed', onCall: false },
  // The marketplace refused a clawback: the debt is recorded for an administrator.
  { type: 'reward.clawback_refused', onCall: true },
];

export interface VendorDeclaration {
  readonly name: VendorName;
  /** Token-bucket limit the vendor enforces for this tenant (spec 000 / the workflow spec). */
  readonly rateLimit: { readonly ratePerSecond: number; readonly burst: number };
  /** Path of the OAuth client-credentials token endpoint, relative to the vendor base URL. */
  readonly tokenPath: string;
  /** Refresh the shared token this long before it expires (at most half its life). Default 300 s. */
  readonly refreshBeforeSeconds?: number;
  /**
   * After a 401 on the current token, every request of the client backs off this long while the one refresh
   * runs (scaled by WFM_RETRY_SCALE like every retry wait). Default 0: specs 000, 002 and 004 refresh and
   * retry at once.
   */
  readonly pauseAfterUnauthorizedMs?: number;
}

export const INGRESS_FUNCTION: FunctionDeclaration = {
  entry: 'functions/ingress/handler.ts',
  timeoutSeconds: 10,
  memoryMb: 512,
  alarms: [
    {
      id: 'Api5xx',
      source: 'api',
      metricName: '5XXError',
      statistic: 'Sum',
      periodMinutes: 5,
      threshold: 0,
      description: 'the webhook API answered 5xx: vendors will retry, then give up',
    },
    {
      id: 'ApiLatencyP99',
      source: 'api',
      metricName: 'Latency',
      statistic: 'p99',
      periodMinutes: 5,
      threshold: 5000,
      description: 'p99 webhook latency is above 5 s (vendors time out and redeliver)',
    },
    {
      // The ingress itself never answers 429 (docs/webhook-contract.md): every 429 here is API Gateway's throttle.
      id: 'ApiThrottled',
      source: 'api-access-log',
      metricName: 'ApiThrottled',
      filterPattern: '{ $.status = "429" }',
      statistic: 'Sum',
      periodMinutes: 5,
      threshold: 0,
      description:
        "the webhook API's throttle answered 429: vendors retry with backoff, and give up after their last retry",
    },
    {
      id: 'SignatureRejected',
      source: 'custom',
      metricName: 'SignatureRejected',
      statistic: 'Sum',
      periodMinutes: 5,
      threshold: 20,
      description: 'more than 20 webhooks in 5 minutes failed their signature check',
    },
  ],
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
  // Spec 003 edge case 3: the token is refreshed 10 minutes before it expires; a 401 triggers one refresh and
  // a 5 s pause of active requests.
  {
    name: 'cxone',
    rateLimit: { ratePerSecond: 50, burst: 50 },
    tokenPath: '/oauth/token',
    refreshBeforeSeconds: 600,
    pauseAfterUnauthorizedMs: 5000,
  },
  { name: 'rewards', rateLimit: { ratePerSecond: 20, burst: 20 }, tokenPath: '/oauth/token' },
];

/** Spec 002: the WEM adherence endpoint allows 100 requests/s per tenant with a burst of 150. */
export const GENESYS_ADHERENCE_RATE_LIMIT = { ratePerSecond: 100, burst: 150 } as const;

/** Every function, the ingress included, has these (one per function). */
export const FUNCTION_ALARMS: readonly AlarmDeclaration[] = [
  {
    id: 'Errors',
    source: 'lambda',
    metricName: 'Errors',
    statistic: 'Sum',
    periodMinutes: 1,
    threshold: 0,
    description: 'the function failed invocations',
  },
  {
    id: 'Throttles',
    source: 'lambda',
    metricName: 'Throttles',
    statistic: 'Sum',
    periodMinutes: 1,
    threshold: 0,
    description: 'Lambda throttled the function',
  },
];

/** The vendor client counts `BreakerOpen` when its breaker opens: every vendor-calling function needs this. */
export const BREAKER_OPEN_ALARM: AlarmDeclaration = {
  id: 'BreakerOpen',
  source: 'custom',
  metricName: 'BreakerOpen',
  statistic: 'Sum',
  periodMinutes: 1,
  threshold: 0,
  description: "the vendor circuit breaker opened (the vendor's success rate fell below the threshold)",
};

/** A rule source counts `RuleDocumentRefused` on every read of a deployed document that fails validation. */
export const RULE_DOCUMENT_REFUSED_ALARM: AlarmDeclaration = {
  id: 'RuleDocumentRefused',
  source: 'custom',
  metricName: 'RuleDocumentRefused',
  statistic: 'Sum',
  periodMinutes: 5,
  threshold: 0,
  description: 'a deployed rule document failed validation; the last good version stays in force',
};

/** Spec 003 edge case 3: a token refresh over 2 s means the network or the OAuth endpoint is degraded. */
const TOKEN_REFRESH_SLOW_ALARM: AlarmDeclaration = {
  id: 'TokenRefreshSlow',
  source: 'custom',
  metricName: 'TokenRefreshDuration',
  statistic: 'Maximum',
  periodMinutes: 5,
  threshold: 2000,
  description: 'a vendor token refresh took over 2 s (network or OAuth endpoint degraded)',
};

/** Spec 002 section 4: reconciliation counts the agents whose WEM state drifted and were repaired. */
const DRIFT_ALARM: AlarmDeclaration = {
  id: 'Drift',
  source: 'custom',
  metricName: 'Drift',
  statistic: 'Sum',
  periodMinutes: 5,
  threshold: 5,
  description: 'reconciliation repaired more than 5 drifted agents in 5 minutes',
};

/** Agents left unchecked for lack of time, every run for a quarter of an hour: the tenant outgrew one run. */
const RECONCILE_DEFERRED_ALARM: AlarmDeclaration = {
  id: 'ReconcileDeferred',
  source: 'custom',
  metricName: 'ReconcileDeferred',
  statistic: 'Sum',
  periodMinutes: 1,
  evaluationPeriods: 15,
  threshold: 0,
  description: 'reconciliation left agents unchecked in every run for 15 minutes',
};

/** Dashboard reads or repairs that failed for single agents (the run goes on with the others). */
const RECONCILE_ERRORS_ALARM: AlarmDeclaration = {
  id: 'ReconcileErrors',
  source: 'custom',
  metricName: 'ReconcileErrors',
  statistic: 'Sum',
  periodMinutes: 5,
  threshold: 0,
  description: 'reconciliation could not check or repair some agents',
};

/** Spec 002 section 4: WEM processing over 200 ms means a compliance recalculation (payload or reason codes). */
const WEM_RECALCULATIONS_ALARM: AlarmDeclaration = {
  id: 'WemRecalculations',
  source: 'custom',
  metricName: 'WemRecalculations',
  statistic: 'Sum',
  periodMinutes: 5,
  threshold: 5,
  description: 'WEM took over 200 ms to process more than 5 adherence pushes in 5 minutes',
};

/** Spec 002 section 4: more than 500 ms from dispatch to WEM's answer is a processing bottleneck. */
const WEM_DISPATCH_GAPS_ALARM: AlarmDeclaration = {
  id: 'WemDispatchGaps',
  source: 'custom',
  metricName: 'WemDispatchGaps',
  statistic: 'Sum',
  periodMinutes: 5,
  threshold: 5,
  description: 'more than 5 adherence pushes in 5 minutes were answered over 500 ms after dispatch',
};

/** Spec 004 section 3: the marketplace answered REJECTED (REWARD_FAILURE); the points were unlocked. */
const REWARD_ISSUE_REJECTED_ALARM: AlarmDeclaration = {
  id: 'RewardIssueRejected',
  source: 'custom',
  metricName: 'RewardIssueRejected',
  statistic: 'Sum',
  periodMinutes: 5,
  threshold: 0,
  description: 'the reward marketplace rejected a reward (REWARD_FAILURE); the points were unlocked',
};

/** 400/409, three failed attempts or a PENDING past its deadline: the points stay locked until someone acts. */
const REWARD_NEEDS_ADMINISTRATOR_ALARM: AlarmDeclaration = {
  id: 'RewardNeedsAdministrator',
  source: 'custom',
  metricName: 'RewardNeedsAdministrator',
  statistic: 'Sum',
  periodMinutes: 5,
  threshold: 0,
  description: "a reward is locked for the WFM administrators' review (the points stay locked)",
};

/** Spec 004 edge case 4: the marketplace refused a clawback; the debt is in the ledger. */
const REWARD_CLAWBACK_REFUSED_ALARM: AlarmDeclaration = {
  id: 'RewardClawbackRefused',
  source: 'custom',
  metricName: 'RewardClawbackRefused',
  statistic: 'Sum',
  periodMinutes: 5,
  threshold: 0,
  description: 'the reward marketplace refused a clawback; the debt is recorded',
};

/** Days of the export an ingestion run could not load (total mismatch, unreadable page): the run failed. */
const REWARD_INGESTION_FAILED_DAYS_ALARM: AlarmDeclaration = {
  id: 'RewardIngestionFailedDays',
  source: 'custom',
  metricName: 'RewardIngestionFailedDays',
  statistic: 'Sum',
  periodMinutes: 60,
  threshold: 0,
  description: 'a reward export ingestion run could not load some days of the export',
};

/**
 * A run that stopped before its deadline with days left (`partial`: the next run continues from `resumeFrom`),
 * two nights in a row: the backlog is not catching up (decision 0009). One partial night is expected (a first
 * run's 90 days). The schedule runs once a UTC day, so each one-day period holds one run.
 */
const REWARD_INGESTION_PARTIAL_ALARM: AlarmDeclaration = {
  id: 'RewardIngestionPartial',
  source: 'custom',
  metricName: 'RewardIngestionPartial',
  statistic: 'Sum',
  periodMinutes: 24 * 60,
  evaluationPeriods: 2,
  threshold: 0,
  description: 'the reward export ingestion stopped before its deadline with days left two nights in a row',
};

/**
 * The reward marketplace client's profile (shared/adapters/rewards/marketplace.ts). The client's own retries
 * are off where a retry could issue twice or spend the workflow's three attempts behind its back. A 429 stays retried by the client: the marketplace did nothing with it (issue-outcome.ts), and the
 * wait it asks for is the client's to honour. A 401 is refreshed and retried once by the client (not processed).
 */
export const MARKETPLACE_RETRY: Partial<RetryTable> = {
  serverErrorRetries: 0,
  gatewayErrorRetries: 0,
  networkAttempts: 1,
};

/** Spec 004 edge case 1. The client has no separate connect phase: connect + read bound the header wait. */
export const MARKETPLACE_TIMEOUTS: Partial<Timeouts> = {
  connectMs: 10_000,
  responseHeadersMs: 45_000,
  bodyIdleMs: 45_000,
};

/** Spec 001, Prerequisites: the OAuth scopes of the time-off to override integration. */
const SHIFT_OVERRIDES_GENESYS_CLIENT: OAuthClientDeclaration = {
  name: 'shift-overrides',
  scopes: ['wfm:timeoff:request:read', 'wfm:scheduling:shift:read', 'wfm:scheduling:override:write'],
};

/** Spec 002, Prerequisites: the processor and the reconciliation share it (one token, decision 0007). */
const ADHERENCE_SYNC_GENESYS_CLIENT: OAuthClientDeclaration = {
  name: 'adherence-sync',
  scopes: ['wem:adherence:view', 'wem:adherence:edit', 'wem:agent:view'],
};

/** Spec 003, Prerequisites: the processor and the sweep share it. */
const SHIFT_BIDS_CXONE_CLIENT: OAuthClientDeclaration = {
  name: 'shift-bids',
  scopes: ['wfm:bidding:write', 'wfm:schedule:read', 'wfm:agent:read', 'wfm:site:read'],
};

/**
 * The export ingestion's Genesys client: spec 004 lists three "mandatory" scopes; the ingestion only reads the
 * performance export, so it asks for `wfm.export.read` alone (decision 0013).
 */
const REWARD_TRIGGERS_GENESYS_CLIENT: OAuthClientDeclaration = {
  name: 'reward-triggers',
  scopes: ['wfm.export.read'],
};

/** The marketplace's client: spec 004 names no marketplace scope, so the token request sends none. */
const REWARD_TRIGGERS_MARKETPLACE_CLIENT: OAuthClientDeclaration = { name: 'reward-triggers', scopes: [] };

export const WORKFLOWS: readonly WorkflowDeclaration[] = [
  {
    name: 'shift-overrides',
    spec: '001',
    description: 'Approved time-off becomes shift REMOVE overrides; cancellations roll them back.',
    routes: WORKFLOW_ROUTES['shift-overrides'],
    queue: { ...defaultQueue, batchSize: 5 },
    processor: {
      entry: 'functions/shift-overrides/handler.ts',
      timeoutSeconds: 60,
      memoryMb: 512,
      vendor: 'genesys',
      oauthClient: SHIFT_OVERRIDES_GENESYS_CLIENT,
      stateKeys: { items: ['timeOff'], locks: ['timeOff'] },
    },
    schedules: [],
  },
  {
    name: 'adherence-sync',
    spec: '002',
    description:
      'Agent state transitions reach Genesys WEM adherence, only on transitions, at the vendor limit.',
    routes: WORKFLOW_ROUTES['adherence-sync'],
    queue: { ...defaultQueue, batchSize: 10, maxConcurrency: 10 },
    processor: {
      entry: 'functions/adherence-sync/handler.ts',
      timeoutSeconds: 30,
      memoryMb: 512,
      vendor: 'genesys',
      oauthClient: ADHERENCE_SYNC_GENESYS_CLIENT,
      stateKeys: { items: ['agent'], locks: ['agent'] },
      alarms: [WEM_RECALCULATIONS_ALARM, WEM_DISPATCH_GAPS_ALARM],
    },
    schedules: [
      {
        id: 'adherence-reconciliation',
        expression: 'rate(1 minute)',
        timeZone: 'UTC',
        function: {
          entry: 'functions/adherence-reconcile/handler.ts',
          timeoutSeconds: 50,
          memoryMb: 512,
          vendor: 'genesys',
          oauthClient: ADHERENCE_SYNC_GENESYS_CLIENT,
          stateKeys: { items: ['agent'], locks: ['agent'] },
          scansStateTable: true,
          alarms: [DRIFT_ALARM, RECONCILE_DEFERRED_ALARM, RECONCILE_ERRORS_ALARM],
        },
        description:
          'Compares last acknowledged agent states with WEM and repairs drift (spec 002 section 4).',
        heartbeatMinutes: 5,
      },
    ],
  },
  {
    name: 'shift-bids',
    spec: '003',
    description: 'CXone shift-bid requests are auto-approved or rejected by the rule engine.',
    routes: WORKFLOW_ROUTES['shift-bids'],
    queue: { ...defaultQueue },
    processor: {
      entry: 'functions/shift-bids/handler.ts',
      // Spec 003 edge case 2: an action may wait out a 60-120 s publication lock, so its own timeout is 120 s;
      // two attempts of it (the whole call bounded at 240 s) fit, and longer 423 waits are deferred (RetryLater).
      // The claim lock on a shift lasts this long too, so a dead worker's claim frees itself within it.
      timeoutSeconds: 300,
      memoryMb: 512,
      vendor: 'cxone',
      oauthClient: SHIFT_BIDS_CXONE_CLIENT,
      ruleDocument: 'shift-bids-rules',
      alarms: [TOKEN_REFRESH_SLOW_ALARM],
      stateKeys: { items: ['bid', 'bidAward', 'scheduleCache', 'event'], locks: ['bidClaim'] },
      vendorClient: {
        // Spec 003 section 3: retry only 429, 500 and 503, with backoff, at most 3 attempts; every other status
        // (502 and 504 included) goes back to the workflow at once. CXone's 401 is about scope: one refresh,
        // then it fails with the vendor's reason instead of being redelivered.
        retry: {
          retryStatuses: [429, 500, 503],
          rateLimitRetries: 2,
          serverErrorRetries: 2,
          gatewayErrorRetries: 2,
          networkAttempts: 2,
          timeoutGrowth: 1,
          unauthorizedAfterRefresh: 'permanent',
        },
        timeouts: { responseHeadersMs: 120_000, bodyIdleMs: 30_000, totalMs: 240_000 },
      },
    },
    schedules: [
      {
        id: 'shift-bids-sweep',
        expression: 'rate(5 minutes)',
        timeZone: 'UTC',
        // Lists pending requests and enqueues the undecided ones; the processor decides and acts.
        function: {
          entry: 'functions/shift-bids-sweep/handler.ts',
          timeoutSeconds: 60,
          memoryMb: 512,
          vendor: 'cxone',
          oauthClient: SHIFT_BIDS_CXONE_CLIENT,
          alarms: [TOKEN_REFRESH_SLOW_ALARM],
          stateKeys: { items: ['bid', 'bidsSweepWatermark'] },
          enqueues: true,
        },
        description:
          'Feeds pending CXone bidding requests whose webhook never arrived into the decision path (issue 11).',
        heartbeatMinutes: 10,
      },
    ],
  },
  {
    name: 'reward-triggers',
    spec: '004',
    description: 'Performance exports become reward issues and clawbacks at the reward marketplace.',
    routes: WORKFLOW_ROUTES['reward-triggers'],
    queue: { ...defaultQueue },
    // Issues and claws back rewards at the marketplace.
    processor: {
      entry: 'functions/reward-triggers/handler.ts',
      timeoutSeconds: 60,
      memoryMb: 512,
      vendor: 'rewards',
      oauthClient: REWARD_TRIGGERS_MARKETPLACE_CLIENT,
      ruleDocument: 'reward-points-rules',
      stateKeys: { items: ['rewards'] },
      // The workflow retries an issue itself, after a lookup (marketplace.ts); spec 004's 10 s + 45 s.
      vendorClient: { retry: MARKETPLACE_RETRY, timeouts: MARKETPLACE_TIMEOUTS },
      alarms: [REWARD_ISSUE_REJECTED_ALARM, REWARD_NEEDS_ADMINISTRATOR_ALARM, REWARD_CLAWBACK_REFUSED_ALARM],
    },
    schedules: [
      {
        id: 'reward-export-ingestion',
        expression: 'cron(30 2 * * ? *)',
        timeZone: 'America/New_York',
        // Reads the Genesys performance export; it never calls the marketplace.
        function: {
          entry: 'functions/reward-export-ingest/handler.ts',
          timeoutSeconds: 300,
          memoryMb: 1024,
          vendor: 'genesys',
          oauthClient: REWARD_TRIGGERS_GENESYS_CLIENT,
          ruleDocument: 'reward-points-rules',
          stateKeys: { items: ['rewards', 'rewardsIngestionWatermark', 'rewardsIngestionRun'] },
          enqueues: true,
          // A failed run also fails the invocation (its Errors alarm); this one names why: days not loaded.
          alarms: [REWARD_INGESTION_FAILED_DAYS_ALARM, REWARD_INGESTION_PARTIAL_ALARM],
        },
        description:
          'Pulls the nightly performance export and enqueues one reward evaluation per agent (spec 004).',
        // Runs once a night (02:30 New York is 06:30 or 07:30 UTC): every UTC day holds exactly one run.
        heartbeatMinutes: 24 * 60,
      },
    ],
  },
];

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

/** Id of a function within its workflow: `processor`, or the id of the schedule that runs it. */
export const PROCESSOR_ID = 'processor';

export interface WorkflowFunction {
  readonly id: string;
  readonly declaration: WorkflowFunctionDeclaration;
}

/** Every function of a workflow: its processor, then one per schedule. */
export function functionsOf(w: WorkflowDeclaration): readonly WorkflowFunction[] {
  return [
    { id: PROCESSOR_ID, declaration: w.processor },
    ...w.schedules.map((s) => ({ id: s.id, declaration: s.function })),
  ];
}

/**
 * The partition keys a function may touch on the State table, as `dynamodb:LeadingKeys` patterns: its declared
 * items and locks, its own OAuth client's shared token (not another workflow's), and its vendor's rate-limit
 * buckets (every limiter name of a vendor
 * starts with the vendor's, e.g. `genesys-adherence`).
 */
export function stateKeysOf(fn: WorkflowFunctionDeclaration): string[] {
  const pattern = (prefix: string) => (prefix.endsWith('#') ? `${prefix}*` : prefix);
  return [
    ...fn.stateKeys.items.map((kind) => pattern(STATE_KEY[kind])),
    ...(fn.stateKeys.locks ?? []).map((kind) => `${STATE_KEY.lock}${LOCK_KEY[kind]}*`),
    `${STATE_KEY.token}${fn.vendor}#${fn.oauthClient.name}#*`,
    `${STATE_KEY.rateLimit}${fn.vendor}*`,
  ];
}

/** An OAuth client and the vendor it belongs to: one secret and one shared token each. */
export interface VendorOAuthClient extends OAuthClientDeclaration {
  readonly vendor: VendorName;
}

/** Every OAuth client the functions declare, once each (functions of a workflow share theirs). */
export function oauthClients(): readonly VendorOAuthClient[] {
  const byKey = new Map<string, VendorOAuthClient>();
  for (const w of WORKFLOWS)
    for (const { declaration: fn } of functionsOf(w)) {
      const key = `${fn.vendor}#${fn.oauthClient.name}`;
      const seen = byKey.get(key);
      if (seen && seen.scopes.join(' ') !== fn.oauthClient.scopes.join(' '))
        throw new Error(
          `OAuth client ${key} is declared with two scope sets: one client, one token, one scope set`,
        );
      byKey.set(key, { vendor: fn.vendor, ...fn.oauthClient });
    }
  return [...byKey.values()];
}

/**
 * What identifies a client's shared token (`TOKEN#<vendor>#<this>`, dynamodb-token-store.ts): the client and its
 * scopes, so a deploy that changes a client's scopes does not reuse a token issued for the old ones.
 */
export function oauthTokenCredentialsId(client: OAuthClientDeclaration): string {
  return `${client.name}#${[...client.scopes].sort().join(' ')}`;
}

/** The declaration of one function (`WORKFLOW` and `WORKFLOW_FUNCTION` in its environment). */
/**
 * The workflow queues a function may send to (its `sqs:SendMessage` grant): the processor re-sends a deferred
 * message to its queue (RetryLater, decision 0005) and dead-letters to the DLQ itself; a scheduled function sends
 * only when it feeds the workflow's queue (`enqueues`).
 */
export function queuesSentToBy(id: string, fn: WorkflowFunctionDeclaration): readonly ('queue' | 'dlq')[] {
  return id === PROCESSOR_ID ? ['queue', 'dlq'] : fn.enqueues ? ['queue'] : [];
}

export function workflowFunction(workflow: string, id: string): WorkflowFunctionDeclaration {
  const declared = workflowByName(workflow);
  const found = declared && functionsOf(declared).find((f) => f.id === id);
  if (!found) throw new Error(`The topology declares no function ${id} in workflow ${workflow}`);
  return found.declaration;
}

/**
 * The alarms a function needs: every function's, the breaker alarm (it calls a vendor), the rule-document alarm
 * (it reads one), then its own.
 */
export function alarmsOf(fn: WorkflowFunctionDeclaration): readonly AlarmDeclaration[] {
  return [
    ...FUNCTION_ALARMS,
    BREAKER_OPEN_ALARM,
    ...(fn.ruleDocument ? [RULE_DOCUMENT_REFUSED_ALARM] : []),
    ...(fn.alarms ?? []),
  ];
}

/** The ingress's alarms: every function's, then its own (API Gateway and signature checks). */
export function ingressAlarms(): readonly AlarmDeclaration[] {
  return [...FUNCTION_ALARMS, ...(INGRESS_FUNCTION.alarms ?? [])];
}

/** The `DidNotRun` heartbeat of a schedule: its function was not invoked within `heartbeatMinutes`. */
export function heartbeatAlarm(s: ScheduleDeclaration): AlarmDeclaration {
  return {
    id: 'DidNotRun',
    source: 'lambda',
    metricName: 'Invocations',
    statistic: 'Sum',
    periodMinutes: s.heartbeatMinutes,
    threshold: 1,
    comparison: 'less',
    whenMissing: 'breaching',
    description: `${s.id} did not run within ${s.heartbeatMinutes} minutes (${s.expression} ${s.timeZone})`,
  };
}

/** Per function of a workflow: its Lambda-metric alarms, the schedule's heartbeat included. */
export function functionAlarmsOfWorkflow(
  w: WorkflowDeclaration,
): readonly { readonly fn: WorkflowFunction; readonly alarms: readonly AlarmDeclaration[] }[] {
  return functionsOf(w).map((fn) => {
    const schedule = w.schedules.find((s) => s.id === fn.id);
    const own = alarmsOf(fn.declaration).filter((a) => a.source === 'lambda');
    return { fn, alarms: schedule ? [...own, heartbeatAlarm(schedule)] : own };
  });
}

/**
 * The custom-metric alarms of a workflow's functions, once each: the functions of a workflow share their
 * metrics' dimensions (`service` and `workflow`), so two functions declaring one alarm share it.
 */
export function alarmsOfWorkflow(w: WorkflowDeclaration): readonly AlarmDeclaration[] {
  const byId = new Map<string, AlarmDeclaration>();
  for (const f of functionsOf(w))
    for (const a of alarmsOf(f.declaration)) if (a.source === 'custom') byId.set(a.id, a);
  return [...byId.values()];
}

/** Visibility timeout rule (AWS guidance for SQS event sources): at least 6x the function timeout. */
export function visibilityTimeoutSeconds(w: WorkflowDeclaration): number {
  return w.processor.timeoutSeconds * 6;
}
