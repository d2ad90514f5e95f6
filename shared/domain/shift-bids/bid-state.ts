/**
 * The bid's own record (spec 003 section 1's normalized record plus what phase two adds), one per CXone
 * request id, and the store that keeps it. The store enforces the two rules the workflow's exactly-once
 * behaviour rests on:
 * - events for one request apply in event-time order: an event older than the last one applied is stale
 *   (`isStaleEvent`) and changes nothing;
 * - every transition is a conditional write from the state the writer read (and `canTransition` allows),
 *   so two workers can never both move a bid out of the same state.
 */
import { RetryableFailure } from '../../errors';
import type { CanonicalBid } from './canonical-bid';
import type { BidDecisionKind } from './decide';
import { canTransition, type BidState } from './lifecycle';

export interface BidRecord extends CanonicalBid {
  /** The event time (`cxoneEventTimestamp`) of the newest event applied. */
  readonly lastEventAt: string;
  /**
   * Escalated once: automation never acts on this request again, whatever CXone or a later event says
   * (spec 003 section 4's blocklist). Stays true after the supervisor's decision is adopted.
   */
  readonly blocklisted: boolean;
  /** Phase two's decision, kept so a redelivery after a crash acts on the same one. */
  readonly decision?: BidDecisionKind;
  readonly reason?: string;
  readonly ruleVersion?: string;
  /** Spec 003 section 3's `validation_timestamp`. */
  readonly validatedAt?: string;
  /** The last CXone action's HTTP status. */
  readonly httpStatus?: number;
  readonly updatedAt: string;
}

export type AdmitOutcome =
  | { readonly kind: 'new'; readonly record: BidRecord }
  /** A known request: the event is as new as or newer than the last one applied, and now applied. */
  | { readonly kind: 'admitted'; readonly record: BidRecord }
  /** Older than the last event applied: nothing changed. */
  | { readonly kind: 'stale'; readonly record: BidRecord };

/** What a transition may change besides the state. */
export type BidChanges = Partial<
  Pick<
    BidRecord,
    | 'decision'
    | 'reason'
    | 'ruleVersion'
    | 'validatedAt'
    | 'httpStatus'
    | 'blocklisted'
    | 'processedAt'
    | 'retryCount'
    | 'cxoneStatus'
  >
>;

export interface BidStateStore {
  get(requestId: string): Promise<BidRecord | undefined>;
  /**
   * Phase one: the first event of a request writes its record `pending_validation` (with the bid's
   * processing id); a later one records its event time and CXone status, unless it is stale.
   */
  admit(bid: CanonicalBid, at: string): Promise<AdmitOutcome>;
  /**
   * Moves the record from `from` to `to` with `changes`; throws `BidStateConflict` when the stored state is
   * no longer `from`, and a RangeError when the lifecycle does not allow the move.
   */
  transition(
    requestId: string,
    from: BidState,
    to: BidState,
    changes: BidChanges,
    at: string,
  ): Promise<BidRecord>;
  /**
   * Records that CXone approved `requestId` for the shift on that local date (the bid reached `approved`, a
   * terminal state): CXone answers any other approval of it with a 409 naming this request.
   */
  recordAward(shiftId: string, date: string, requestId: string, at: string): Promise<void>;
  /** The request CXone approved for the shift on that date, as far as this workflow has seen. */
  awardOf(shiftId: string, date: string): Promise<string | undefined>;
}

export const BID_STATE_CONFLICT = 'BID_STATE_CONFLICT';

/** Another worker moved the bid first; the redelivery reads the new state and does what it says. */
export class BidStateConflict extends RetryableFailure {
  constructor(requestId: string, expected: BidState) {
    super(BID_STATE_CONFLICT, `Bid ${requestId} is no longer ${expected}: another worker moved it`);
  }
}

export function assertTransition(requestId: string, from: BidState, to: BidState): void {
  if (!canTransition(from, to)) throw new RangeError(`Bid ${requestId} cannot move from ${from} to ${to}`);
}

/** The record as a transition writes it (the stores' conditions aside): `changes` that are set, the new state. */
export function afterTransition(record: BidRecord, to: BidState, changes: BidChanges, at: string): BidRecord {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  return { ...record, ...defined, status: to, updatedAt: at };
}

/** The first record of a request, as phase one writes it. */
export function newBidRecord(bid: CanonicalBid, at: string): BidRecord {
  return {
    ...bid,
    status: 'pending_validation',
    lastEventAt: bid.cxoneEventTimestamp,
    blocklisted: false,
    updatedAt: at,
  };
}
