/** Issue 11, missed webhooks: the pending-request sweep over the fake CXone, stores and queue. */
import { InMemoryBidStateStore } from '../../../shared/adapters/aws/bid-state-store.fake';
import { FakeQueueSender } from '../../../shared/adapters/aws/queue-sender.fake';
import { InMemoryWatermarkStore } from '../../../shared/adapters/aws/watermark-store.fake';
import { FakeCxoneBidding } from '../../../shared/adapters/cxone/bidding.fake';
import { BiddingRequestEvent } from '../../../shared/contracts/cxone.schema';
import { toCanonicalBid } from '../../../shared/domain/shift-bids/canonical-bid';
import { FIRST_SWEEP_LOOKBACK_MS, sweepPendingRequests } from '../../../shared/domain/shift-bids/sweep';
import { FakeClock } from '../../helpers/fake-clock';

const SITE = 'site_nyc_01';

function setup() {
  const clock = new FakeClock(Date.parse('2026-07-10T12:00:00Z'));
  const cxone = new FakeCxoneBidding({ clock });
  const store = new InMemoryBidStateStore();
  const watermark = new InMemoryWatermarkStore();
  const queue = new FakeQueueSender();
  const request = (requestId: string, updatedAt: string, status = 'PENDING') =>
    cxone.addRequest({
      requestId,
      siteId: SITE,
      agentId: `agent_${requestId}`,
      shift: { id: `shift_${requestId}`, date: '2026-07-15', startTime: '08:00:00', endTime: '16:00:00' },
      bidType: 'open_shift',
      status,
      resolution: null,
      createdAt: '2026-07-10T09:00:00Z',
      updatedAt,
      expiresAt: null,
    });
  const sweep = () => sweepPendingRequests({ cxone, store, watermark, queue, clock });
  const bodies = () => queue.sent.map((m) => BiddingRequestEvent.parse(JSON.parse(m.body)));
  return { clock, cxone, store, watermark, queue, request, sweep, bodies };
}

describe('pending-request sweep', () => {
  it('feeds an undecided pending request into the decision path as the webhook would have', async () => {
    const { request, sweep, queue, bodies } = setup();
    request('bidding_req_a', '2026-07-10T11:00:00Z');
    const summary = await sweep();
    expect(summary).toMatchObject({
      pending: 1,
      fed: ['bidding_req_a'],
      watermark: '2026-07-10T11:00:00.000Z',
    });
    const [event] = bodies();
    expect(queue.sent[0]!.attributes).toMatchObject({ eventType: event!.eventType, eventId: event!.eventId });
    expect(toCanonicalBid(event!, 'p1')).toEqual({
      processingId: 'p1',
      cxoneRequestId: 'bidding_req_a',
      siteId: SITE,
      agentId: 'agent_bidding_req_a',
      shiftId: 'shift_bidding_req_a',
      bidType: 'open_shift',
      requestedDate: '2026-07-15',
      startTime: '08:00:00',
      endTime: '16:00:00',
      status: 'pending_validation',
      cxoneEventTimestamp: '2026-07-10T11:00:00Z',
      processedAt: null,
      retryCount: 0,
      cxoneStatus: 'PENDING',
    });
  });

  it('skips requests already decided here, feeds those recorded but not decided, and ignores resolved ones', async () => {
    const { request, store, sweep, queue } = setup();
    request('bidding_req_decided', '2026-07-10T11:00:00Z');
    request('bidding_req_recorded', '2026-07-10T11:01:00Z');
    request('bidding_req_done', '2026-07-10T11:02:00Z', 'APPROVED');
    const base = {
      siteId: SITE,
      agentId: 'a',
      shiftId: 's',
      bidType: 'open_shift',
      requestedDate: '2026-07-15',
      startTime: '08:00:00',
      endTime: '16:00:00',
      status: 'pending_validation' as const,
      cxoneEventTimestamp: '2026-07-10T09:00:00Z',
      processedAt: null,
      retryCount: 0,
      cxoneStatus: 'PENDING',
    };
    await store.admit({ ...base, processingId: 'p1', cxoneRequestId: 'bidding_req_decided' }, 'x');
    await store.transition(
      'bidding_req_decided',
      'pending_validation',
      'escalated',
      { blocklisted: true },
      'y',
    );
    await store.admit({ ...base, processingId: 'p2', cxoneRequestId: 'bidding_req_recorded' }, 'x');
    const summary = await sweep();
    expect(summary.fed).toEqual(['bidding_req_recorded']);
    expect(queue.sent.map((m) => m.id)).toEqual(['bidding_req_recorded']);
  });

  it('reads from the watermark, inclusive, and moves it to the last change seen', async () => {
    const { clock, request, sweep, watermark, queue } = setup();
    request('bidding_req_old', '2026-07-10T10:00:00Z');
    request('bidding_req_new', '2026-07-10T11:30:00Z');
    await watermark.advance('2026-07-10T11:30:00.000Z');
    const summary = await sweep();
    expect(summary).toMatchObject({ from: '2026-07-10T11:30:00.000Z', fed: ['bidding_req_new'] });
    // Nothing changed since: the same request is seen again (inclusive) with the same event id.
    await clock.advance(300_000);
    await sweep();
    expect(queue.sent.map((m) => m.attributes?.eventId)).toEqual([
      queue.sent[0]!.attributes?.eventId,
      queue.sent[0]!.attributes?.eventId,
    ]);
    expect(watermark.value).toBe('2026-07-10T11:30:00.000Z');
  });

  it('looks back a day on its first run and keeps the watermark when nothing is pending', async () => {
    const { clock, request, sweep, watermark } = setup();
    request('bidding_req_ancient', new Date(clock.now() - FIRST_SWEEP_LOOKBACK_MS - 1).toISOString());
    const summary = await sweep();
    expect(summary).toMatchObject({ pending: 0, fed: [] });
    expect(summary.from).toBe(new Date(clock.now() - FIRST_SWEEP_LOOKBACK_MS).toISOString());
    expect(watermark.value).toBeUndefined();
  });
});
