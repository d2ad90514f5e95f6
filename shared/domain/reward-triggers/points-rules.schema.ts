/**
 * The points rule document (spec 004 section 1: "transform the raw metrics into a unified Points metric based on
 * your business rules", "sums points ... over a rolling window ... and compares it against the reward
 * threshold"). It lives outside the code, like the shift-bids rules (AppConfig on AWS, the local runtime serves
 * the same document), and is versioned: every ledger entry records the version it was booked under.
 *
 * Strict objects, as in shift-bids/rules.schema.ts: a misspelt key must refuse the document, not fall back to
 * a default that quietly pays (or stops paying) agents.
 */
// zod/mini, not zod (as shared/contracts): the processor's bundle size and cold init are measured.
import { array, gt, gte, int, lte, minLength, nullable, number, refine, strictObject } from 'zod/mini';
import type { z } from 'zod/mini';
import '../../contracts/common'; // sets zod's English messages
import { RewardType, VersionToken } from '../../contracts/rewards-issue.schema';
import { versionedDocument, type ParsedDocument } from '../rules/versioned-document';

/** Sent to the marketplace as `metadata.rule_version`: a plain token, so the allowlist can hold it safely. */
export const RuleVersion = VersionToken;

export const RewardTierSchema = strictObject({
  rewardType: RewardType,
  /** Window points that earn this reward; the reward consumes them (`points_consumed`). */
  points: int().check(gt(0)),
});
export type RewardTier = z.output<typeof RewardTierSchema>;

export const PointsRuleDocumentSchema = strictObject({
  /** Recorded on every ledger entry and sent as `metadata.rule_version`. */
  version: RuleVersion,
  points: strictObject({
    /** Spec 004's example: +10 per five-star CSAT rating. A rating never costs points. */
    perFiveStarCsat: int().check(gte(0)),
    /** Issue 12: -50 per compliance violation. A violation never earns points. */
    perComplianceViolation: int().check(lte(0)),
    /** A bonus for a day at or above an AHT compliance percentage; null: AHT earns nothing. */
    ahtComplianceBonus: nullable(
      strictObject({
        atLeastPct: number().check(gte(0), lte(100)),
        points: int().check(gt(0)),
      }),
    ),
  }),
  window: strictObject({
    /** Spec 004: "a rolling window (e.g., last 90 days)", counted in whole performance days. */
    days: int().check(gte(1), lte(366)),
  }),
  /** At least one; no two tiers at the same points or with the same reward type. */
  tiers: array(RewardTierSchema).check(
    minLength(1),
    refine(
      (tiers) => new Set(tiers.map((t) => t.points)).size === tiers.length,
      'two tiers share a points value',
    ),
    refine(
      (tiers) => new Set(tiers.map((t) => t.rewardType)).size === tiers.length,
      'two tiers share a reward type',
    ),
  ),
});
export type PointsRuleDocument = z.output<typeof PointsRuleDocumentSchema>;
export type PointsRuleDocumentInput = z.input<typeof PointsRuleDocumentSchema>;

export type ParsedPointsRuleDocument = ParsedDocument<PointsRuleDocument>;

/**
 * A document that fails validation is refused and the last good version stays in force (the caller raises the
 * alarm with `refused`). Before any good version there is none in force: ingestion must not book points.
 */
export const { parse: parsePointsRuleDocument, next: nextPointsRuleDocument } =
  versionedDocument(PointsRuleDocumentSchema);
