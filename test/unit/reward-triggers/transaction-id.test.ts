import { agentPseudonym, type AgentPseudonym } from '../../../shared/domain/reward-triggers/agent-pseudonym';
import { rewardTransactionId } from '../../../shared/domain/reward-triggers/transaction-id';
import { PSEUDONYM_KEY } from './fixtures';

const GUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the agent pseudonym (agent_id sent to the marketplace)', () => {
  it('is a GUID derived with the key: stable, distinct per agent, different under another key', () => {
    const a = agentPseudonym('agent-4821', PSEUDONYM_KEY);
    expect(a).toMatch(GUID_V8);
    expect(agentPseudonym('agent-4821', PSEUDONYM_KEY)).toBe(a);
    expect(agentPseudonym('agent-4822', PSEUDONYM_KEY)).not.toBe(a);
    expect(agentPseudonym('agent-4821', 'j'.repeat(32))).not.toBe(a);
    expect(a).not.toContain('4821');
  });

  it('refuses a key shorter than 256 bits and an empty agent id', () => {
    expect(() => agentPseudonym('agent-4821', 'short-key')).toThrow(/at least 32 bytes/);
    expect(() => agentPseudonym('', PSEUDONYM_KEY)).toThrow(/agent id/);
  });
});

describe('the reward transaction id', () => {
  const agent = agentPseudonym('agent-4821', PSEUDONYM_KEY);
  const key = { agent, rewardType: 'gift_card_50_usd', earnedAtPosition: 42 };

  it('is the same for the same agent, tier and ledger position (a retry, a re-run, a redelivery)', () => {
    const id = rewardTransactionId(key);
    expect(id).toMatch(GUID_V8);
    expect(rewardTransactionId({ ...key })).toBe(id);
  });

  it('is pinned: a change to the derivation would orphan every persisted lock', () => {
    // Computed independently: SHA-256 of the canonical JSON, first 16 bytes, version 8 and variant bits set.
    const fixedAgent = '00000000-0000-8000-8000-000000000000' as AgentPseudonym;
    expect(
      rewardTransactionId({ agent: fixedAgent, rewardType: 'gift_card_50_usd', earnedAtPosition: 1 }),
    ).toBe('27281aba-49ce-8198-b1a6-128a64721857');
  });

  it('differs per ledger position, per tier and per agent', () => {
    const ids = new Set([
      rewardTransactionId(key),
      rewardTransactionId({ ...key, earnedAtPosition: 43 }),
      rewardTransactionId({ ...key, rewardType: 'gift_card_100_usd' }),
      rewardTransactionId({ ...key, agent: agentPseudonym('agent-4822', PSEUDONYM_KEY) }),
    ]);
    expect(ids.size).toBe(4);
    const positions = new Set(
      Array.from({ length: 1000 }, (_, i) => rewardTransactionId({ ...key, earnedAtPosition: i + 1 })),
    );
    expect(positions.size).toBe(1000);
  });

  it('cannot be shifted by a separator inside a field', () => {
    const a = rewardTransactionId({ agent: 'x\ny' as AgentPseudonym, rewardType: 'z', earnedAtPosition: 1 });
    const b = rewardTransactionId({ agent: 'x' as AgentPseudonym, rewardType: 'y\nz', earnedAtPosition: 1 });
    expect(a).not.toBe(b);
  });

  it('refuses a position that is not a ledger position', () => {
    expect(() => rewardTransactionId({ ...key, earnedAtPosition: 0 })).toThrow(/ledger position/);
    expect(() => rewardTransactionId({ ...key, earnedAtPosition: 1.5 })).toThrow(/ledger position/);
  });
});
