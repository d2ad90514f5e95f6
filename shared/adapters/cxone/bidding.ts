/**
 * NICE CXone WFM for the shift-bids workflow (spec 003 paths; see the spec README on why real CXone differs).
 * Every answer is validated (zod/mini) and mapped onto the domain's types, so a malformed vendor answer is a
 * `CxoneResponseInvalid` here, not a crash in a check. Lists follow every page (spec 000: never only the
 * first). Actions carry spec 003 section 3's `Idempotency-Key`, `X-CXONE-REQUEST-ID`, reason and metadata,
 * wait up to 120 s per attempt (spec 003 edge case 2), and come back as a `BidActionOutcome`; a transient
 * failure that outlived the HTTP client's retries (429/5xx, network, the token endpoint) is
 * `RetryableFailure('VENDOR_UNAVAILABLE')`, as Genesys's is.
 */
import { randomBytes } from 'node:crypto';
import { array, looseObject, nullable, number, optional, string } from 'zod/mini';
import type { z } from 'zod/mini';
import { Id, LocalDate, LocalTime, Text } from '../../contracts/common';
import { RetryableFailure } from '../../errors';
import {
  VendorHttpError,
  type HttpRequest,
  type HttpResponse,
  type VendorHttpClient,
} from '../../http/types';
import { normalizeLocalTime } from '../../domain/shift-bids/shift-window';
import {
  bidActionIdempotencyKey,
  CxoneResponseInvalid,
  type BidActionCommand,
  type BidActionOutcome,
  type BiddingRequestFilter,
  type CxoneAgent,
  type CxoneBidding,
  type CxoneBiddingRequest,
  type CxoneShift,
  type ScheduleLock,
  type ShiftQuery,
} from '../../domain/shift-bids/ports';

const optionalText = optional(nullable(string()));

const ShiftWire = looseObject({
  id: Id,
  siteId: Id,
  agentId: optionalText,
  date: LocalDate,
  startTime: LocalTime,
  endTime: LocalTime,
  status: optional(string()),
  queueId: optionalText,
  requiredSkills: optional(array(string())),
});

const RequestWire = looseObject({
  id: optional(Id),
  requestId: optional(Id),
  siteId: Id,
  agent: looseObject({ id: Id }),
  shift: looseObject({ id: Id, date: LocalDate, startTime: LocalTime, endTime: LocalTime }),
  bid: looseObject({ type: Text }),
  status: Text,
  resolution: optional(
    nullable(looseObject({ action: string(), reason: optionalText, by: string(), at: string() })),
  ),
  actionInProgress: optional(nullable(looseObject({ action: string(), acceptedAt: string() }))),
  createdAt: optionalText,
  updatedAt: optionalText,
  expiresAt: optionalText,
});

const LockWire = looseObject({
  id: Id,
  siteId: Id,
  dateFrom: optional(nullable(LocalDate)),
  dateTo: optional(nullable(LocalDate)),
  operation: optional(string()),
  acquiredAt: optionalText,
  expiresAt: optionalText,
});

const AgentWire = looseObject({
  id: Id,
  siteId: Id,
  name: optionalText,
  skills: optional(array(looseObject({ id: Id, proficiency: optional(number()) }))),
  roles: optional(array(string())),
});

const Cursor = optional(nullable(string()));
const ShiftsPage = looseObject({ shifts: array(ShiftWire), nextCursor: Cursor });
const RequestsPage = looseObject({ requests: array(RequestWire), nextCursor: Cursor });
const LocksAnswer = looseObject({ locks: array(LockWire) });
/** The action answer is read leniently: only its status decides anything, and a 2xx is never wasted. */
const ActionAnswer = looseObject({ status: optional(string()), processedAt: optionalText });
const ErrorAnswer = looseObject({
  message: optional(string()),
  error: optional(string()),
  currentStatus: optionalText,
  conflictingRequestId: optionalText,
  lock: optional(nullable(LockWire)),
});

export interface CxoneBiddingOptions {
  /** Page size asked of every list (CXone may answer shorter pages). Default 100. */
  readonly pageSize?: number;
  /** A list longer than this many pages is refused as a runaway. Default 1000. */
  readonly maxPages?: number;
  /** Per-attempt budget of an action: spec 003 edge case 2 asks at least 120 s. */
  readonly actionTimeoutMs?: number;
}

function validate<S extends z.ZodMiniType>(schema: S, body: unknown, endpoint: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new CxoneResponseInvalid(
    endpoint,
    parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`),
  );
}

function localTime(value: string, field: string, endpoint: string): string {
  try {
    return normalizeLocalTime(value);
  } catch (error) {
    throw new CxoneResponseInvalid(endpoint, [`${field}: ${(error as Error).message}`]);
  }
}

function toShift(s: z.output<typeof ShiftWire>, endpoint: string): CxoneShift {
  return {
    id: s.id,
    siteId: s.siteId,
    agentId: s.agentId ?? null,
    date: s.date,
    startTime: localTime(s.startTime, `shift ${s.id} startTime`, endpoint),
    endTime: localTime(s.endTime, `shift ${s.id} endTime`, endpoint),
    status: s.status ?? 'published',
    queueId: s.queueId ?? null,
    requiredSkills: s.requiredSkills ?? [],
  };
}

function toRequest(r: z.output<typeof RequestWire>, endpoint: string): CxoneBiddingRequest {
  const requestId = r.requestId ?? r.id;
  if (!requestId) throw new CxoneResponseInvalid(endpoint, ['requestId: a bidding request without an id']);
  return {
    requestId,
    siteId: r.siteId,
    agentId: r.agent.id,
    shift: {
      id: r.shift.id,
      date: r.shift.date,
      startTime: localTime(r.shift.startTime, `request ${requestId} shift.startTime`, endpoint),
      endTime: localTime(r.shift.endTime, `request ${requestId} shift.endTime`, endpoint),
    },
    bidType: r.bid.type.trim().toLowerCase(),
    status: r.status,
    resolution: r.resolution
      ? {
          action: r.resolution.action,
          reason: r.resolution.reason ?? null,
          by: r.resolution.by,
          at: r.resolution.at,
        }
      : null,
    actionInProgress: r.actionInProgress
      ? { action: r.actionInProgress.action, acceptedAt: r.actionInProgress.acceptedAt }
      : null,
    createdAt: r.createdAt ?? null,
    updatedAt: r.updatedAt ?? null,
    expiresAt: r.expiresAt ?? null,
  };
}

function toLock(l: z.output<typeof LockWire>): ScheduleLock {
  return {
    id: l.id,
    siteId: l.siteId,
    dateFrom: l.dateFrom ?? null,
    dateTo: l.dateTo ?? null,
    operation: l.operation ?? 'unknown',
    acquiredAt: l.acquiredAt ?? null,
    expiresAt: l.expiresAt ?? null,
  };
}

/** `req_` and 8 hex digits, the shape of spec 003 section 3's `X-CXONE-REQUEST-ID: req_9c4f2a1b`. */
export const newCxoneRequestId = () => `req_${randomBytes(4).toString('hex')}`;

export class CxoneBiddingAdapter implements CxoneBidding {
  constructor(
    private readonly http: VendorHttpClient,
    private readonly o: CxoneBiddingOptions = {},
  ) {}

  /** Every call: a transient failure after the client's retries says the vendor is unavailable. */
  private async send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    try {
      return await this.http.request<T>(request);
    } catch (err) {
      if (!(err instanceof VendorHttpError) || !err.transient) throw err;
      throw new RetryableFailure(
        'VENDOR_UNAVAILABLE',
        `CXone ${request.method} ${request.path}: ${err.message}`,
        {
          httpStatus: err.status,
          attempts: err.attempts,
        },
      );
    }
  }

  /** Follows `nextCursor` until the last page. */
  private async allPages<T>(
    path: string,
    query: Record<string, string | undefined>,
    readPage: (body: unknown) => { items: T[]; nextCursor: string | null | undefined },
  ): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 1; ; page++) {
      if (page > (this.o.maxPages ?? 1000)) {
        throw new CxoneResponseInvalid(`GET ${path}`, [`more than ${this.o.maxPages ?? 1000} pages`]);
      }
      const res = await this.send({
        method: 'GET',
        path,
        query: { ...query, limit: this.o.pageSize ?? 100, cursor },
      });
      const { items: pageItems, nextCursor } = readPage(res.body);
      items.push(...pageItems);
      if (!nextCursor) return items;
      if (seen.has(nextCursor)) throw new CxoneResponseInvalid(`GET ${path}`, ['nextCursor did not advance']);
      seen.add(nextCursor);
      cursor = nextCursor;
    }
  }

  /** A GET that answers null on 404. */
  private async getOrNull(path: string): Promise<unknown> {
    try {
      return (await this.send({ method: 'GET', path })).body;
    } catch (err) {
      if (err instanceof VendorHttpError && err.status === 404) return null;
      throw err;
    }
  }

  async biddingRequest(requestId: string): Promise<CxoneBiddingRequest | null> {
    const endpoint = 'GET /api/wfm/v2/bidding/requests/{id}';
    const body = await this.getOrNull(`/api/wfm/v2/bidding/requests/${encodeURIComponent(requestId)}`);
    return body === null ? null : toRequest(validate(RequestWire, body, endpoint), endpoint);
  }

  async biddingRequests(filter: BiddingRequestFilter): Promise<CxoneBiddingRequest[]> {
    const endpoint = 'GET /api/wfm/v2/bidding/requests';
    return this.allPages('/api/wfm/v2/bidding/requests', { ...filter }, (body) => {
      const page = validate(RequestsPage, body, endpoint);
      return { items: page.requests.map((r) => toRequest(r, endpoint)), nextCursor: page.nextCursor };
    });
  }

  async shifts(query: ShiftQuery): Promise<CxoneShift[]> {
    const endpoint = 'GET /api/wfm/v2/schedule/shifts';
    const status = query.status ?? 'published';
    return this.allPages(
      '/api/wfm/v2/schedule/shifts',
      {
        siteId: query.siteId,
        dateFrom: query.dateFrom,
        dateTo: query.dateTo,
        status: status === 'any' ? undefined : status,
      },
      (body) => {
        const page = validate(ShiftsPage, body, endpoint);
        return { items: page.shifts.map((s) => toShift(s, endpoint)), nextCursor: page.nextCursor };
      },
    );
  }

  async locks(siteId?: string): Promise<ScheduleLock[]> {
    const res = await this.send({
      method: 'GET',
      path: '/api/wfm/v2/schedule/locks',
      query: { siteId },
    });
    return validate(LocksAnswer, res.body, 'GET /api/wfm/v2/schedule/locks').locks.map(toLock);
  }

  async agent(agentId: string): Promise<CxoneAgent | null> {
    const body = await this.getOrNull(`/api/wfm/v2/agents/${encodeURIComponent(agentId)}`);
    if (body === null) return null;
    const a = validate(AgentWire, body, 'GET /api/wfm/v2/agents/{id}');
    return {
      id: a.id,
      siteId: a.siteId,
      name: a.name ?? null,
      skills: (a.skills ?? []).map((s) => s.id),
      roles: a.roles ?? [],
    };
  }

  async act(command: BidActionCommand): Promise<BidActionOutcome> {
    const idempotencyKey = bidActionIdempotencyKey(command.requestId, command.keyVersion);
    const cxoneRequestId = command.cxoneRequestId ?? newCxoneRequestId();
    const sent = { idempotencyKey, cxoneRequestId };
    try {
      const res = await this.send({
        method: 'POST',
        path: `/api/wfm/v2/bidding/requests/${encodeURIComponent(command.requestId)}/actions`,
        headers: { 'Idempotency-Key': idempotencyKey, 'X-CXONE-REQUEST-ID': cxoneRequestId },
        body: { action: command.action, reason: command.reason, metadata: command.metadata },
        timeoutMs: this.o.actionTimeoutMs ?? 120_000,
      });
      const answer = ActionAnswer.safeParse(res.body);
      const status = answer.success ? (answer.data.status?.trim().toUpperCase() ?? null) : null;
      const replayed = res.headers['idempotent-replayed'] === 'true';
      const base = { ...sent, httpStatus: res.status, attempts: res.attempts, replayed };
      // Real CXone may accept an action and apply it later: only a resolved status in the answer is final.
      if (res.status !== 202 && (status === 'APPROVED' || status === 'REJECTED')) {
        return {
          ...base,
          kind: 'final',
          status,
          processedAt: answer.success ? (answer.data.processedAt ?? null) : null,
        };
      }
      return { ...base, kind: 'accepted', status };
    } catch (err) {
      if (!(err instanceof VendorHttpError) || err.transient) throw err;
      const parsed = ErrorAnswer.safeParse(err.body);
      const body = parsed.success ? parsed.data : undefined;
      const message = body?.message ?? body?.error ?? err.message;
      const failed = { ...sent, httpStatus: err.status, attempts: err.attempts };
      switch (err.status) {
        case 409:
          return {
            ...failed,
            kind: 'conflict',
            currentStatus: body?.currentStatus ?? null,
            conflictingRequestId: body?.conflictingRequestId ?? null,
            message,
            vendorBody: err.body,
          };
        case 423:
          return { ...failed, kind: 'locked', lock: body?.lock ? toLock(body.lock) : null, message };
        case 400:
        case 401:
        case 404:
        case 422:
          return {
            ...failed,
            kind: 'refused',
            reason: `CXone ${err.status}: ${message}`,
            vendorBody: err.body,
          };
        default:
          throw err;
      }
    }
  }
}
