/**
 * Fixtures every sandbox starts with (and returns to on `_admin/reset` unless `{"seed": false}`): the examples
 * of the specs, so `npm run sandbox` plus `npm run send` of a sample payload shows an effect with no setup.
 */
export const GENESYS_SEED = {
  users: [
    // Spec 001 sections 1-3.
    { id: '8f9e0d1c-2b3a-4567-8901-234567890abc', name: 'Spec 001 agent', timezone: 'America/New_York' },
  ],
  shifts: [
    {
      id: 'shift-001',
      userId: '8f9e0d1c-2b3a-4567-8901-234567890abc',
      startTime: '2024-11-20T08:00:00.000Z',
      endTime: '2024-11-20T16:00:00.000Z',
      shiftType: 'REGULAR',
      timezone: 'America/New_York',
    },
  ],
  reasonCodes: [
    { id: 'reason-code-pto-001', name: 'Paid Time Off' },
    { id: 'reason-code-sick-001', name: 'Sick Leave' },
  ],
  agents: [
    // Spec 002 payload example, and spec 000's agent-state example.
    { id: 'f8a3c912-4b7e-4d1a-9c2f-887e6d4a1b0c', timezone: 'America/Los_Angeles', scheduleType: 'Regular' },
    { id: 'agent-4821', timezone: 'America/New_York', scheduleType: 'Regular' },
  ],
  // Spec 004: names, emails and phones as an older export schema carries them (edge case 2); they must never leave.
  performance: [
    {
      agentId: 'agent-4821',
      date: '2026-05-14',
      csatFiveStar: 6,
      ahtCompliancePct: 96,
      complianceViolations: 0,
      agentName: 'Ana Lopez',
      agentEmail: 'ana.lopez@contact-center.example',
      agentPhone: '+1-212-555-0148',
    },
    {
      agentId: 'agent-4821',
      date: '2026-05-15',
      csatFiveStar: 4,
      ahtCompliancePct: 91,
      complianceViolations: 0,
      agentName: 'Ana Lopez',
      agentEmail: 'ana.lopez@contact-center.example',
      agentPhone: '+1-212-555-0148',
    },
    {
      agentId: 'agent-5310',
      date: '2026-05-15',
      csatFiveStar: 9,
      ahtCompliancePct: 99,
      complianceViolations: 1,
      agentName: 'Sam Okafor',
      agentEmail: 'sam.okafor@contact-center.example',
      agentPhone: '+1-646-555-0193',
    },
  ],
};

export const CXONE_SEED = {
  agents: [
    {
      id: 'agent_49201',
      siteId: 'site_nyc_01',
      name: 'Spec 003 agent',
      skills: [
        { id: 'skill_billing_voice', name: 'Billing Voice', proficiency: 3 },
        { id: 'skill_english', name: 'English', proficiency: 5 },
      ],
      roles: ['agent'],
    },
    {
      id: 'agent_49202',
      siteId: 'site_nyc_01',
      name: 'Second agent',
      skills: [{ id: 'skill_english', name: 'English', proficiency: 4 }],
      roles: ['agent'],
    },
  ],
  shifts: [
    {
      id: 'shift_20231015_0800',
      siteId: 'site_nyc_01',
      agentId: null,
      date: '2023-10-15',
      startTime: '08:00:00',
      endTime: '16:00:00',
      status: 'published',
      queueId: 'queue_billing_voice',
      requiredSkills: ['skill_billing_voice'],
    },
    {
      id: 'shift_20231015_1200',
      siteId: 'site_nyc_01',
      agentId: 'agent_49202',
      date: '2023-10-15',
      startTime: '12:00:00',
      endTime: '20:00:00',
      status: 'published',
      queueId: 'queue_billing_voice',
      requiredSkills: [],
    },
  ],
  biddingRequests: [
    {
      requestId: 'bidding_req_8f7a2c1d',
      siteId: 'site_nyc_01',
      agent: { id: 'agent_49201' },
      shift: { id: 'shift_20231015_0800', date: '2023-10-15', startTime: '08:00:00', endTime: '16:00:00' },
      bid: { type: 'swap' },
      requestMetadata: { channel: 'agent-portal' },
      status: 'PENDING',
      createdAt: '2023-10-12T14:30:00Z',
    },
  ],
};

export const REWARDS_SEED = {
  catalog: [
    { rewardType: 'gift_card_50_usd', inventory: 100, pointsCost: 500 },
    { rewardType: 'gift_card_25_usd', inventory: 100, pointsCost: 250 },
    { rewardType: 'extra_day_off', inventory: 10, pointsCost: 1000 },
  ],
};
