/**
 * Genesys WFM scheduling (spec 001 paths; see shared/spec README on why they differ from the public API).
 * Translates HTTP outcomes into the workflow's terms: 409 -> OverrideConflict, 400 -> OverrideRejected,
 * exhausted 429/5xx/network -> RetryableFailure(VENDOR_UNAVAILABLE).
 */
import {
  GenesysListPage,
  GenesysOverrideAnswer,
  GenesysReasonCodeAnswer,
  GenesysShiftAnswer,
  GenesysUserAnswer,
} from '../../contracts/genesys-scheduling.schema';
import { vendorAnswer } from '../../contracts/vendor-answer';
import { ResourceNotFound, RetryableFailure } from '../../errors';
import { array } from 'zod/mini';
import type { z } from 'zod/mini';
import { followPages } from '../../http/pages';
import { VendorHttpError, type VendorHttpClient } from '../../http/types';
import type { Clock } from '../../ports/clock';
import {
  OverrideConflict,
  OverrideRejected,
  type GenesysOverride,
  type GenesysScheduling,
  type GenesysShift,
  type NewOverride,
} from '../../domain/shift-overrides/ports';

export interface GenesysSchedulingOptions {
  /** Time zones rarely change: cached per user for an hour. */
  readonly userCacheMs?: number;
  /** Reason codes are validated before every submission, from a briefly cached list. */
  readonly reasonCodeCacheMs?: number;
  /** Asked for on every list read (Genesys' largest is 100); the vendor may serve fewer per page. */
  readonly pageSize?: number;
  /** A list longer than this many pages is refused rather than read forever. */
  readonly maxPages?: number;
}

export class GenesysSchedulingAdapter implements GenesysScheduling {
  private readonly zones = new Map<string, { value: string; at: number }>();
  private reasonCodes?: { value: ReadonlySet<string>; at: number };

  constructor(
    private readonly http: VendorHttpClient,
    private readonly clock: Clock,
    private readonly o: GenesysSchedulingOptions = {},
  ) {}

  /** `reading` names what a read reads: its 404 is spec 000's "log and skip" (ResourceNotFound). */
  private async call<T>(fn: () => Promise<T>, reading?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof VendorHttpError) {
        if (reading && err.status === 404)
          throw new ResourceNotFound(reading, `${reading} does not exist (${describe(err)})`);
        if (err.status === 409) throw new OverrideConflict(describe(err));
        if (err.transient) throw new RetryableFailure('VENDOR_UNAVAILABLE', describe(err));
        throw new OverrideRejected(describe(err), err.status);
      }
      throw err;
    }
  }

  async userTimeZone(userId: string): Promise<string> {
    const cached = this.zones.get(userId);
    if (cached && this.clock.now() - cached.at < (this.o.userCacheMs ?? 3_600_000)) return cached.value;
    const path = `/api/v2/users/${encodeURIComponent(userId)}`;
    const res = await this.call(
      () => this.http.request<unknown>({ method: 'GET', path }),
      `Genesys user ${userId}`,
    );
    const zone = vendorAnswer(GenesysUserAnswer, res.body, `Genesys GET ${path}`).timezone ?? '';
    this.zones.set(userId, { value: zone, at: this.clock.now() });
    return zone;
  }

  /** Every page of a Genesys list, each item checked against `item`, translated like any other call. */
  private list<S extends z.ZodMiniType>(
    path: string,
    query: Record<string, string>,
    legacyField: string,
    item: S,
    reading: string,
  ): Promise<z.output<S>[]> {
    const endpoint = `Genesys GET ${path}`;
    return this.call(
      () =>
        followPages<z.output<S>>(
          this.http,
          { path, query: { ...query, pageSize: String(this.o.pageSize ?? 100), pageNumber: '1' } },
          (body) => {
            const page = vendorAnswer(GenesysListPage, body ?? {}, endpoint);
            const legacy = page[legacyField];
            const items = page.entities ?? (Array.isArray(legacy) ? legacy : []);
            return {
              items: vendorAnswer(
                array(item),
                items,
                `${endpoint} (${page.entities ? 'entities' : legacyField})`,
              ),
              nextUri: page.nextUri,
            };
          },
          { maxPages: this.o.maxPages },
        ),
      reading,
    );
  }

  shifts(userId: string, from: string, to: string): Promise<GenesysShift[]> {
    return this.list(
      '/api/v2/wfm/scheduling/shifts',
      { userId, startTime: from, endTime: to },
      'shifts',
      GenesysShiftAnswer,
      `Genesys shifts of user ${userId}`,
    );
  }

  async reasonCodeIds(): Promise<ReadonlySet<string>> {
    if (this.reasonCodes && this.clock.now() - this.reasonCodes.at < (this.o.reasonCodeCacheMs ?? 60_000)) {
      return this.reasonCodes.value;
    }
    const codes = await this.list(
      '/api/v2/wfm/reasoncodes',
      {},
      'reasonCodes',
      GenesysReasonCodeAnswer,
      'Genesys reason codes',
    );
    this.reasonCodes = { value: new Set(codes.map((c) => c.id)), at: this.clock.now() };
    return this.reasonCodes.value;
  }

  /** All of them: the workflow's "query existing overrides first" dedupe is only as good as this list. */
  overrides(userId: string): Promise<GenesysOverride[]> {
    return this.list(
      '/api/v2/wfm/scheduling/overrides',
      { userId },
      'overrides',
      GenesysOverrideAnswer,
      `Genesys overrides of user ${userId}`,
    );
  }

  async createOverride(override: NewOverride) {
    const res = await this.call(() =>
      this.http.request<unknown>({
        method: 'POST',
        path: '/api/v2/wfm/scheduling/overrides',
        body: override,
        headers: { 'x-genesys-idempotency-key': override.idempotencyKey },
      }),
    );
    const created: GenesysOverride = vendorAnswer(
      GenesysOverrideAnswer,
      res.body,
      'Genesys POST /api/v2/wfm/scheduling/overrides',
    );
    return { override: created, status: res.status, attempts: res.attempts };
  }

  async deleteOverride(overrideId: string): Promise<{ status: number }> {
    try {
      const res = await this.http.request({
        method: 'DELETE',
        path: `/api/v2/wfm/scheduling/overrides/${encodeURIComponent(overrideId)}`,
      });
      return { status: res.status };
    } catch (err) {
      if (err instanceof VendorHttpError && err.status === 404) return { status: 404 };
      return this.call(() => Promise.reject(err));
    }
  }
}

function describe(err: VendorHttpError): string {
  const body = err.body as { message?: string; error?: string } | undefined;
  const vendorSays = body?.message ?? body?.error;
  return vendorSays ? `Genesys ${err.status}: ${vendorSays}` : err.message;
}
