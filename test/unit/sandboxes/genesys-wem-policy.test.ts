/**
 * The sandbox's WEM enforces its own state matrix and compliance policy (its fixtures), not the project's stage
 * config: a config that believes in a transition or a reason code WEM does not have must be caught here.
 */
import { call, useVendorSandbox } from './helpers';

jest.mock('../../../shared/config/stage', () => {
  const actual = jest.requireActual('../../../shared/config/stage');
  return {
    ...actual,
    // A wrong belief: OnCall -> OnBreak allowed directly, and a reason code WEM's policy does not hold.
    loadStageConfig: (stage: string) => {
      const config = actual.loadStageConfig(stage);
      const adherence = config.workflows['adherence-sync'];
      return {
        ...config,
        workflows: {
          ...config.workflows,
          'adherence-sync': {
            ...adherence,
            transitions: { ...adherence.transitions, OnCall: ['InSession', 'OnBreak'] },
            reasonCodeMap: { ...adherence.reasonCodeMap, 'coffee-run': 'COFFEE_RUN' },
          },
        },
      };
    },
  };
});

const AGENT = 'agent-policy';
const sandbox = useVendorSandbox('genesys', {
  fixtures: { agents: [{ id: AGENT, timezone: 'UTC', scheduleType: 'Regular' }] },
});
let seq = 0;
const post = (adherenceState: string, minute: number, reasonCode = 'NONE') => {
  const at = `2026-05-15T14:${String(minute).padStart(2, '0')}:00.000Z`;
  return call(sandbox.base, 'POST', `/api/v2/wem/adherence/agents/${AGENT}/adherence-events`, {
    token: sandbox.token,
    body: { agentId: AGENT, adherenceState, scheduleType: 'Regular', startTime: at, endTime: at, reasonCode },
    headers: { 'x-genesys-idempotency-key': `policy-${++seq}` },
  });
};

describe("the Genesys sandbox's WEM policy comes from its own fixtures", () => {
  it('queues a transition the stage config allows but WEM does not (OnCall -> OnBreak)', async () => {
    expect((await post('OnCall', 0)).body).toMatchObject({ processingStatus: 'APPLIED' });
    expect((await post('OnBreak', 1)).body).toMatchObject({
      processingStatus: 'QUEUED_FOR_RECONCILIATION',
      transitionFrom: 'OnCall',
    });
  });

  it("refuses a reason code the stage config maps to but WEM's policy does not hold (422)", async () => {
    const res = await post('InSession', 2, 'COFFEE_RUN');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'reason.code.unmapped' });
  });
});
