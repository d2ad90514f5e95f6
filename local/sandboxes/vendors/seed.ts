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
  sites: [{ id: 'site_nyc_01', name: 'New York', timeZone: 'America/New_York' }],
  // The local stage's rule document asks 3 agents per queue and interval (issue 11).
  queues: [{ id: 'queue_billing_voice', siteId: 'site_nyc_01', name: 'Billing voice', minimumStaffing: 3 }],
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

export interface BiddingWindowOptions {
  /** Bidding requests to create (the bench's 500). */
  readonly bids: number;
  /** Open shifts they bid on (the bench's 300); every one gets at least one bid when bids >= shifts. */
  readonly shifts: number;
  /** Shifts bid on by two or more agents; default: enough for the bids beyond one per shift, at least 10%. */
  readonly contestedShifts?: number;
  readonly siteId?: string;
  readonly timeZone?: string;
  /** The Saturday of the weekend; shifts fall on it and the next day. */
  readonly date?: string;
  readonly queues?: number;
  /** Minimum staffing of every queue; the baseline schedule staffs each queue with two more than that. */
  readonly minimumStaffing?: number;
  /** When the window opens (default three days before `date`); request i is created `i * spacingMs` later. */
  readonly opensAt?: string;
  readonly spacingMs?: number;
  /** Part of every bidder, shift and request id, so two windows can be loaded into one sandbox. */
  readonly tag?: string;
}

export interface BiddingWindow {
  /** For the cxone sandbox's `_admin/fixtures` (after a reset without seed, or merged into the seed). */
  readonly fixtures: {
    sites: Record<string, unknown>[];
    queues: Record<string, unknown>[];
    agents: Record<string, unknown>[];
    shifts: Record<string, unknown>[];
    biddingRequests: Record<string, unknown>[];
  };
  /** One `wfm.bidding.request.created` webhook per request, in creation order. */
  readonly events: Record<string, unknown>[];
  readonly contestedShiftIds: readonly string[];
  /** What a correct engine ends with: one approval per shift bid on, every rival refused or escalated. */
  readonly expected: { readonly shiftsBidOn: number; readonly approvals: number; readonly rivals: number };
}

const WINDOW_SLOTS = [
  ['06:00:00', '14:00:00'],
  ['10:00:00', '18:00:00'],
  ['14:00:00', '22:00:00'],
  // Overnight: ends the next local day.
  ['22:00:00', '06:00:00'],
] as const;

/**
 * Bidding-window fixtures for the shift-bids bench (issue 11 "Figures"): a weekend of open shifts at one
 * site, qualified agents bidding on them (`open_shift`, so coverage only rises), some shifts contested by
 * agents whose bids are created a second apart, and a baseline schedule staffing every queue above its
 * minimum. Deterministic: the same options give the same fixtures.
 */
export function biddingWindowFixtures(options: BiddingWindowOptions): BiddingWindow {
  const siteId = options.siteId ?? 'site_bench_01';
  const timeZone = options.timeZone ?? 'America/Chicago';
  const saturday = options.date ?? '2026-06-06';
  const sunday = new Date(Date.parse(`${saturday}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const queueCount = options.queues ?? 3;
  const minimumStaffing = options.minimumStaffing ?? 3;
  // By default the window opens three days before the weekend it bids on.
  const opensAt = options.opensAt
    ? Date.parse(options.opensAt)
    : Date.parse(`${saturday}T00:00:00Z`) - 3 * 86_400_000;
  const spacingMs = options.spacingMs ?? 50;
  const bench = options.tag ? `bench_${options.tag}` : 'bench';
  const { bids, shifts: shiftCount } = options;
  if (!Number.isInteger(bids) || !Number.isInteger(shiftCount) || bids < 1 || shiftCount < 1)
    throw new RangeError('bids and shifts must be positive integers');
  const extra = Math.max(bids - shiftCount, 0);
  const contested = Math.min(
    shiftCount,
    options.contestedShifts ?? Math.max(1, Math.ceil(Math.max(extra, bids / 10) / 2)),
  );
  if (bids < 2 * contested) throw new RangeError(`${bids} bids cannot contest ${contested} shifts`);

  const queues = Array.from({ length: queueCount }, (_, q) => ({
    id: `queue_bench_${q + 1}`,
    siteId,
    name: `Bench queue ${q + 1}`,
    minimumStaffing,
  }));
  const skillOf = (queueId: string) => `skill_${queueId}`;
  const shifts = Array.from({ length: shiftCount }, (_, i) => {
    const [startTime, endTime] = WINDOW_SLOTS[Math.floor(i / 2) % WINDOW_SLOTS.length]!;
    const queue = queues[Math.floor(i / (2 * WINDOW_SLOTS.length)) % queueCount]!;
    return {
      id: `shift_${bench}_${String(i + 1).padStart(4, '0')}`,
      siteId,
      agentId: null,
      date: i % 2 === 0 ? saturday : sunday,
      startTime,
      endTime,
      status: 'published',
      queueId: queue.id,
      requiredSkills: [skillOf(queue.id)],
    };
  });

  // Bidders per shift: contested shifts (spread over the window) get two, the rest one, and bids beyond
  // that go round the contested shifts again.
  const step = shiftCount / contested;
  const contestedIndexes = new Set(Array.from({ length: contested }, (_, c) => Math.floor(c * step)));
  const bidders: number[] = shifts.map((_, i) => (contestedIndexes.has(i) ? 2 : 0));
  let left = bids - 2 * contested;
  for (let i = 0; i < shiftCount && left > 0; i++) {
    if (!contestedIndexes.has(i)) {
      bidders[i] = 1;
      left -= 1;
    }
  }
  const contestedList = [...contestedIndexes];
  for (let c = 0; left > 0; c = (c + 1) % contestedList.length, left--) bidders[contestedList[c]!]! += 1;

  const allSkills = queues.map((q) => ({ id: skillOf(q.id), name: q.name, proficiency: 3 }));
  const agents: Record<string, unknown>[] = [];
  const biddingRequests: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  let created = 0;
  shifts.forEach((shift, i) => {
    for (let b = 0; b < bidders[i]!; b++) {
      const n = String(agents.length + 1).padStart(4, '0');
      const agentId = `agent_${bench}_${n}`;
      const requestId = `bidding_req_${bench}_${n}`;
      agents.push({ id: agentId, siteId, name: `Bench agent ${n}`, skills: allSkills, roles: ['agent'] });
      // Rivals for one shift are created a second apart (issue 11: two bids within 3 s).
      const at = new Date(opensAt + created * spacingMs + b * 1000).toISOString();
      created += 1;
      const data = {
        requestId,
        siteId,
        agent: { id: agentId },
        shift: { id: shift.id, date: shift.date, startTime: shift.startTime, endTime: shift.endTime },
        bid: { type: 'open_shift', status: 'PENDING' },
        requestMetadata: { channel: 'bidding-window' },
      };
      biddingRequests.push({ ...data, bid: { type: 'open_shift' }, status: 'PENDING', createdAt: at });
      events.push({
        eventType: 'wfm.bidding.request.created',
        eventId: `evt_${requestId}_created`,
        timestamp: at,
        data,
      });
    }
  });

  // Baseline: every queue staffed all day (00:00 to 00:00 the next day) by two agents above its minimum.
  const baseline = queues.flatMap((queue) =>
    [saturday, sunday].flatMap((date) =>
      Array.from({ length: minimumStaffing + 2 }, (_, k) => {
        const agentId = `agent_base_${queue.id}_${date}_${k + 1}`;
        agents.push({ id: agentId, siteId, skills: allSkills, roles: ['agent'] });
        return {
          id: `shift_base_${queue.id}_${date}_${k + 1}`,
          siteId,
          agentId,
          date,
          startTime: '00:00:00',
          endTime: '00:00:00',
          status: 'published',
          queueId: queue.id,
          requiredSkills: [skillOf(queue.id)],
        };
      }),
    ),
  );

  events.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
  const shiftsBidOn = bidders.filter((n) => n > 0).length;
  return {
    fixtures: {
      sites: [{ id: siteId, name: 'Bench site', timeZone }],
      queues,
      agents,
      shifts: [...shifts, ...baseline],
      biddingRequests,
    },
    events,
    contestedShiftIds: contestedList.map((i) => shifts[i]!.id),
    expected: { shiftsBidOn, approvals: shiftsBidOn, rivals: bids - shiftsBidOn },
  };
}

/**
 * What the sandbox's WEM tenant itself allows (spec 002), independent of the project's stage config: the
 * integration's matrix and reason-code map are what the project believes, this is what the vendor enforces, so
 * a wrong matrix or an unmapped code in the config shows up as deviations and 422s here.
 */
export const GENESYS_WEM_POLICY = {
  // Spec 002 section 1: Scheduled -> InSession -> Unavailable -> OnBreak -> OnCall, plus the returns a working
  // day needs.
  transitions: {
    Scheduled: ['InSession'],
    InSession: ['Unavailable', 'OnCall', 'OnBreak', 'Scheduled'],
    Unavailable: ['OnBreak', 'InSession', 'Scheduled'],
    OnBreak: ['OnCall', 'InSession'],
    OnCall: ['InSession'],
  },
  // The WEM compliance policy: spec 002's example code and the tenant's other codes.
  complianceReasonCodes: ['NONE', 'PAID_BREAK_15', 'UNPAID_LUNCH_30', 'TRAINING', 'MEETING', 'SYSTEM_ISSUE'],
} as const;
