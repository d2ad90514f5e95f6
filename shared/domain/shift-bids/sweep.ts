/**
 * Issue 11, missed webhooks: every 5 minutes the sweep lists the PENDING requests CXone changed at or after its
 * watermark and feeds each one this system has not decided into the decision path, so a dropped webhook delays
 * a bid by minutes, not forever.
 *
 * It feeds them through the workflow's own queue, as the `wfm.bidding.request.updated` event the webhook would
 * have carried (decision 0008, "Pending-request sweep"): the processor's intake idempotency, event-time order,
 * claim lock, retry-later and dead-letter queue all apply unchanged, and the sweep never waits on CXone's
 * actions or locks itself.
 */
import type { WatermarkStore } from '../../ports/watermark-store';
import type { Clock } from '../../ports/clock';
import type { QueueSender } from '../../ports/queue-sender';
import type { BidStateStore } from './bid-state';
import { pendingRequests, type CxoneBidding, type CxoneBiddingRequest } from './ports';

/** How far back the first run looks, with no watermark yet. */
export const FIRST_SWEEP_LOOKBACK_MS = 24 * 3_600_000;

export const SWEEP_EVENT_TYPE = 'wfm.bidding.request.updated';

/** The last `updatedAt` seen, as a normalised ISO instant (so values order as strings). */
export type SweepWatermarkStore = WatermarkStore;

export interface SweepDeps {
  readonly cxone: Pick<CxoneBidding, 'biddingRequests'>;
  readonly store: Pick<BidStateStore, 'get'>;
  readonly watermark: SweepWatermarkStore;
  readonly queue: QueueSender;
  readonly clock: Clock;
}

export interface SweepSummary {
  readonly from: string;
  readonly pending: number;
  /** Requests fed into the decision path: unknown here, or recorded but not yet decided. */
  readonly fed: readonly string[];
  /** The watermark after the run (unchanged when nothing was seen). */
  readonly watermark: string;
}

/** The webhook body CXone would have sent for the request as it is now (contracts/cxone.schema.ts). */
export function sweptEvent(request: CxoneBiddingRequest, now: number) {
  const timestamp = request.updatedAt ?? request.createdAt ?? new Date(now).toISOString();
  return {
    eventType: SWEEP_EVENT_TYPE,
    // One id per request and change: sweeping an unchanged request again is the same event.
    eventId: `sweep_${request.requestId}_${Date.parse(timestamp)}`,
    timestamp,
    data: {
      requestId: request.requestId,
      siteId: request.siteId,
      agent: { id: request.agentId },
      shift: { ...request.shift },
      bid: { type: request.bidType, status: request.status },
    },
  };
}

export async function sweepPendingRequests(deps: SweepDeps): Promise<SweepSummary> {
  const now = deps.clock.now();
  const from = (await deps.watermark.read()) ?? new Date(now - FIRST_SWEEP_LOOKBACK_MS).toISOString();
  const pending = await pendingRequests(deps.cxone, from);
  const records = await Promise.all(pending.map((r) => deps.store.get(r.requestId)));
  const undecided = pending.filter((_, i) => {
    const record = records[i];
    return !record || record.status === 'pending_validation';
  });
  await deps.queue.sendAll(
    undecided.map((request) => {
      const event = sweptEvent(request, now);
      return {
        id: request.requestId,
        body: JSON.stringify(event),
        attributes: {
          eventType: event.eventType,
          eventId: event.eventId,
          vendor: 'cxone',
          receivedAt: new Date(now).toISOString(),
        },
      };
    }),
  );
  // Inclusive: the next run lists the newest request seen again, so one changed in the same instant is not missed.
  const seen = pending.map((r) => Date.parse(r.updatedAt ?? '')).filter((at) => !Number.isNaN(at));
  // Normalised, so the store may compare watermarks as strings.
  const newest = seen.length ? new Date(Math.max(...seen)).toISOString() : undefined;
  if (newest) await deps.watermark.advance(newest);
  return { from, pending: pending.length, fed: undecided.map((r) => r.requestId), watermark: newest ?? from };
}
