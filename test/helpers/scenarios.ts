/**
 * One record each workflow acts on, for e2e tests that need one (crash points, DynamoDB faults): fresh ids, the
 * sandbox fixtures to load and the event the vendor sends. The workflows' own e2e files have the full scenarios.
 */
const SITE = 'site_nyc_01';

/** A run-unique id: `<label>_<time><random>`. */
export const uniqueId = (label: string) =>
  `${label}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/**
 * A fresh agent (billing voice skill), a fresh published open shift on its own queue on `date`, and that agent's
 * PENDING bid for it: the sandbox fixtures to load, and the `created` event CXone sends for the bid, which the
 * local rules approve. Ids start with `label`, so a test can find its records.
 */
export function openShiftBid(label: string, date: string) {
  const agentId = uniqueId(`${label}_agent`);
  const shift = { id: uniqueId(`${label}_open`), agentId: null, queueId: uniqueId(`${label}_q`), date };
  const requestId = uniqueId(`${label}_bid`);
  const created = {
    eventType: 'wfm.bidding.request.created',
    eventId: uniqueId(`evt_${requestId}`),
    timestamp: '2026-08-01T10:00:00Z',
    data: {
      requestId,
      siteId: SITE,
      agent: { id: agentId },
      shift: { id: shift.id, date, startTime: '08:00:00', endTime: '16:00:00' },
      bid: { type: 'open_shift', status: 'PENDING' },
      requestMetadata: { channel: 'agent-portal' },
    },
  };
  const fixtures = {
    agents: [{ id: agentId, siteId: SITE, skills: [{ id: 'skill_billing_voice' }], roles: ['agent'] }],
    shifts: [
      {
        siteId: SITE,
        status: 'published',
        startTime: '08:00:00',
        endTime: '16:00:00',
        requiredSkills: ['skill_billing_voice'],
        ...shift,
      },
    ],
    biddingRequests: [{ ...created.data, status: 'PENDING', createdAt: created.timestamp }],
  };
  return { requestId, created, fixtures };
}

/**
 * A fresh Genesys user (Europe/Paris) with an 8-hour shift on 2026-05-04, and the approved paid time-off that
 * covers all of it: the fixtures to load, and the `timeoff.request.approved` event, which removes the shift.
 */
export function fullShiftApproval(label: string) {
  const userId = uniqueId(`${label}_user`);
  const shiftId = uniqueId(`${label}_shift`);
  const requestId = uniqueId(`${label}_req`);
  const fixtures = {
    users: [{ id: userId, timezone: 'Europe/Paris' }],
    shifts: [
      {
        id: shiftId,
        userId,
        startTime: '2026-05-04T07:00:00Z',
        endTime: '2026-05-04T15:00:00Z',
        shiftType: 'REGULAR',
      },
    ],
  };
  const approval = {
    eventType: 'timeoff.request.approved',
    timestamp: '2026-04-20T10:00:00Z',
    data: {
      requestId,
      userId,
      requestType: 'PAID_TIME_OFF',
      startTime: '2026-05-04T06:00:00Z',
      endTime: '2026-05-04T16:00:00Z',
      status: 'APPROVED',
      approverId: 'approver-1',
    },
  };
  return { userId, shiftId, requestId, fixtures, approval };
}
