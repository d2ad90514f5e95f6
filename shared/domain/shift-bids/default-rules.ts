/**
 * The local stage's rule document, which the README examples use (issue 11): every queue needs at least 3
 * agents on shift in every 15-minute interval, and a bid that leaves an interval at exactly 3 is escalated
 * (grey band 1); 3 rejections in 30 days block an agent (spec 003 section 2); agents need the `agent` role.
 */
import type { RuleDocumentInput } from './rules.schema';

export const LOCAL_RULE_DOCUMENT = {
  version: 'local-v1',
  coverage: {
    intervalMinutes: 15,
    defaultMinimum: { kind: 'headcount', minimum: 3, greyBand: 1 },
    queues: {},
    bidTypeEffects: { swap: 'moves', open_shift: 'adds' },
  },
  approvalHistory: { maxRejections: 3, windowDays: 30 },
  skills: { requiredRole: 'agent', requiredRoleByQueue: {} },
  scheduleCache: { maxAgeSeconds: 120 },
} as const satisfies RuleDocumentInput;
