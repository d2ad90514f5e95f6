/**
 * `POST /v1/rewards/issue` (spec 004 section 2), built from an explicit allowlist. Spec 004's second trap and
 * edge case 2: an export or HR field (name, email, phone) must never reach the marketplace, so the request is
 * not "the payload minus the PII" but only the fields below, each with a shape that a raw HR id, a name, an
 * email or a phone number cannot take. Strict objects at every level: a field not on the list, nested metadata
 * included, refuses the build, in a test and at run time.
 *
 * The transaction id travels as `X-Request-ID` (spec 004's example), not in the body.
 */
import {
  int,
  gt,
  literal,
  looseObject,
  maxLength,
  minLength,
  nullable,
  optional,
  regex,
  strictObject,
  string,
} from 'zod/mini';
import type { z } from 'zod/mini';
import { Instant } from './common';

/** A marketplace reward type, e.g. `gift_card_50_usd`. */
export const RewardType = string().check(
  minLength(1),
  maxLength(64),
  regex(/^[a-z0-9_]+$/, 'must be lower-case letters, digits or underscores'),
);

/** A version token (`v2.1`, `local-v1`): no spaces, no `@` or `+`, so no name, email or phone fits. */
export const VersionToken = string().check(
  minLength(1),
  maxLength(64),
  regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dots, dashes or underscores'),
);

/** A GUID: the agent's keyed hash (agent-pseudonym.ts), never the HR id itself. */
export const AgentGuid = string().check(
  regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'must be a GUID (the keyed hash of the agent id), never the agent id, name, email or phone',
  ),
);

export const RewardsIssueMetadataSchema = strictObject({
  source_platform: literal('Genesys Cloud CX'),
  wfm_export_version: VersionToken,
  /** The points rule version the reward was earned under. */
  rule_version: VersionToken,
});

export const RewardsIssueRequestSchema = strictObject({
  agent_id: AgentGuid,
  reward_type: RewardType,
  points_consumed: int().check(gt(0)),
  transaction_timestamp: Instant,
  metadata: RewardsIssueMetadataSchema,
});
export type RewardsIssueRequest = z.output<typeof RewardsIssueRequestSchema>;

export const ISSUE_REQUEST_FIELDS = Object.keys(RewardsIssueRequestSchema.def.shape);
export const ISSUE_METADATA_FIELDS = Object.keys(RewardsIssueMetadataSchema.def.shape);

/** The build of an issue request was refused; `fields` names every field at fault (names only, no values). */
export class IssueRequestRefused extends Error {
  constructor(readonly fields: readonly string[]) {
    super(`reward issue request refused: ${fields.join('; ')}`);
    this.name = 'IssueRequestRefused';
  }
}

/**
 * The only way to make an issue request body. Throws `IssueRequestRefused` naming each field that is not on the
 * allowlist or not of its allowed shape. The static type catches a misspelt literal; the run-time check catches
 * what a spread (`{ ...row }`) smuggles past it.
 */
export function buildIssueRequest(fields: RewardsIssueRequest): RewardsIssueRequest {
  const parsed = RewardsIssueRequestSchema.safeParse(fields);
  if (parsed.success) return parsed.data;
  throw new IssueRequestRefused(
    parsed.error.issues.flatMap((issue) => {
      const at = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `${[...at, key].join('.')}: not on the allowlist`);
      }
      return [`${at.length ? at.join('.') : '(body)'}: ${issue.message}`];
    }),
  );
}

/**
 * The marketplace's answer to an issue or a lookup (`GET /v1/rewards/{transactionId}`). Loose: only the fields
 * the workflow reads are checked. Spec 004's third trap: `status` decides, not the HTTP status.
 */
export const RewardsAnswerSchema = looseObject({
  status: string(),
  transaction_id: optional(string()),
  reward_id: optional(nullable(string())),
  reason: optional(nullable(string())),
});
export type RewardsAnswer = z.output<typeof RewardsAnswerSchema>;
