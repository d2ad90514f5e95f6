/**
 * The shift-overrides model (spec 001) shared by its two drivers: the domain with the fakes
 * (test/unit/shift-overrides/shift-overrides.model.test.ts) and the local runtime end to end
 * (test/e2e/model-runs.test.ts). One set of generated requests, one reference model, one set of property checks
 * over what each driver observes (the vendor's overrides, the audit trail, the domain events, the dead letters).
 */
import fc from 'fast-check';
import type { StateWriteFault } from '../../../shared/adapters/aws/dynamodb-faults.fake';
import type { GenesysFault, GenesysOperation } from '../../../shared/adapters/genesys/scheduling.fake';
import { idempotencyKeyOf } from '../../../shared/domain/shift-overrides/process-time-off';
import { SHIFT_OVERRIDES_FAILURE_REASONS } from '../../../shared/domain/shift-overrides/failure-reasons';
import type { AuditRecord, DomainEvent } from '../../../shared/ports/platform';

const HOUR = 3_600_000;
const DAY0 = Date.parse('2026-05-04T00:00:00Z');
export const THRESHOLD = 0.8;
export const USERS = { u1: 'America/New_York', u2: 'Asia/Kolkata' } as const;
/** Each request's user and the day its time-off window starts from; one user's windows never overlap. */
export const REQUESTS = {
  r1: { userId: 'u1', day: 0 },
  r2: { userId: 'u1', day: 4 },
  r3: { userId: 'u2', day: 0 },
};
export type RequestId = keyof typeof REQUESTS;
export const REQUEST_IDS = Object.keys(REQUESTS) as RequestId[];

/** One 8-hour shift a day, days 0-7, for every user. */
export const SHIFTS = Object.keys(USERS).flatMap((userId) =>
  Array.from({ length: 8 }, (_, day) => ({
    id: `${userId}-d${day}`,
    userId,
    startTime: new Date(DAY0 + day * 24 * HOUR + 13 * HOUR).toISOString(),
    endTime: new Date(DAY0 + day * 24 * HOUR + 21 * HOUR).toISOString(),
  })),
);

export type EventKind = 'approved' | 'cancelled' | 'created' | 'denied';

export interface RequestHistory {
  readonly requestType: 'PAID_TIME_OFF' | 'VACATION' | 'SICK';
  readonly startHour: number;
  readonly hours: number;
  /** In event-time order; each sent `copies` times. */
  readonly events: readonly { kind: EventKind; copies: number }[];
}

export type SendStep = { readonly send: number };
export type DeliverStep = { readonly deliver: readonly number[] };
export type VendorFaultStep = {
  readonly vendorFault: { operation: GenesysOperation; fault: GenesysFault };
};
/** On the State table's write after `skip` more. */
export type StateFaultStep = { readonly stateFault: { skip: number; fault: StateWriteFault } };
export type Step = SendStep | DeliverStep | VendorFaultStep | StateFaultStep;

export const requestHistory: fc.Arbitrary<RequestHistory> = fc.record({
  requestType: fc.constantFrom('PAID_TIME_OFF', 'PAID_TIME_OFF', 'PAID_TIME_OFF', 'VACATION', 'SICK'),
  startHour: fc.integer({ min: 0, max: 40 }),
  hours: fc.integer({ min: 1, max: 30 }),
  events: fc.array(
    fc.record({
      kind: fc.constantFrom<EventKind>('approved', 'approved', 'cancelled', 'cancelled', 'created', 'denied'),
      copies: fc.integer({ min: 1, max: 2 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

export const sendStep: fc.Arbitrary<SendStep> = fc.record({ send: fc.nat() });
export const deliverStep: fc.Arbitrary<DeliverStep> = fc.record({
  deliver: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
});
export const vendorFaultStep: fc.Arbitrary<VendorFaultStep> = fc.record({
  vendorFault: fc.oneof(
    fc.record({
      operation: fc.constant<GenesysOperation>('post'),
      fault: fc.constantFrom<GenesysFault>('unavailable', 'commit-then-fail', 'recovered', 'conflict'),
    }),
    fc.record({
      operation: fc.constantFrom<GenesysOperation>('read', 'delete'),
      fault: fc.constantFrom<GenesysFault>('unavailable', 'commit-then-fail', 'recovered'),
    }),
  ),
});
export const stateFaultStep: fc.Arbitrary<StateFaultStep> = fc.record({
  stateFault: fc.record({
    skip: fc.integer({ min: 0, max: 4 }),
    fault: fc.constantFrom<StateWriteFault>('throttled', 'timeout-after-write'),
  }),
});

export interface History<S = Step> {
  readonly requests: Record<RequestId, RequestHistory>;
  readonly steps: readonly S[];
}

/** Histories of the domain driver: every step kind, State-table faults included. */
export const history: fc.Arbitrary<History> = fc.record({
  requests: fc.record({ r1: requestHistory, r2: requestHistory, r3: requestHistory }),
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: sendStep as fc.Arbitrary<Step> },
      { weight: 4, arbitrary: deliverStep },
      { weight: 3, arbitrary: vendorFaultStep },
      { weight: 1, arbitrary: stateFaultStep },
    ),
    { maxLength: 40 },
  ),
});

export function timeOffWindow(requestId: RequestId, h: RequestHistory) {
  const start = DAY0 + REQUESTS[requestId].day * 24 * HOUR + h.startHour * HOUR;
  return { start, end: start + h.hours * HOUR };
}

export function payload(requestId: RequestId, h: RequestHistory, index: number) {
  const { kind } = h.events[index]!;
  const { start, end } = timeOffWindow(requestId, h);
  return {
    eventType: `timeoff.request.${kind === 'denied' ? 'approved' : kind}`,
    timestamp: new Date(Date.parse('2026-05-01T10:00:00Z') + index * 60_000).toISOString(),
    data: {
      requestId: requestId as string,
      userId: REQUESTS[requestId].userId as string,
      requestType: h.requestType,
      startTime: new Date(start).toISOString(),
      endTime: new Date(end).toISOString(),
      status: kind === 'denied' ? 'DENIED' : kind === 'created' ? 'PENDING' : 'APPROVED',
    },
  };
}
export type TimeOffPayload = ReturnType<typeof payload>;

/** The reference model: the overrides Genesys must hold for a request, as `shiftId start..end`. */
export function expectedOverrides(requestId: RequestId, h: RequestHistory): string[] {
  const acted = h.events
    .map((e, index) => ({ ...e, index }))
    .filter((e) => e.kind === 'approved' || e.kind === 'cancelled');
  const last = acted[acted.length - 1];
  if (h.requestType !== 'PAID_TIME_OFF' || last?.kind !== 'approved') return [];
  const { start, end } = timeOffWindow(requestId, h);
  return SHIFTS.filter((s) => s.userId === REQUESTS[requestId].userId).flatMap((s) => {
    const shiftStart = Date.parse(s.startTime);
    const shiftEnd = Date.parse(s.endTime);
    const from = Math.max(start, shiftStart);
    const to = Math.min(end, shiftEnd);
    if (to <= from) return [];
    const full = (to - from) / (shiftEnd - shiftStart) >= THRESHOLD;
    return [window(s.id, full ? shiftStart : from, full ? shiftEnd : to)];
  });
}

export const window = (shiftId: string, start: number, end: number) =>
  `${shiftId} ${new Date(start).toISOString()}..${new Date(end).toISOString()}`;

/** An override as Genesys holds it, in the model's ids. */
export interface ObservedOverride {
  readonly id: string;
  readonly shiftId: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly idempotencyKey?: string | null;
}

/** The vendor state equals the model's, and holds no duplicate. */
export function checkVendorAgainstModel(
  requests: Record<RequestId, RequestHistory>,
  vendorOverrides: readonly ObservedOverride[],
): void {
  // No vendor-side duplicate: one override per request and shift at most, each under our key.
  const keys = vendorOverrides.map((o) => o.idempotencyKey);
  expect(new Set(keys).size).toBe(keys.length);

  for (const requestId of REQUEST_IDS) {
    const prefix = idempotencyKeyOf(requestId, '');
    const held = vendorOverrides
      .filter((o) => o.idempotencyKey?.startsWith(prefix))
      .map((o) => window(o.shiftId, Date.parse(o.startTime), Date.parse(o.endTime)))
      .sort();
    expect({ requestId, held }).toEqual({
      requestId,
      held: expectedOverrides(requestId, requests[requestId]).sort(),
    });
  }
  expect(
    vendorOverrides.every((o) =>
      REQUEST_IDS.some((r) => o.idempotencyKey === idempotencyKeyOf(r, o.shiftId)),
    ),
  ).toBe(true);
}

/**
 * What may stay on the DLQ once the faults have passed and the DLQ was replayed: only what fails the same way
 * on every delivery (a reason code Genesys does not know), with a documented reason.
 */
export function checkRemainingDeadLetters(deadLettered: readonly { reason: string }[]): void {
  for (const d of deadLettered) {
    expect(d.reason).toBe('REASON_CODE_UNKNOWN');
    expect(SHIFT_OVERRIDES_FAILURE_REASONS).toHaveProperty(d.reason);
  }
}

type AuditEntry = Pick<AuditRecord, 'subject' | 'action' | 'detail'>;

/**
 * A subject's audit trail without the moves that did not land: a SUPERSEDED entry names the move it follows
 * (`attempted.to`, the action of that entry), and both drop out.
 */
function standingTrail(trail: readonly AuditEntry[]): AuditEntry[] {
  const standing: AuditEntry[] = [];
  for (const entry of trail) {
    if (entry.action !== 'SUPERSEDED') {
      standing.push(entry);
      continue;
    }
    const lost = (entry.detail?.attempted as { to?: string } | undefined)?.to;
    const at = standing.map((e) => e.action).lastIndexOf(lost ?? '');
    if (at >= 0) standing.splice(at, 1);
  }
  return standing;
}

/**
 * The audit trail and the domain events tell the vendor's story, shift by shift. `audit` and `events` are in
 * the order they were written.
 */
export function checkAuditStory(
  vendorOverrides: readonly ObservedOverride[],
  audit: readonly AuditEntry[],
  events: readonly DomainEvent[],
): void {
  const vendorByKey = new Map(vendorOverrides.map((o) => [`${o.idempotencyKey}`, o]));
  const subjects = new Set(audit.map((r) => r.subject).filter((s) => s.startsWith('override#')));
  for (const o of vendorOverrides) subjects.add(`override#${o.idempotencyKey!.split(':')[2]}#${o.shiftId}`);
  for (const subject of subjects) {
    const [, requestId, shiftId] = subject.split('#') as [string, string, string];
    const atVendor = vendorByKey.get(idempotencyKeyOf(requestId, shiftId));
    const lastAudit = standingTrail(audit.filter((r) => r.subject === subject)).at(-1);
    const lastEvent = events
      .filter((e) => e.detail.requestId === requestId && e.detail.shiftId === shiftId)
      .filter((e) => e.type !== 'override.failed')
      .at(-1);
    const story = {
      subject,
      audit: lastAudit?.action === 'RECONCILED' ? lastAudit.detail?.overrideId : 'absent',
      event: lastEvent?.type === 'override.applied' ? lastEvent.detail.overrideId : 'absent',
    };
    expect(story).toEqual({
      subject,
      audit: atVendor?.id ?? 'absent',
      event: atVendor?.id ?? 'absent',
    });
  }
}
