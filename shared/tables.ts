/**
 * DynamoDB tables, declared once for both runtimes (CDK and the local runtime create them from this).
 * All keys are strings.
 */
export interface TableDeclaration {
  /** Construct id in CDK; table name suffix locally. */
  readonly id: 'State' | 'Idempotency' | 'Audit' | 'WebhookNonces';
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly ttlAttribute?: string;
  readonly description: string;
}

export const TABLES: readonly TableDeclaration[] = [
  {
    id: 'State',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expiresAt',
    description: 'Workflow state, locks, tombstones, per-agent records, failure records.',
  },
  {
    id: 'Idempotency',
    partitionKey: 'id',
    ttlAttribute: 'expiration',
    description: 'Powertools idempotency records (its default attribute names).',
  },
  {
    id: 'Audit',
    partitionKey: 'pk',
    sortKey: 'sk',
    description: 'Append-only audit log: writers hold only dynamodb:PutItem.',
  },
  {
    // Its own table, not the State table: the ingress holds only PutItem/DeleteItem here and nothing on
    // workflow state. Items live for the signature tolerance (minutes).
    id: 'WebhookNonces',
    partitionKey: 'pk',
    ttlAttribute: 'expiresAt',
    description:
      'Webhook delivery ids the ingress took, until their signed timestamp expires (replay guard).',
  },
];

/**
 * The partition-key prefixes of the State table, one per kind of item. The stores build their keys from these,
 * and each function's IAM grant on the table allows only the prefixes its declaration lists
 * (`stateKeysOf` in shared/topology.ts, as a `dynamodb:LeadingKeys` condition).
 */
export const STATE_KEY = {
  /** shift-overrides: `TIMEOFF#<requestId>` (override-state-store.ts). */
  timeOff: 'TIMEOFF#',
  /** adherence-sync: `AGENT#<agentId>` (agent-state-store.ts). */
  agent: 'AGENT#',
  /** shift-bids: `BID#<requestId>` (bid-state-store.ts). */
  bid: 'BID#',
  /** shift-bids: the request CXone approved for a shift and date, `BIDAWARD#<shiftId>#<date>` (bid-state-store.ts). */
  bidAward: 'BIDAWARD#',
  /** shift-bids: the shared schedule cache, `SCHEDULE#<siteId>` (schedule-cache-store.ts). */
  scheduleCache: 'SCHEDULE#',
  /** shift-bids: an event taken once, `EVENT#<workflow>#<eventId>` (event-intake.ts). */
  event: 'EVENT#',
  /** shift-bids: the pending-request sweep's watermark. */
  bidsSweepWatermark: 'BIDS#SWEEP',
  /** reward-triggers: an agent's ledger, bookings and point lock, `REWARDS#<agentId>` (reward-ledger-store.ts). */
  rewards: 'REWARDS#',
  /** reward-triggers: the export ingestion's watermark. */
  rewardsIngestionWatermark: 'REWARDS#INGESTION',
  /** reward-triggers: one ingestion run's progress, `REWARDS#INGESTION-RUN#<runId>`. */
  rewardsIngestionRun: 'REWARDS#INGESTION-RUN#',
  /** A lease lock, `LOCK#<key>` (dynamodb-lock.ts); the key starts with one of `LOCK_KEY`. */
  lock: 'LOCK#',
  /** A vendor's shared OAuth token, `TOKEN#<vendor>#<credentials id>` (dynamodb-token-store.ts). */
  token: 'TOKEN#',
  /** A shared rate-limit bucket, `RATELIMIT#<name>`, the name starting with the vendor's (dynamodb-token-bucket.ts). */
  rateLimit: 'RATELIMIT#',
} as const;
export type StateKeyKind = keyof typeof STATE_KEY;

/** The lock keys of each workflow (`LOCK#` + one of these + the locked subject). */
export const LOCK_KEY = {
  timeOff: 'timeoff#',
  agent: 'agent#',
  bidClaim: 'bid-claim#',
} as const;
export type LockKind = keyof typeof LOCK_KEY;
