/**
 * The shift-bids model (spec 003) shared by its two drivers: the domain with the fakes
 * (test/unit/shift-bids/shift-bids.model.test.ts) and the local runtime end to end (test/e2e/model-runs.test.ts).
 * One history generator, one set of property checks over what each driver observes: CXone's requests and the
 * actions it admitted, our records, the audit trail, the domain events, the supervisor notifications.
 */
import fc from 'fast-check';
import type { StateWriteFault } from '../../../shared/adapters/aws/dynamodb-faults.fake';
import type { CxoneFault } from '../../../shared/adapters/cxone/bidding.fake';
import type { BiddingRequestEvent } from '../../../shared/contracts/cxone.schema';
import { LOCAL_RULE_DOCUMENT } from '../../../shared/domain/shift-bids/default-rules';
import { SHIFT_BIDS_FAILURE_REASONS } from '../../../shared/domain/shift-bids/failure-reasons';
import type { CxoneShift } from '../../../shared/domain/shift-bids/ports';
import { parseRuleDocument, type RuleDocument } from '../../../shared/domain/shift-bids/rules.schema';
import type { AuditRecord, DomainEvent } from '../../../shared/ports/platform';

export const DATE = '2026-07-15';
export const SITE = 'site_nyc_01';
export const SERVICE = 'wfm-auto-engine';
export const OPEN_SHIFTS = ['open-A', 'open-B'] as const;
export const REQUEST_COUNT = 4;
export const requestIds = Array.from({ length: REQUEST_COUNT }, (_, i) => `bidding_req_${i + 1}`);
export const bidderOf = (requestId: string) => `bidder-${requestId.slice(-1)}`;
/** The agents already on shift in the open shifts' queue. */
export const CREW = ['c1', 'c2', 'c3', 'c4'];

function rules(overrides: Partial<Record<keyof RuleDocument, unknown>>): RuleDocument {
  const parsed = parseRuleDocument({ ...LOCAL_RULE_DOCUMENT, ...overrides });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.document;
}

/**
 * The documents an administrator switches between: v1 approves an open-shift bid by a qualified agent; v2
 * requires a role no bidder holds (REJECT); v3 no longer says what an open-shift bid does to coverage
 * (ESCALATE).
 */
export const DOCUMENTS: Record<string, RuleDocument> = {
  v1: rules({ version: 'rules-v1' }),
  v2: rules({ version: 'rules-v2', skills: { requiredRole: 'senior', requiredRoleByQueue: {} } }),
  v3: rules({
    version: 'rules-v3',
    coverage: { ...LOCAL_RULE_DOCUMENT.coverage, bidTypeEffects: { swap: 'moves' } },
  }),
};
export type DocumentName = keyof typeof DOCUMENTS;

export interface Bid {
  readonly shift: (typeof OPEN_SHIFTS)[number];
  readonly copies: number;
}

export type SendStep = { readonly send: number };
export type DeliverStep = { readonly deliver: readonly number[] };
export type RulesStep = { readonly rules: DocumentName };
/** A supervisor resolves a still-pending request in the CXone UI; CXone sends `status_changed`. */
export type SupervisorStep = {
  readonly supervisor: { request: number; status: 'REJECTED' | 'CANCELLED' };
};
export type VendorFaultStep = { readonly vendorFault: { call: 'act' | 'read'; fault: CxoneFault } };
export type StateFaultStep = { readonly stateFault: { skip: number; fault: StateWriteFault } };
export type Step = SendStep | DeliverStep | RulesStep | SupervisorStep | VendorFaultStep | StateFaultStep;

export interface History<S = Step> {
  readonly bids: readonly Bid[];
  readonly asyncActions: boolean;
  /** Lambda's remaining time as the domain sees it: unbounded, or short enough that 423 waits defer. */
  readonly shortInvocations: boolean;
  readonly steps: readonly S[];
}

export const sendStep: fc.Arbitrary<SendStep> = fc.record({ send: fc.nat() });
export const deliverStep: fc.Arbitrary<DeliverStep> = fc.record({
  deliver: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
});
export const rulesStep: fc.Arbitrary<RulesStep> = fc.record({
  rules: fc.constantFrom<DocumentName>('v1', 'v2', 'v3'),
});
export const supervisorStep: fc.Arbitrary<SupervisorStep> = fc.record({
  supervisor: fc.record({
    request: fc.nat({ max: REQUEST_COUNT - 1 }),
    status: fc.constantFrom<'REJECTED' | 'CANCELLED'>('REJECTED', 'CANCELLED'),
  }),
});
export const vendorFaultStep: fc.Arbitrary<VendorFaultStep> = fc.record({
  vendorFault: fc.record({
    call: fc.constantFrom<'act' | 'read'>('act', 'act', 'read'),
    fault: fc.constantFrom<CxoneFault>('unavailable', 'commit-then-fail', 'recovered', 'locked'),
  }),
});
export const stateFaultStep: fc.Arbitrary<StateFaultStep> = fc.record({
  stateFault: fc.record({
    skip: fc.integer({ min: 0, max: 4 }),
    fault: fc.constantFrom<StateWriteFault>('throttled', 'timeout-after-write'),
  }),
});

export const bids: fc.Arbitrary<readonly Bid[]> = fc.array(
  fc.record({ shift: fc.constantFrom(...OPEN_SHIFTS), copies: fc.integer({ min: 1, max: 2 }) }),
  { minLength: REQUEST_COUNT, maxLength: REQUEST_COUNT },
);

/** Histories of the domain driver: every step kind, State-table faults included. */
export const history: fc.Arbitrary<History> = fc.record({
  bids,
  asyncActions: fc.boolean(),
  shortInvocations: fc.boolean(),
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: sendStep as fc.Arbitrary<Step> },
      { weight: 4, arbitrary: deliverStep },
      { weight: 1, arbitrary: rulesStep },
      { weight: 1, arbitrary: supervisorStep },
      { weight: 3, arbitrary: vendorFaultStep },
      { weight: 1, arbitrary: stateFaultStep },
    ),
    { maxLength: 40 },
  ),
});

export function shift(id: string, agentId: string | null, date = DATE): CxoneShift {
  return {
    id,
    siteId: SITE,
    agentId,
    date,
    startTime: '08:00:00',
    endTime: '16:00:00',
    status: 'published',
    queueId: 'q1',
    requiredSkills: ['billing'],
  };
}

/** When CXone created each request: a second apart, in request order. */
export const createdAtOf = (index: number) =>
  new Date(Date.parse('2026-07-10T11:00:00Z') + index * 1000).toISOString();

export function bidEvent(
  requestId: string,
  shiftId: string,
  timestamp: string,
  eventType: BiddingRequestEvent['eventType'] = 'wfm.bidding.request.created',
  status = 'PENDING',
  date = DATE,
): BiddingRequestEvent {
  return {
    eventType,
    timestamp,
    data: {
      requestId,
      siteId: SITE,
      agent: { id: bidderOf(requestId) },
      shift: { id: shiftId, date, startTime: '08:00:00', endTime: '16:00:00' },
      bid: { type: 'open_shift', status },
    },
  };
}

const STATE_OF_CXONE: Record<string, string> = {
  APPROVED: 'approved',
  REJECTED: 'rejected',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired',
};

/** What a driver saw after a history, in the model's ids. */
export interface ShiftBidsObservation {
  /** CXone's requests by id. */
  readonly requests: ReadonlyMap<
    string,
    { status: string; shift: { id: string }; resolution?: { by?: string } | null }
  >;
  /** Every action CXone admitted (a replay or a refused call adds none). */
  readonly applied: readonly { requestId: string; action: string }[];
  /** Our record of each request. */
  readonly records: ReadonlyMap<string, { status: string; blocklisted?: boolean } | undefined>;
  readonly audit: readonly Pick<AuditRecord, 'subject' | 'action' | 'detail'>[];
  /** Domain events, without the supervisor notifications. */
  readonly events: readonly DomainEvent[];
  readonly notifications: readonly { requestId: string }[];
  /** The status each supervisor-resolved request was given in the CXone UI. */
  readonly supervised: ReadonlyMap<string, string>;
}

/**
 * CXone and our records agree, nothing automation should decide is left pending, no request got two actions
 * and no shift two winners, every decision follows the rule document in force, every escalation reached a
 * supervisor, and the audit trail and domain events tell CXone's story.
 */
export function checkShiftBidsProperties(o: ShiftBidsObservation): void {
  // No vendor-side duplicate: one action per request at most; no shift awarded twice.
  const actionsPerRequest = new Map<string, number>();
  for (const a of o.applied)
    actionsPerRequest.set(a.requestId, (actionsPerRequest.get(a.requestId) ?? 0) + 1);
  for (const [requestId, actions] of actionsPerRequest)
    expect({ requestId, actions }).toEqual({ requestId, actions: 1 });
  for (const s of OPEN_SHIFTS) {
    const winners = [...o.requests.values()].filter((q) => q.shift.id === s && q.status === 'APPROVED');
    expect({ shift: s, winners: winners.length <= 1 }).toEqual({ shift: s, winners: true });
  }

  for (const requestId of requestIds) {
    const vendor = o.requests.get(requestId)!;
    const record = o.records.get(requestId);
    // Our record is CXone's state; only an escalated request may stay PENDING, waiting for a supervisor.
    const expected =
      vendor.status === 'PENDING' ? 'escalated' : (STATE_OF_CXONE[vendor.status] ?? vendor.status);
    expect({ requestId, status: record?.status }).toEqual({ requestId, status: expected });
    // What we did at CXone is what CXone holds; a supervisor's resolution is never overridden.
    const ours = o.applied.find((a) => a.requestId === requestId);
    if (o.supervised.has(requestId) && vendor.resolution?.by !== SERVICE)
      expect({ requestId, status: vendor.status }).toEqual({
        requestId,
        status: o.supervised.get(requestId),
      });
    if (ours) expect({ requestId, by: vendor.resolution?.by }).toEqual({ requestId, by: SERVICE });
    if (vendor.status === 'APPROVED')
      expect({ requestId, ours: ours?.action }).toEqual({ requestId, ours: 'APPROVE' });

    // Every decision follows the rule document in force when it was made.
    for (const decided of o.audit.filter((a) => a.subject === `bid#${requestId}` && a.action === 'DECIDED')) {
      const d = decided.detail as { decision: string; rule_version: string; conflicting_request_id?: string };
      if (d.conflicting_request_id) {
        expect(o.requests.get(d.conflicting_request_id)?.status).toBe('APPROVED');
        continue;
      }
      if (d.rule_version === 'rules-v2') expect({ requestId, ...d }).toMatchObject({ decision: 'REJECT' });
      if (d.rule_version === 'rules-v1') expect({ requestId, ...d }).toMatchObject({ decision: 'APPROVE' });
      expect({ requestId, ...d }).not.toMatchObject({ rule_version: 'rules-v3' });
    }

    // A supervisor is told of every escalation.
    if (record?.blocklisted)
      expect({ requestId, notified: o.notifications.some((n) => n.requestId === requestId) }).toEqual({
        requestId,
        notified: true,
      });

    // The audit trail and the domain events tell CXone's story.
    const told = o.audit
      .filter((a) => a.subject === `bid#${requestId}` && a.detail?.final_outcome !== undefined)
      .at(-1);
    expect({ requestId, audit: told?.detail?.final_outcome }).toEqual({ requestId, audit: record?.status });
    const announced = o.events.filter((e) => e.detail.requestId === requestId).at(-1);
    const story =
      announced?.type === 'bid.reconciled' ? announced.detail.to : announced?.type.replace('bid.', '');
    expect({ requestId, events: story }).toEqual({ requestId, events: record?.status });
  }
}

/** Every dead letter carries a documented reason. */
export function checkDeadLetterReasons(deadLettered: readonly { reason: string }[]): void {
  for (const d of deadLettered) expect(SHIFT_BIDS_FAILURE_REASONS).toHaveProperty(d.reason);
}
