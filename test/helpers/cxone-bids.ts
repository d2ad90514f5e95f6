/** CXone bids for e2e tests that need one bid the rules approve (test/e2e/shift-bids.test.ts has the full scenarios). */
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
