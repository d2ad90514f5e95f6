/**
 * The shift-bid rule document (spec 003 section 2: "validation rules are configured via a centralized rule
 * store ... allowing WFM administrators to adjust thresholds without redeploying"). It lives outside the code
 * (AppConfig on AWS, the local runtime serves the same document) and is versioned: every decision records the
 * version it was made under (spec 003 section 3's `rule_version`).
 *
 * Strict objects: an unknown key is far more likely a misspelt threshold than a harmless extra, and a
 * misspelt threshold silently falling back to a default is the failure this document must not have.
 */
// zod/mini, not zod (as shared/contracts): the processor's bundle size and cold init are measured.
import {
  _default,
  discriminatedUnion,
  enum as zEnum,
  gt,
  gte,
  int,
  literal,
  lte,
  maxLength,
  minLength,
  nullable,
  number,
  record,
  refine,
  string,
  strictObject,
} from 'zod/mini';
import type { z } from 'zod/mini';
import '../../contracts/common'; // sets zod's English messages
import { versionedDocument, type ParsedDocument } from '../rules/versioned-document';

const Name = string().check(minLength(1), maxLength(128));

/**
 * A queue's minimum staffing in every coverage interval, and the grey band above it in the same unit. A bid
 * that leaves an interval below `minimum` FAILs; at or above the minimum but below `minimum + greyBand` it is
 * UNCERTAIN (escalated); from `minimum + greyBand` up it passes. So spec 003's premium queue, escalated at 94%
 * against a "95% hard limit", is `{ kind: 'percentOfRequired', minimum: 90, greyBand: 5 }`: 95% is where
 * automation may approve on its own.
 */
export const QueueMinimumSchema = discriminatedUnion('kind', [
  strictObject({
    kind: literal('headcount'),
    /** Agents on shift in the queue. */
    minimum: int().check(gte(0)),
    greyBand: int().check(gte(0)),
  }),
  strictObject({
    kind: literal('percentOfRequired'),
    /** Agents on shift as a percentage of the interval's required headcount (the staffing forecast). */
    minimum: number().check(gt(0), lte(100)),
    greyBand: number().check(gte(0), lte(100)),
  }),
]);
export type QueueMinimum = z.output<typeof QueueMinimumSchema>;

export const RuleDocumentSchema = strictObject({
  /** Recorded on every decision and sent as `metadata.rule_version`, e.g. `v2.4.1`. */
  version: string().check(minLength(1), maxLength(64)),
  coverage: strictObject({
    /** Length of a coverage interval; intervals are aligned to the start of the window checked. */
    intervalMinutes: int().check(
      gte(1),
      lte(1440),
      refine((n) => 1440 % n === 0, 'must divide a day (1440 minutes) evenly'),
    ),
    defaultMinimum: QueueMinimumSchema,
    /** Per queue id; a queue not listed uses `defaultMinimum`. */
    queues: _default(record(Name, QueueMinimumSchema), {}),
    /**
     * What each CXone bid type does to coverage: `moves` the agent from the shift they hold that day to the
     * requested one (issue 11's `swap`), or only `adds` them (an open shift). A type not listed escalates.
     */
    bidTypeEffects: _default(record(Name, zEnum(['moves', 'adds'])), { swap: 'moves', open_shift: 'adds' }),
  }),
  /** Spec 003 section 2: "3 rejections in 30 days" blocks the agent. */
  approvalHistory: strictObject({
    maxRejections: int().check(gte(1)),
    windowDays: int().check(gte(1), lte(366)),
  }),
  /** The role an agent must hold to take a shift; null: no role required. Required skills come with the shift. */
  skills: strictObject({
    requiredRole: nullable(Name),
    requiredRoleByQueue: _default(record(Name, nullable(Name)), {}),
  }),
  /** Spec 003 section 2: schedule reads are cached for at most 120 s; a stage may only shorten it. */
  scheduleCache: strictObject({
    maxAgeSeconds: int().check(gte(0), lte(120)),
  }),
});
export type RuleDocument = z.output<typeof RuleDocumentSchema>;
export type RuleDocumentInput = z.input<typeof RuleDocumentSchema>;

export type ParsedRuleDocument = ParsedDocument<RuleDocument>;

/**
 * Issue 11: a document that fails validation is refused and the last good version stays in force (the caller
 * raises the alarm with `refused`). Before any good version there is none in force: every bid escalates.
 */
export const { parse: parseRuleDocument, next: nextRuleDocument } = versionedDocument(RuleDocumentSchema);

export function queueMinimum(rules: RuleDocument, queueId: string): QueueMinimum {
  return rules.coverage.queues[queueId] ?? rules.coverage.defaultMinimum;
}

export function requiredRole(rules: RuleDocument, queueId: string | undefined): string | null {
  if (queueId !== undefined && queueId in rules.skills.requiredRoleByQueue) {
    return rules.skills.requiredRoleByQueue[queueId] ?? null;
  }
  return rules.skills.requiredRole;
}
