/** Spec 003's worked examples through the pure core: section 1's record, section 3's approval, section 4's escalation. */
import { BiddingRequestEvent } from '../../../shared/contracts/cxone.schema';
import { toCanonicalBid } from '../../../shared/domain/shift-bids/canonical-bid';
import { checkApprovalHistory } from '../../../shared/domain/shift-bids/checks/approval-history';
import { checkCoverage } from '../../../shared/domain/shift-bids/checks/coverage';
import { checkDoubleBooking } from '../../../shared/domain/shift-bids/checks/double-booking';
import { checkSkillMatch } from '../../../shared/domain/shift-bids/checks/skill-match';
import { APPROVAL_REASON, decide } from '../../../shared/domain/shift-bids/decide';
import { shiftWindow } from '../../../shared/domain/shift-bids/shift-window';
import { crew, rules, staffed } from './fixtures';

const NY = 'America/New_York';

const specEvent = {
  eventType: 'wfm.bidding.request.created',
  timestamp: '2023-10-12T14:30:00Z',
  futureField: { added: 'by CXone later' },
  data: {
    requestId: 'bidding_req_8f7a2c1d',
    siteId: 'site_nyc_01',
    agent: { id: 'agent_49201', name: 'Spec 003 agent', email: 'pii@example.com' },
    shift: {
      id: 'shift_20231015_0800',
      date: '2023-10-15',
      startTime: '08:00:00',
      endTime: '16:00:00',
      label: 'AM',
    },
    bid: { type: 'SWAP', priority: 2 },
    requestMetadata: { channel: 'agent-portal' },
  },
};

describe('spec 003 section 1: the canonical record', () => {
  it('flattens the nested payload into the normalized record and drops fields CXone adds', () => {
    const bid = toCanonicalBid(BiddingRequestEvent.parse(specEvent), 'uuid-v4-generated');
    expect(bid).toStrictEqual({
      processingId: 'uuid-v4-generated',
      cxoneRequestId: 'bidding_req_8f7a2c1d',
      siteId: 'site_nyc_01',
      agentId: 'agent_49201',
      shiftId: 'shift_20231015_0800',
      bidType: 'swap',
      requestedDate: '2023-10-15',
      startTime: '08:00:00',
      endTime: '16:00:00',
      status: 'pending_validation',
      cxoneEventTimestamp: '2023-10-12T14:30:00Z',
      processedAt: null,
      retryCount: 0,
      cxoneStatus: null,
    });
  });

  it('pads hh:mm to hh:mm:ss, keeps a status CXone sends, and names an out-of-range time', () => {
    const event = BiddingRequestEvent.parse({
      ...specEvent,
      data: {
        ...specEvent.data,
        shift: { ...specEvent.data.shift, startTime: '22:00' },
        bid: { type: 'swap', status: 'APPROVED' },
      },
    });
    expect(toCanonicalBid(event, 'p')).toMatchObject({ startTime: '22:00:00', cxoneStatus: 'APPROVED' });
    const late = BiddingRequestEvent.parse({
      ...specEvent,
      data: { ...specEvent.data, shift: { ...specEvent.data.shift, endTime: '25:00' } },
    });
    expect(() => toCanonicalBid(late, 'p')).toThrow(/^data\.shift\.endTime: "25:00" is not a local time/);
  });
});

describe('spec 003 section 3: the example bid is approved (sandbox seed data)', () => {
  it('passes all four checks and carries the rule version', () => {
    const bid = toCanonicalBid(BiddingRequestEvent.parse(specEvent), 'p-1');
    const document = rules({ version: 'v2.4.1' });
    const window = shiftWindow(
      { date: bid.requestedDate, startTime: bid.startTime, endTime: bid.endTime },
      NY,
    );
    const schedule = [
      staffed('shift_20231015_0800', null, 'queue_billing_voice', '2023-10-15', '08:00:00', '16:00:00', NY),
      staffed(
        'shift_20231015_1200',
        'agent_49202',
        'queue_billing_voice',
        '2023-10-15',
        '12:00:00',
        '20:00:00',
        NY,
      ),
    ];
    const results = [
      checkDoubleBooking({ requestId: bid.cxoneRequestId, shiftId: bid.shiftId, window, bookings: [] }),
      checkCoverage({
        bid: { ...bid, queueId: 'queue_billing_voice', window },
        schedule,
        rules: document,
      }),
      checkApprovalHistory({
        requestId: bid.cxoneRequestId,
        decidedAt: Date.parse('2023-10-12T14:32:15Z'),
        rejections: [],
        rules: document,
      }),
      checkSkillMatch({
        agent: { id: 'agent_49201', skills: ['skill_billing_voice', 'skill_english'], roles: ['agent'] },
        requiredSkills: ['skill_billing_voice'],
        queueId: 'queue_billing_voice',
        rules: document,
      }),
    ];
    const decision = decide(results, document.version);
    expect(decision).toMatchObject({ decision: 'APPROVE', ruleVersion: 'v2.4.1', reason: APPROVAL_REASON });
    expect(decision.reason).toMatch(
      /^Auto-approved: Coverage threshold met, no schedule conflicts, agent approval rate within limits/,
    );
  });
});

describe('spec 003 section 4: coverage at 94% below the 95% limit of the premium queue escalates', () => {
  it('ESCALATE, naming 94% and 95%, the other checks passing', () => {
    const document = rules({
      version: 'v2.4.1',
      coverage: {
        intervalMinutes: 15,
        defaultMinimum: { kind: 'headcount', minimum: 3, greyBand: 1 },
        queues: { premium: { kind: 'percentOfRequired', minimum: 90, greyBand: 5 } },
      },
    });
    const date = '2023-10-15';
    const held = staffed('held', 'agent_49201', 'premium', date, '08:00', '16:00', NY);
    const coverage = checkCoverage({
      bid: {
        agentId: 'agent_49201',
        bidType: 'swap',
        shiftId: 'shift_20231015_1200',
        requestedDate: date,
        queueId: 'billing',
        window: shiftWindow({ date, startTime: '12:00', endTime: '20:00' }, NY),
      },
      schedule: [...crew(47, 'premium', date, '08:00', '16:00', NY), held],
      required: [{ queueId: 'premium', agents: 50, start: held.start, end: held.end }],
      rules: document,
    });
    const pass = (check: 'double_booking' | 'skill_match' | 'approval_history') =>
      ({ check, result: 'PASS', evidence: { summary: 'ok' } }) as const;
    const decision = decide(
      [pass('double_booking'), pass('skill_match'), coverage, pass('approval_history')],
      document.version,
    );
    expect(decision.decision).toBe('ESCALATE');
    expect(decision.validationChecks).toEqual({
      double_booking: 'PASS',
      skill_match: 'PASS',
      coverage_check: 'UNCERTAIN',
      approval_history: 'PASS',
    });
    expect(decision.reason).toMatch(
      /coverage threshold at 94% for premium .* below the 95% auto-approval limit/,
    );
  });
});
