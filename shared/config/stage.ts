/**
 * Stage configuration (`-c stage=dev|prod` for CDK, `local` for `npm start`), zod-validated.
 * `loadStageConfig` lists every problem at once rather than stopping at the first.
 */
import { z } from 'zod';
import { AdherenceSyncSettingsSchema } from './workflows/adherence-sync';
import { ShiftBidsSettingsSchema } from './workflows/shift-bids';
import { RewardTriggersSettingsSchema } from './workflows/reward-triggers';
import { ShiftOverridesSettingsSchema } from './workflows/shift-overrides';

const cidr = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 203.0.113.0/24');

/**
 * The webhook signature schemes a vendor signs with, tried in this order on each of its routes. Only these
 * are accepted: a vendor configured for `standard-webhooks` alone cannot be downgraded to `hmac-sha256` by
 * whoever captured or forged a request. Both carry a signed timestamp and a delivery id (the replay guard).
 */
const signatureSchemes = z
  .array(z.enum(['hmac-sha256', 'standard-webhooks']))
  .min(1)
  .refine((s) => new Set(s).size === s.length, 'each scheme at most once');

const vendorSchema = z.object({
  baseUrl: z.string().url(),
  signatureSchemes: signatureSchemes.default(['hmac-sha256', 'standard-webhooks']),
});

export const StageConfigSchema = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes, 2-16 characters'),
  env: z
    .object({
      account: z
        .string()
        .regex(/^\d{12}$/)
        .optional(),
      region: z.string().min(1).optional(),
    })
    .default({}),
  api: z.object({
    throttle: z.object({ rateLimit: z.number().int().positive(), burstLimit: z.number().int().positive() }),
    /** Bodies over this size are answered 413 by the ingress. */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .max(10 * 1024 * 1024),
    /** When set, a resource policy allows only these source ranges. */
    ipAllowlist: z.array(cidr).optional(),
    /** When set, this WAF web ACL is associated with the API stage. */
    wafWebAclArn: z.string().startsWith('arn:aws:wafv2:').optional(),
  }),
  vendors: z.object({
    genesys: vendorSchema,
    cxone: vendorSchema,
    rewards: vendorSchema,
  }),
  alarms: z.object({ email: z.string().email().optional() }).default({}),
  /**
   * Who hears of escalated shift bids (`bid.supervisor_notification`, issue 11): each address is subscribed to
   * the stack's supervisor topic. More channels (chat, CXone alerts) subscribe to the same topic.
   */
  supervisorNotifications: z
    .object({ emails: z.array(z.string().email()).default([]) })
    .default({ emails: [] }),
  logRetentionDays: z.number().int().positive().default(30),
  /**
   * Powertools log level of every function (POWERTOOLS_LOG_LEVEL). Every line a runbook query selects must be
   * written at it: test/e2e/runbook-queries.test.ts checks each stage's level against the lines the queries find.
   */
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  workflows: z.object({
    'shift-overrides': ShiftOverridesSettingsSchema,
    'adherence-sync': AdherenceSyncSettingsSchema,
    'shift-bids': ShiftBidsSettingsSchema,
    'reward-triggers': RewardTriggersSettingsSchema,
  }),
});
export type StageConfig = z.output<typeof StageConfigSchema>;
export type StageConfigInput = z.input<typeof StageConfigSchema>;

const workflowDefaults: StageConfigInput['workflows'] = {
  'shift-overrides': {
    reasonCodeByRequestType: { PAID_TIME_OFF: 'reason-code-pto-001' },
    fullShiftThreshold: 0.8,
  },
  'adherence-sync': {
    stateMap: {
      'logged-in': 'Scheduled',
      available: 'InSession',
      idle: 'InSession',
      'after-call-work': 'InSession',
      'on-call': 'OnCall',
      break: 'OnBreak',
      lunch: 'OnBreak',
      aux: 'Unavailable',
      'logged-out': 'Unavailable',
    },
    // Spec 002 section 1: Scheduled -> InSession -> Unavailable -> OnBreak -> OnCall, plus the returns a
    // working day needs. A transition not listed is bridged through the shortest allowed path.
    transitions: {
      Scheduled: ['InSession'],
      InSession: ['Unavailable', 'OnCall', 'OnBreak', 'Scheduled'],
      Unavailable: ['OnBreak', 'InSession', 'Scheduled'],
      OnBreak: ['OnCall', 'InSession'],
      OnCall: ['InSession'],
    },
    // `(none)` is the WEM code sent when the ACD gives no reason code.
    reasonCodeMap: {
      '(none)': 'NONE',
      'break-15': 'PAID_BREAK_15',
      lunch: 'UNPAID_LUNCH_30',
      training: 'TRAINING',
      meeting: 'MEETING',
      'system-issue': 'SYSTEM_ISSUE',
    },
    rateLimit: { ratePerSecond: 100, burst: 150 },
  },
  // The sandbox's sites (local/sandboxes/vendors/seed.ts) carry the same zones.
  'shift-bids': {
    siteTimeZones: { site_nyc_01: 'America/New_York', site_bench_01: 'America/Chicago' },
  },
  // The local points rules (+10 per five-star CSAT, -50 per violation, 500 for gift_card_50_usd) by default.
  'reward-triggers': {},
};

export const STAGES: Record<string, StageConfigInput> = {
  local: {
    stage: 'local',
    api: { throttle: { rateLimit: 1000, burstLimit: 2000 }, maxBodyBytes: 262_144 },
    vendors: {
      genesys: { baseUrl: 'http://127.0.0.1:4010/genesys' },
      cxone: { baseUrl: 'http://127.0.0.1:4010/cxone' },
      rewards: { baseUrl: 'http://127.0.0.1:4010/rewards' },
    },
    // Everything is written to .local/logs; the console shows WARN and above (WFM_LOG_LEVEL).
    logLevel: 'DEBUG',
    workflows: workflowDefaults,
  },
  dev: {
    stage: 'dev',
    api: { throttle: { rateLimit: 200, burstLimit: 400 }, maxBodyBytes: 262_144 },
    vendors: {
      genesys: { baseUrl: 'https://api.mypurecloud.com' },
      cxone: { baseUrl: 'https://api-na1.niceincontact.com' },
      rewards: { baseUrl: 'https://api.rewards.example.com' },
    },
    logRetentionDays: 14,
    logLevel: 'INFO',
    workflows: workflowDefaults,
  },
  prod: {
    stage: 'prod',
    api: { throttle: { rateLimit: 500, burstLimit: 1000 }, maxBodyBytes: 262_144 },
    vendors: {
      genesys: { baseUrl: 'https://api.mypurecloud.com' },
      cxone: { baseUrl: 'https://api-na1.niceincontact.com' },
      rewards: { baseUrl: 'https://api.rewards.example.com' },
    },
    logRetentionDays: 90,
    // INFO keeps the per-call `vendor call` line the runbook queries (test/e2e/runbook-queries.test.ts).
    logLevel: 'INFO',
    workflows: workflowDefaults,
  },
};

export class StageConfigError extends Error {
  constructor(
    readonly stage: string,
    readonly problems: string[],
  ) {
    super(`Stage config "${stage}" is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'StageConfigError';
  }
}

/** Validates a stage's config; `overrides` (e.g. from CDK context) are merged over the declared stage. */
export function loadStageConfig(stage: string, overrides: Partial<StageConfigInput> = {}): StageConfig {
  const declared = STAGES[stage];
  if (!declared) {
    throw new StageConfigError(stage, [`unknown stage; valid stages: ${Object.keys(STAGES).join(', ')}`]);
  }
  const result = StageConfigSchema.safeParse({ ...declared, ...overrides });
  if (!result.success) {
    throw new StageConfigError(
      stage,
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}
