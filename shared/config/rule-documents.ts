/**
 * The rule documents kept outside the code (decision 0010), each with the schema that validates it and the
 * document both runtimes start from: the local runtime's AppConfig fake serves it at startup, and the CDK
 * stack makes it the first hosted version of the stage's AppConfig profile. Operators change it from there.
 */
import { versionedDocument, type VersionedDocument } from '../domain/rules/versioned-document';
import { LOCAL_POINTS_RULES } from '../domain/reward-triggers/default-points-rules';
import { PointsRuleDocumentSchema } from '../domain/reward-triggers/points-rules.schema';
import { LOCAL_RULE_DOCUMENT } from '../domain/shift-bids/default-rules';
import { RuleDocumentSchema } from '../domain/shift-bids/rules.schema';
import type { RuleDocumentName } from '../topology';
import type { z } from 'zod/mini';

export interface RuleDocumentDeclaration {
  readonly name: RuleDocumentName;
  readonly description: string;
  readonly schema: z.ZodMiniType;
  readonly versioned: VersionedDocument<{ readonly version: string }>;
  /** The first version deployed (the local stage's defaults, which the README examples use). */
  readonly initial: { readonly version: string };
}

export const RULE_DOCUMENTS: readonly RuleDocumentDeclaration[] = [
  {
    name: 'shift-bids-rules',
    description: 'Shift-bid validation thresholds (spec 003, issue 11)',
    schema: RuleDocumentSchema,
    versioned: versionedDocument(RuleDocumentSchema),
    initial: LOCAL_RULE_DOCUMENT,
  },
  {
    name: 'reward-points-rules',
    description: 'Reward points rules and tiers (spec 004, issue 12)',
    schema: PointsRuleDocumentSchema,
    versioned: versionedDocument(PointsRuleDocumentSchema),
    initial: LOCAL_POINTS_RULES,
  },
];

export function ruleDocumentByName(name: string): RuleDocumentDeclaration | undefined {
  return RULE_DOCUMENTS.find((d) => d.name === name);
}
