/**
 * Genesys WEM adherence (spec 002 paths). Every request carries X-Request-Id, X-Payload-Hash and
 * X-Genesys-Idempotency-Key, and (from the vendor client, at the real send) X-Timestamp-Dispatch and
 * X-Correlation-Id (spec 002 section 4).
 */
import { createHash, randomUUID } from 'node:crypto';
import { WemDashboardAnswer, WemPushAnswer, WemScheduleAnswer } from '../../contracts/genesys-wem.schema';
import { vendorAnswer } from '../../contracts/vendor-answer';
import { PermanentFailure, ResourceNotFound, RetryableFailure } from '../../errors';
import { VendorHttpError, type VendorHttpClient } from '../../http/types';
import type { Clock } from '../../ports/clock';
import type { AdherenceEvent, GenesysWem, ScheduleTypeCache } from '../../domain/adherence-sync/ports';

export class GenesysWemAdapter implements GenesysWem {
  /** This instance's copy of the shared cache, so a busy agent costs no read either. */
  private readonly schedules = new Map<string, { value: string; at: number }>();

  constructor(
    /** The WEM adherence endpoint's own limit (100/s, burst 150). */
    private readonly adherenceHttp: VendorHttpClient,
    /** Other Genesys endpoints (300 requests/minute). */
    private readonly generalHttp: VendorHttpClient,
    private readonly clock: Clock,
    /** Schedule types any instance looked up (the State table). */
    private readonly scheduleCache: ScheduleTypeCache,
    private readonly scheduleCacheMs = 12 * 3_600_000,
    /** Spec 002 latency telemetry of each accepted push (metrics, in the composition root). */
    private readonly onPushTelemetry?: (telemetry: PushTelemetry) => void,
  ) {}

  async scheduleType(agentId: string): Promise<string> {
    const now = this.clock.now();
    const local = this.schedules.get(agentId);
    if (local && now - local.at < this.scheduleCacheMs) return local.value;
    const shared = await this.scheduleCache.scheduleType(agentId, now - this.scheduleCacheMs);
    if (shared) {
      // Kept here for five minutes, then read from the shared cache again (which knows when it expires).
      this.schedules.set(agentId, { value: shared, at: now - this.scheduleCacheMs + 300_000 });
      return shared;
    }
    const path = `/api/v2/wem/adherence/agents/${encodeURIComponent(agentId)}/schedule`;
    const res = await this.generalHttp
      .request<unknown>({ method: 'GET', path })
      .catch((err: unknown) => translate(err, `the WEM schedule of agent ${agentId}`));
    const value = vendorAnswer(WemScheduleAnswer, res.body, `Genesys GET ${path}`).scheduleType ?? 'Regular';
    this.schedules.set(agentId, { value, at: now });
    await this.scheduleCache.rememberScheduleType(agentId, value, now);
    return value;
  }

  /** What the WEM dashboard shows for the agent now. */
  async dashboard(agentId: string): Promise<{ adherenceState: string | null; since?: string | null }> {
    const path = `/api/v2/wem/adherence/agents/${encodeURIComponent(agentId)}/state`;
    const res = await this.generalHttp
      .request<unknown>({ method: 'GET', path })
      .catch((err: unknown) => translate(err, `the WEM state of agent ${agentId}`));
    const { adherenceState, since } = vendorAnswer(WemDashboardAnswer, res.body, `Genesys GET ${path}`);
    return { adherenceState, since };
  }

  async push(event: AdherenceEvent, idempotencyKey: string) {
    const body = JSON.stringify(event);
    const res = await this.adherenceHttp
      .request<unknown>({
        method: 'POST',
        path: `/api/v2/wem/adherence/agents/${encodeURIComponent(event.agentId)}/adherence-events`,
        body: event,
        headers: {
          'X-Request-Id': randomUUID(),
          'X-Payload-Hash': createHash('sha256').update(body).digest('hex'),
          'X-Genesys-Idempotency-Key': idempotencyKey,
        },
      })
      .catch((err: unknown) => translate(err));
    const answer = vendorAnswer(
      WemPushAnswer,
      res.body,
      'Genesys POST /api/v2/wem/adherence/agents/{agentId}/adherence-events',
    );
    this.onPushTelemetry?.(
      pushTelemetry(res.headers['processing-duration'], res.dispatchedAt, this.clock.now()),
    );
    return { status: res.status, processingStatus: answer?.processingStatus ?? undefined };
  }
}

/** Spec 002 section 4: above this, WEM is recalculating compliance (a payload mismatch or reason code check). */
export const WEM_RECALCULATION_MS = 200;
/** Spec 002 section 4: a gap above this between dispatch and WEM's answer is a processing bottleneck. */
export const DISPATCH_GAP_MS = 500;

export interface PushTelemetry {
  /** WEM's `processing-duration` header, when it sent one. */
  readonly processingDurationMs?: number;
  /** From the answered attempt's `X-Timestamp-Dispatch` to its answer. */
  readonly gapMs?: number;
  readonly recalculating: boolean;
  readonly bottleneck: boolean;
}

export function pushTelemetry(
  processingDuration: string | undefined,
  dispatchedAt: number | undefined,
  answeredAt: number,
): PushTelemetry {
  const parsed = processingDuration === undefined ? NaN : Number(processingDuration);
  const processingDurationMs = Number.isFinite(parsed) ? parsed : undefined;
  const gapMs = dispatchedAt === undefined ? undefined : answeredAt - dispatchedAt;
  return {
    ...(processingDurationMs !== undefined && { processingDurationMs }),
    ...(gapMs !== undefined && { gapMs }),
    recalculating: processingDurationMs !== undefined && processingDurationMs > WEM_RECALCULATION_MS,
    bottleneck: gapMs !== undefined && gapMs > DISPATCH_GAP_MS,
  };
}

/** `reading` names what a read reads: its 404 is spec 000's "log and skip" (ResourceNotFound). */
function translate(err: unknown, reading?: string): never {
  if (err instanceof VendorHttpError) {
    if (err.transient) throw new RetryableFailure('VENDOR_UNAVAILABLE', err.message);
    const message = (err.body as { message?: string } | undefined)?.message ?? err.message;
    if (reading && err.status === 404)
      throw new ResourceNotFound(reading, `${reading} does not exist (WEM 404: ${message})`);
    if (err.status === 422) throw new PermanentFailure('REASON_CODE_REJECTED', `WEM 422: ${message}`);
    throw new PermanentFailure('VENDOR_REJECTED', `WEM ${err.status}: ${message}`);
  }
  throw err;
}
