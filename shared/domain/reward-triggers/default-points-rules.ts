/**
 * The local stage's points rules, which the README examples use (issue 12): +10 points per five-star CSAT
 * rating (spec 004's example), -50 per compliance violation, nothing for the other metrics; a rolling 90-day
 * window; 500 points earn a `gift_card_50_usd`.
 */
import type { PointsRuleDocumentInput } from './points-rules.schema';

export const LOCAL_POINTS_RULES = {
  version: 'local-v1',
  points: { perFiveStarCsat: 10, perComplianceViolation: -50, ahtComplianceBonus: null },
  window: { days: 90 },
  tiers: [{ rewardType: 'gift_card_50_usd', points: 500 }],
} as const satisfies PointsRuleDocumentInput;
