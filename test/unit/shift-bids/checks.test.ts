import { checkApprovalHistory } from '../../../shared/domain/shift-bids/checks/approval-history';
import { runCheck } from '../../../shared/domain/shift-bids/checks/check-result';
import { checkDoubleBooking, type Booking } from '../../../shared/domain/shift-bids/checks/double-booking';
import { checkSkillMatch } from '../../../shared/domain/shift-bids/checks/skill-match';
import { shiftWindow } from '../../../shared/domain/shift-bids/shift-window';
import { addDays } from '../../../shared/domain/time/local-days';
import { rules } from './fixtures';

const NY = 'America/New_York';
const LH = 'Australia/Lord_Howe';

const booking = (
  kind: Booking['kind'],
  id: string,
  date: string,
  startTime: string,
  endTime: string,
  timeZone: string,
): Booking => ({
  kind,
  id,
  shiftId: kind === 'published_shift' ? id : `shift-of-${id}`,
  ...shiftWindow({ date, startTime, endTime }, timeZone),
});

const requested = (date: string, startTime: string, endTime: string, timeZone: string) => ({
  requestId: 'req-1',
  shiftId: 'wanted',
  window: shiftWindow({ date, startTime, endTime }, timeZone),
});

describe('double booking', () => {
  const held = booking('published_shift', 'held', '2026-06-10', '08:00', '16:00', NY);

  it('fails on an overlapping published shift and names it; back to back is fine', () => {
    const result = checkDoubleBooking({ ...requested('2026-06-10', '15:00', '23:00', NY), bookings: [held] });
    expect(result.result).toBe('FAIL');
    expect(result.evidence.summary).toMatch(
      /published shift held \(2026-06-10T12:00:00.000Z to 2026-06-10T20:00:00.000Z\)/,
    );
    expect(
      checkDoubleBooking({ ...requested('2026-06-10', '16:00', '00:00', NY), bookings: [held] }).result,
    ).toBe('PASS');
  });

  it('fails on an overlapping approved bid', () => {
    const approved = booking('approved_bid', 'req-0', '2026-06-10', '18:00', '22:00', NY);
    const result = checkDoubleBooking({
      ...requested('2026-06-10', '16:00', '00:00', NY),
      bookings: [approved],
    });
    expect(result.result).toBe('FAIL');
    expect(result.evidence.conflicts).toEqual([
      expect.objectContaining({ kind: 'approved_bid', id: 'req-0' }),
    ]);
  });

  // A published 22:00-06:00 shift the night before: where it ends on the next day, DST nights included.
  it.each([
    ['an ordinary night (a same-date comparison misses it)', NY, '2026-06-09', '05:00'],
    ['Lord Howe fall-back: 06:00 +10:30, half an hour after 06:00 +11', LH, '2026-04-04', '05:30'],
    ['New York spring-forward: 7 hours, touching a 06:00 start', NY, '2026-03-07', '05:45'],
    ['London spring-forward', 'Europe/London', '2026-03-28', '05:59'],
    ['London fall-back', 'Europe/London', '2026-10-24', '05:59'],
  ])(
    '%s [%s, night of %s]: a bid starting at %s the next day clashes, one at 06:00 does not',
    (_case, timeZone, night, clashingStart) => {
      const shift = booking('published_shift', 'night', night, '22:00', '06:00', timeZone);
      const next = addDays(night, 1);
      const startingAt = (startTime: string) =>
        checkDoubleBooking({ ...requested(next, startTime, '14:00', timeZone), bookings: [shift] }).result;
      expect(startingAt(clashingStart)).toBe('FAIL');
      expect(startingAt('06:00')).toBe('PASS');
    },
  );

  it('a swap releases the shift it leaves; holding the requested shift itself is UNCERTAIN', () => {
    const overlappingHeld = booking('published_shift', 'held', '2026-06-10', '08:00', '16:00', NY);
    const swap = { ...requested('2026-06-10', '12:00', '20:00', NY), bookings: [overlappingHeld] };
    expect(checkDoubleBooking(swap).result).toBe('FAIL');
    expect(checkDoubleBooking({ ...swap, releasing: ['held'] }).result).toBe('PASS');
    const wanted = { ...booking('published_shift', 'wanted', '2026-06-10', '12:00', '20:00', NY) };
    expect(checkDoubleBooking({ ...swap, bookings: [wanted] }).result).toBe('UNCERTAIN');
  });
});

describe('approval history (default 3 rejections in 30 days)', () => {
  const decidedAt = Date.parse('2026-06-30T12:00:00Z');
  const rejection = (requestId: string, rejectedAt: string) => ({ requestId, rejectedAt });

  it('refuses at 3 within the window, allows 2, ignores older ones', () => {
    const two = [rejection('r1', '2026-06-01T12:00:01Z'), rejection('r2', '2026-06-29T00:00:00-04:00')];
    const input = { requestId: 'req-1', decidedAt, rules: rules() };
    expect(checkApprovalHistory({ ...input, rejections: two }).result).toBe('PASS');
    const exactlyThirtyDaysOld = rejection('r0', '2026-05-31T12:00:00Z');
    expect(checkApprovalHistory({ ...input, rejections: [...two, exactlyThirtyDaysOld] }).result).toBe(
      'PASS',
    );
    const third = rejection('r3', '2026-06-15T08:00:00Z');
    const result = checkApprovalHistory({ ...input, rejections: [...two, third] });
    expect(result.result).toBe('FAIL');
    expect(result.evidence).toMatchObject({
      rejections: 3,
      maxRejections: 3,
      windowDays: 30,
      requestIds: ['r1', 'r2', 'r3'],
    });
    expect(result.evidence.summary).toBe('agent has 3 rejections in the last 30 days (limit 3)');
  });

  it('counts a request once and never the request being decided', () => {
    const rejections = [
      rejection('r1', '2026-06-10T00:00:00Z'),
      rejection('r1', '2026-06-11T00:00:00Z'),
      rejection('req-1', '2026-06-12T00:00:00Z'),
    ];
    expect(
      checkApprovalHistory({ requestId: 'req-1', decidedAt, rejections, rules: rules() }).evidence.rejections,
    ).toBe(1);
  });

  it('follows the rule document (5 in 60)', () => {
    const history = ['05-05', '05-20', '06-01', '06-10'].map((d, i) =>
      rejection(`r${i}`, `2026-${d}T00:00:00Z`),
    );
    const fiveInSixty = rules({ approvalHistory: { maxRejections: 5, windowDays: 60 } });
    expect(
      checkApprovalHistory({ requestId: 'x', decidedAt, rejections: history, rules: fiveInSixty }).result,
    ).toBe('PASS');
    const more = [...history, rejection('r9', '2026-06-20T00:00:00Z')];
    expect(
      checkApprovalHistory({ requestId: 'x', decidedAt, rejections: more, rules: fiveInSixty }).result,
    ).toBe('FAIL');
  });

  it('an unreadable history record makes the check an ERROR, not a PASS', () => {
    const result = runCheck('approval_history', () =>
      checkApprovalHistory({
        requestId: 'x',
        decidedAt,
        rejections: [rejection('r1', 'yesterday')],
        rules: rules(),
      }),
    );
    expect(result).toMatchObject({ check: 'approval_history', result: 'ERROR' });
    expect(result.evidence.summary).toMatch(
      /could not run: rejection of r1 has no readable time "yesterday"/,
    );
  });
});

describe('skills and role', () => {
  const agent = { id: 'agent_49201', skills: ['skill_billing_voice', 'skill_english'], roles: ['agent'] };

  it('passes with every required skill and the role', () => {
    expect(
      checkSkillMatch({
        agent,
        requiredSkills: ['skill_billing_voice'],
        queueId: 'queue_billing_voice',
        rules: rules(),
      }).result,
    ).toBe('PASS');
  });

  it('fails naming the missing skills and role', () => {
    const result = checkSkillMatch({
      agent: { id: 'agent_49202', skills: ['skill_english'], roles: ['trainee'] },
      requiredSkills: ['skill_billing_voice', 'skill_english', 'skill_spanish'],
      queueId: 'queue_billing_voice',
      rules: rules(),
    });
    expect(result.result).toBe('FAIL');
    expect(result.evidence.summary).toBe(
      'agent lacks required skill(s) skill_billing_voice, skill_spanish and lacks the required role agent',
    );
  });

  it('a queue can require another role, or none', () => {
    const perQueue = rules({
      skills: { requiredRole: 'agent', requiredRoleByQueue: { premium: 'senior', floor: null } },
    });
    const noRoles = { ...agent, roles: [] };
    expect(
      checkSkillMatch({ agent, requiredSkills: [], queueId: 'premium', rules: perQueue }).evidence
        .missingRole,
    ).toBe('senior');
    expect(
      checkSkillMatch({ agent: noRoles, requiredSkills: [], queueId: 'floor', rules: perQueue }).result,
    ).toBe('PASS');
    expect(
      checkSkillMatch({ agent: noRoles, requiredSkills: [], queueId: null, rules: perQueue }).result,
    ).toBe('FAIL');
  });
});
