/** Issue 12 on the local runtime: a performance export becomes points, and 500 points one reward, once. */
import { formatInTimeZone } from 'date-fns-tz';
import { domainEvents, runSchedule, sandbox, waitFor } from '../helpers/local';

const genesys = sandbox('genesys');
const rewards = sandbox('rewards');
const today = formatInTimeZone(Date.now(), 'America/New_York', 'yyyy-MM-dd');
const uid = (label: string) =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

interface RewardsState {
  rewards: { agent_id: string; reward_type: string; status: string; transaction_id: string }[];
}

describe('reward-triggers on the local runtime', () => {
  it('an agent crossing 500 points gets exactly one gift_card_50_usd, with no PII sent; a second run changes nothing', async () => {
    const agentId = uid('agent');
    const pii = { agentName: 'Grace Hopper', email: 'grace.hopper@example.com', phone: '+1-555-0100' };
    await genesys.fixtures({
      performance: [
        { agentId, date: today, csatFiveStar: 51, complianceViolations: 0, ahtCompliancePct: 90, ...pii },
      ],
    });
    const before = ((await rewards.state()) as RewardsState).rewards.length;
    await runSchedule('reward-export-ingestion');
    const issued = await waitFor(
      async () => {
        const state = (await rewards.state()) as RewardsState;
        return state.rewards.length > before ? state.rewards.slice(before) : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ reward_type: 'gift_card_50_usd', status: 'ISSUED' });
    expect(issued[0]!.agent_id).not.toContain(agentId);

    await runSchedule('reward-export-ingestion');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(((await rewards.state()) as RewardsState).rewards.length).toBe(before + 1);

    const log = JSON.stringify(await rewards.requests({}));
    for (const value of [...Object.values(pii), agentId]) expect(log).not.toContain(value);
    expect((await domainEvents('reward.issued')).length).toBeGreaterThan(0);
  }, 120_000);
});
