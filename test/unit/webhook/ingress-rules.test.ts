import { ACT_ON_EVERY_EVENT, decideIngress } from '../../../shared/domain/ingress/rules';
import { timeOffIngressRule } from '../../../shared/domain/shift-overrides/ingress-rule';
import type { TimeOffEvent } from '../../../shared/contracts/genesys-timeoff.schema';

const settings = { timeOffOverrideScope: ['PAID_TIME_OFF'] };
const timeOff = (eventType: TimeOffEvent['eventType'], status: string, requestType = 'PAID_TIME_OFF') =>
  ({
    eventType,
    timestamp: '2026-05-01T10:00:00Z',
    data: {
      requestId: 'r1',
      userId: 'u1',
      requestType,
      startTime: '2026-05-02T09:00:00Z',
      endTime: '2026-05-02T17:00:00Z',
      status,
    },
  }) satisfies TimeOffEvent;

describe('ingress rules', () => {
  it('shift-overrides acts on approved time-off in scope and on every cancellation', () => {
    expect(timeOffIngressRule.decide(timeOff('timeoff.request.approved', 'APPROVED'), settings)).toEqual({
      act: true,
    });
    expect(
      timeOffIngressRule.decide(timeOff('timeoff.request.cancelled', 'CANCELLED', 'SICK_LEAVE'), settings),
    ).toEqual({ act: true });
  });

  it.each([
    ['PENDING', 'PAID_TIME_OFF', 'status PENDING is not APPROVED'],
    ['DENIED', 'PAID_TIME_OFF', 'status DENIED is not APPROVED'],
    ['APPROVED', 'JURY_DUTY', 'requestType JURY_DUTY is outside the override scope'],
  ])('shift-overrides ignores an approved event with status %s and type %s', (status, type, reason) => {
    expect(timeOffIngressRule.decide(timeOff('timeoff.request.approved', status, type), settings)).toEqual({
      act: false,
      reason,
    });
  });

  it('ignores the declared types before the rule runs, and names the type in the reason', () => {
    const decision = decideIngress(timeOffIngressRule, 'timeoff.request.created', {}, settings);
    expect(decision).toMatchObject({
      act: false,
      reason: expect.stringMatching(/^timeoff\.request\.created: /),
    });
  });

  it('no filtering acts on everything and ignores no type', () => {
    expect(ACT_ON_EVERY_EVENT.ignoredEventTypes).toEqual({});
    expect(decideIngress(ACT_ON_EVERY_EVENT, 'agent.state.changed', {}, settings)).toEqual({ act: true });
  });
});
