/**
 * Spec 003 section 2, skill and role alignment: the agent holds every skill the shift requires and the role
 * the rule document requires for its queue.
 */
import { requiredRole, type RuleDocument } from '../rules.schema';
import type { CheckResult } from './check-result';

export interface AgentProfile {
  readonly id: string;
  readonly skills: readonly string[];
  readonly roles: readonly string[];
}

export interface SkillMatchInput {
  readonly agent: AgentProfile;
  readonly requiredSkills: readonly string[];
  readonly queueId: string | null;
  readonly rules: RuleDocument;
}

export function checkSkillMatch(input: SkillMatchInput): CheckResult {
  const held = new Set(input.agent.skills);
  const missingSkills = [...new Set(input.requiredSkills)].filter((skill) => !held.has(skill));
  const role = requiredRole(input.rules, input.queueId ?? undefined);
  const missingRole = role !== null && !input.agent.roles.includes(role) ? role : null;
  const evidence = {
    requiredSkills: [...input.requiredSkills],
    requiredRole: role,
    missingSkills,
    missingRole,
  };
  if (missingSkills.length === 0 && missingRole === null) {
    return {
      check: 'skill_match',
      result: 'PASS',
      evidence: { summary: 'skills and role match', ...evidence },
    };
  }
  const problems = [
    ...(missingSkills.length ? [`lacks required skill(s) ${missingSkills.join(', ')}`] : []),
    ...(missingRole ? [`lacks the required role ${missingRole}`] : []),
  ];
  return {
    check: 'skill_match',
    result: 'FAIL',
    evidence: { summary: `agent ${problems.join(' and ')}`, ...evidence },
  };
}
