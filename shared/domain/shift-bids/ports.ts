/**
 * What the shift-bids workflow needs from NICE CXone (spec 003), in the domain's terms. The adapter
 * (shared/adapters/cxone/bidding.ts) maps the wire format onto these types and validates every answer; the
 * fake (bidding.fake.ts) keeps the same rules in memory.
 *
 * Shifts stay local to their site (a date and wall-clock times, as CXone gives them): `shiftWindow` turns
 * them into instants with the site's IANA zone, which comes from stage config.
 */
import { VendorContractBreach } from '../../errors';
import type { Rejection } from './checks/approval-history';
import type { AgentProfile } from './checks/skill-match';
import type { LocalShift } from './shift-window';

export const CXONE_SHIFT_STATUSES = ['published', 'draft', 'open'] as const;
export type CxoneShiftStatus = (typeof CXONE_SHIFT_STATUSES)[number];

/** A shift of the site's schedule, site-local. */
export interface CxoneShift extends LocalShift {
  readonly id: string;
  readonly siteId: string;
  /** null: an open shift nobody holds. */
  readonly agentId: string | null;
  /** `hh:mm:ss`, normalised. */
  readonly startTime: string;
  readonly endTime: string;
  readonly status: string;
  readonly queueId: string | null;
  readonly requiredSkills: readonly string[];
}

export interface CxoneResolution {
  readonly action: string;
  readonly reason: string | null;
  /** Who resolved it: `metadata.approved_by` of an API action, a supervisor in the UI, ... */
  readonly by: string;
  readonly at: string;
}

/** A bidding request as CXone holds it now (`GET /api/wfm/v2/bidding/requests/{id}`). */
export interface CxoneBiddingRequest {
  readonly requestId: string;
  readonly siteId: string;
  readonly agentId: string;
  readonly shift: {
    readonly id: string;
    readonly date: string;
    readonly startTime: string;
    readonly endTime: string;
  };
  /** As CXone sent it, trimmed and lower-cased, like `CanonicalBid.bidType`. */
  readonly bidType: string;
  /** CXone's status, as sent (`PENDING`, `APPROVED`, ...): read it with `readCxoneStatus`. */
  readonly status: string;
  readonly resolution: CxoneResolution | null;
  /** An action CXone accepted (202) and has not applied yet: the request is PENDING but not open to a new one. */
  readonly actionInProgress: { readonly action: string; readonly acceptedAt: string } | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly expiresAt: string | null;
}

export interface BiddingRequestFilter {
  readonly siteId?: string;
  readonly agentId?: string;
  /** CXone's status: `PENDING`, `APPROVED`, `REJECTED`, `EXPIRED`, `CANCELLED`. */
  readonly status?: string;
  /** Only requests changed at or after this instant (inclusive, so a watermark never misses one). */
  readonly updatedFrom?: string;
}

/** A publication or optimisation holding the site's schedule (spec 003 edge case 2). */
export interface ScheduleLock {
  readonly id: string;
  readonly siteId: string;
  /** Without dates the lock covers the whole site. */
  readonly dateFrom: string | null;
  readonly dateTo: string | null;
  readonly operation: string;
  readonly acquiredAt: string | null;
  readonly expiresAt: string | null;
}

export interface CxoneAgent extends AgentProfile {
  readonly siteId: string;
  readonly name: string | null;
}

export interface ShiftQuery {
  readonly siteId: string;
  /** Site-local dates, inclusive. */
  readonly dateFrom: string;
  readonly dateTo: string;
  /** Default `published` (spec 003 section 2 reads the published schedule). */
  readonly status?: CxoneShiftStatus | 'any';
}

export type BidAction = 'APPROVE' | 'REJECT';

/** Spec 003 section 3's `metadata`, exactly as the action body carries it. */
export interface BidActionMetadata {
  readonly approved_by: string;
  readonly validation_timestamp: string;
  readonly rule_version: string;
}

export interface BidActionCommand {
  readonly requestId: string;
  readonly action: BidAction;
  readonly reason: string;
  readonly metadata: BidActionMetadata;
  /** `X-CXONE-REQUEST-ID`; the adapter makes one (`req_` and 8 hex digits) when not given. */
  readonly cxoneRequestId?: string;
  /** The `_v{n}` of the Idempotency-Key; 1 unless a deliberate new action must not replay the first. */
  readonly keyVersion?: number;
}

interface ActionSent {
  readonly idempotencyKey: string;
  readonly cxoneRequestId: string;
  readonly httpStatus: number;
  /** HTTP attempts the call took (retries of 429/500/503 included). */
  readonly attempts: number;
}

/**
 * What an action came to. Transient failures (429/5xx/network after the retries, a failing token endpoint) are not
 * outcomes: they reject with the HTTP client's `VendorHttpError`.
 */
export type BidActionOutcome =
  /** 2xx and CXone says the request is resolved: APPROVED or REJECTED (not necessarily what was asked). */
  | (ActionSent & {
      readonly kind: 'final';
      readonly status: 'APPROVED' | 'REJECTED';
      /** CXone answered from its idempotency store (`idempotent-replayed`): nothing was applied again. */
      readonly replayed: boolean;
      readonly processedAt: string | null;
    })
  /** 2xx without a final status (202, or a 200 still PENDING): read the request back before believing anything. */
  | (ActionSent & { readonly kind: 'accepted'; readonly status: string | null; readonly replayed: boolean })
  /** 409: the request changed (a supervisor acted, it expired, the shift was awarded to another bid). */
  | (ActionSent & {
      readonly kind: 'conflict';
      readonly currentStatus: string | null;
      readonly conflictingRequestId: string | null;
      readonly message: string;
      /** The vendor's whole answer, for the audit trail. */
      readonly vendorBody: unknown;
    })
  /** 423: a schedule lock covers the request; wait, poll `locks`, act again. */
  | (ActionSent & { readonly kind: 'locked'; readonly lock: ScheduleLock | null; readonly message: string })
  /**
   * 400 (malformed), 404 (unknown request), 422 (key reused for another action), 401 to a freshly refreshed
   * token (spec 003: a scope issue): acting again will not help.
   */
  | (ActionSent & { readonly kind: 'refused'; readonly reason: string; readonly vendorBody: unknown });

/**
 * CXone answered 2xx with a body this code cannot read: a clear error, never a crash deep in the domain. Like every
 * vendor's broken answer it fails the record at once as `VENDOR_CONTRACT_BREACH`, the endpoint and fields named.
 */
export class CxoneResponseInvalid extends VendorContractBreach {
  constructor(endpoint: string, problems: readonly string[]) {
    super(`CXone ${endpoint}`, problems);
    this.name = 'CxoneResponseInvalid';
  }
}

export interface CxoneBidding {
  /** null when CXone does not know the request (404). */
  biddingRequest(requestId: string): Promise<CxoneBiddingRequest | null>;
  /** Every matching request, all pages, oldest change first. */
  biddingRequests(filter: BiddingRequestFilter): Promise<CxoneBiddingRequest[]>;
  /** The site's shifts for local dates, all pages (published only unless asked otherwise). */
  shifts(query: ShiftQuery): Promise<CxoneShift[]>;
  /** Active schedule locks, of one site or all. */
  locks(siteId?: string): Promise<ScheduleLock[]>;
  /** null when CXone does not know the agent (404). */
  agent(agentId: string): Promise<CxoneAgent | null>;
  /** `POST /api/wfm/v2/bidding/requests/{id}/actions` with spec 003 section 3's headers and body. */
  act(command: BidActionCommand): Promise<BidActionOutcome>;
}

/** The missed-webhook sweep: PENDING requests changed at or after the watermark, all pages. */
export function pendingRequests(
  cxone: Pick<CxoneBidding, 'biddingRequests'>,
  updatedFrom: string,
  siteId?: string,
): Promise<CxoneBiddingRequest[]> {
  return cxone.biddingRequests({ status: 'PENDING', updatedFrom, ...(siteId && { siteId }) });
}

/** The approval-history check's input: the agent's requests rejected at or after `since`. */
export async function rejectionsSince(
  cxone: Pick<CxoneBidding, 'biddingRequests'>,
  agentId: string,
  since: string,
): Promise<Rejection[]> {
  const rejected = await cxone.biddingRequests({ agentId, status: 'REJECTED', updatedFrom: since });
  return rejectionsAmong(rejected, since);
}

/** The rejected ones of an agent's requests changed at or after `since`, as the approval-history check reads them. */
export function rejectionsAmong(requests: readonly CxoneBiddingRequest[], since: string): Rejection[] {
  return requests
    .filter((r) => r.status === 'REJECTED')
    .map((r) => ({ requestId: r.requestId, rejectedAt: r.resolution?.at ?? r.updatedAt ?? since }));
}

/**
 * Spec 003 section 3's key: `idem_bidding_{id}_v1`, where its example request `bidding_req_8f7a2c1d` gets
 * `idem_bidding_8f7a2c1d_v1`, so a leading `bidding_req_` is not repeated in the key.
 */
export function bidActionIdempotencyKey(requestId: string, version = 1): string {
  if (!Number.isInteger(version) || version < 1)
    throw new RangeError(`key version ${version} is not 1 or more`);
  return `idem_bidding_${requestId.replace(/^bidding_req_/, '')}_v${version}`;
}

/** Whether a lock holds the schedule of this site on this local date (a lock without dates holds every date). */
export function lockCovers(lock: ScheduleLock, siteId: string, date: string): boolean {
  return (
    lock.siteId === siteId &&
    (lock.dateFrom === null || date >= lock.dateFrom) &&
    (lock.dateTo === null || date <= lock.dateTo)
  );
}
