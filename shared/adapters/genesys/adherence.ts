/**
 * Genesys WEM adherence (spec 002 paths). Every request carries X-Request-Id, X-Timestamp-Dispatch,
 * X-Payload-Hash and X-Genesys-Idempotency-Key (spec 002 section 4).
 */
import { createHash, randomUUID } from 'node:crypto';
import { PermanentFailure, RetryableFailure } from '../../errors';
import { VendorHttpError, type VendorHttpClient } from '../../http/types';
import type { Clock } from '../../ports/clock';
import type { AdherenceEvent, GenesysWem } from '../../domain/adherence-sync/ports';

export class GenesysWemAdapter implements GenesysWem {
  private readonly schedules = new Map<string, { value: string; at: number }>();

  constructor(
    /** The WEM adherence endpoint's own limit (100/s, burst 150). */
    private readonly adherenceHttp: VendorHttpClient,
    /** Other Genesys endpoints (300 requests/minute). */
    private readonly generalHttp: VendorHttpClient,
    private readonly clock: Clock,
    private readonly scheduleCacheMs = 300_000,
  ) {}

  async scheduleType(agentId: string): Promise<string> {
    const cached = this.schedules.get(agentId);
    if (cached && this.clock.now() - cached.at < this.scheduleCacheMs) return cached.value;
    const res = await this.generalHttp
      .request<{ scheduleType?: string }>({
        method: 'GET',
        path: `/api/v2/wem/adherence/agents/${encodeURIComponent(agentId)}/schedule`,
      })
      .catch((err: unknown) => translate(err));
    const value = res.body.scheduleType ?? 'Regular';
    this.schedules.set(agentId, { value, at: this.clock.now() });
    return value;
  }

  /** What the WEM dashboard shows for the agent now. */
  async dashboard(agentId: string): Promise<{ adherenceState: string | null; since?: string | null }> {
    const res = await this.generalHttp
      .request<{ adherenceState: string | null; since?: string | null }>({
        method: 'GET',
        path: `/api/v2/wem/adherence/agents/${encodeURIComponent(agentId)}/state`,
      })
      .catch((err: unknown) => translate(err));
    return res.body;
  }

  async push(event: AdherenceEvent, idempotencyKey: string) {
    const body = JSON.stringify(event);
    const res = await this.adherenceHttp
      .request<{ processingStatus?: string }>({
        method: 'POST',
        path: `/api/v2/wem/adherence/agents/${encodeURIComponent(event.agentId)}/adherence-events`,
        body: event,
        headers: {
          'X-Request-Id': randomUUID(),
          'X-Timestamp-Dispatch': new Date(this.clock.now()).toISOString(),
          'X-Payload-Hash': createHash('sha256').update(body).digest('hex'),
          'X-Genesys-Idempotency-Key': idempotencyKey,
        },
      })
      .catch((err: unknown) => translate(err));
    return { status: res.status, processingStatus: res.body?.processingStatus };
  }
}

function translate(err: unknown): never {
  if (err instanceof VendorHttpError) {
    if (err.transient) throw new RetryableFailure('VENDOR_UNAVAILABLE', err.message);
    const message = (err.body as { message?: string } | undefined)?.message ?? err.message;
    if (err.status === 422) throw new PermanentFailure('REASON_CODE_REJECTED', `WEM 422: ${message}`);
    throw new PermanentFailure('VENDOR_REJECTED', `WEM ${err.status}: ${message}`);
  }
  throw err;
}
