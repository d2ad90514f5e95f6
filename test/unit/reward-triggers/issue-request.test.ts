import {
  buildIssueRequest,
  ISSUE_METADATA_FIELDS,
  ISSUE_REQUEST_FIELDS,
  IssueRequestRefused,
  type RewardsIssueRequest,
} from '../../../shared/contracts/rewards-issue.schema';
import { agentPseudonym } from '../../../shared/domain/reward-triggers/agent-pseudonym';
import { PII_FIELDS } from '../../../local/sandboxes/vendors/rewards';
import { PSEUDONYM_KEY } from './fixtures';

const valid: RewardsIssueRequest = {
  agent_id: agentPseudonym('agent-4821', PSEUDONYM_KEY),
  reward_type: 'gift_card_50_usd',
  points_consumed: 500,
  transaction_timestamp: '2026-05-15T06:00:00Z',
  metadata: { source_platform: 'Genesys Cloud CX', wfm_export_version: 'v2.1', rule_version: 'local-v1' },
};

/** Builds from a value the type system cannot vet (what a spread of an export row produces). */
const build = (value: unknown) => buildIssueRequest(value as RewardsIssueRequest);

function refusal(value: unknown): IssueRequestRefused {
  try {
    build(value);
  } catch (error) {
    if (error instanceof IssueRequestRefused) return error;
    throw error;
  }
  throw new Error('the request was built');
}

describe('the issue request allowlist', () => {
  it('is exactly spec 004 example fields, and the metadata is allowlisted too', () => {
    expect(ISSUE_REQUEST_FIELDS.sort()).toEqual(
      ['agent_id', 'metadata', 'points_consumed', 'reward_type', 'transaction_timestamp'].sort(),
    );
    expect(ISSUE_METADATA_FIELDS.sort()).toEqual(['rule_version', 'source_platform', 'wfm_export_version']);
  });

  it('builds a request from allowlisted fields', () => {
    expect(buildIssueRequest(valid)).toEqual(valid);
  });

  // Every field the marketplace sandbox flags as PII, and two more names for the HR id.
  it.each([...PII_FIELDS, 'agentId', 'hr_id'])('cannot be built with a %s field', (field) => {
    const error = refusal({ ...valid, [field]: 'jane.agent@example.com' });
    expect(error.fields).toEqual([`${field}: not on the allowlist`]);
    expect(error.message).toContain(field);
    expect(error.message).not.toContain('jane.agent@example.com');
  });

  it.each(['agent_email', 'agent_name', 'phone_number', 'team', 'agentId'])(
    'cannot be built with an extra metadata key %s',
    (field) => {
      const error = refusal({ ...valid, metadata: { ...valid.metadata, [field]: 'x' } });
      expect(error.fields).toEqual([`metadata.${field}: not on the allowlist`]);
    },
  );

  it.each([
    ['the HR agent id', 'agent-4821'],
    ['an email', 'jane.agent@example.com'],
    ['a name', 'Jane Q. Agent'],
    ['a phone number', '+1 555 0100 2233'],
  ])('refuses %s as agent_id: only a GUID fits', (_case, agentId) => {
    const error = refusal({ ...valid, agent_id: agentId });
    expect(error.fields).toEqual([expect.stringMatching(/^agent_id: must be a GUID/)]);
    expect(error.message).not.toContain(agentId);
  });

  it('refuses PII smuggled into a metadata value', () => {
    expect(
      refusal({ ...valid, metadata: { ...valid.metadata, rule_version: 'jane@example.com' } }).fields,
    ).toEqual([expect.stringMatching(/^metadata\.rule_version: /)]);
    expect(refusal({ ...valid, metadata: { ...valid.metadata, source_platform: 'Jane' } }).fields).toEqual([
      expect.stringMatching(/^metadata\.source_platform: /),
    ]);
  });

  it('names every field at fault at once, and refuses a missing field, a bad amount and a zone-less time', () => {
    const { metadata: _metadata, ...withoutMetadata } = valid;
    const error = refusal({
      ...withoutMetadata,
      points_consumed: 0,
      transaction_timestamp: '2026-05-15T06:00:00',
      agent_name: 'Jane',
    });
    expect(error.fields.map((f) => f.split(':')[0]).sort()).toEqual(
      ['agent_name', 'metadata', 'points_consumed', 'transaction_timestamp'].sort(),
    );
  });
});
