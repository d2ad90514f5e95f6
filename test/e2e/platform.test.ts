/**
 * The platform end to end on the local runtime, through the real ingress and the shift-bids processor
 * (phase one of spec 003: each vendor event recorded once, then announced on the bus).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  attr,
  ddb,
  domainEvents,
  local,
  peekDlq,
  postWebhook,
  sendToQueue,
  waitFor,
  waitForQueueDrained,
} from '../helpers/local';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/webhooks/cxone-bidding-request-created.json'), 'utf8'),
) as { eventId: string; data: Record<string, unknown> };
const bid = (eventId: string) => ({
  ...sample,
  eventId,
  data: { ...sample.data, requestId: `req-${eventId}` },
});
const unique = (label: string) => `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

const intakeRecord = (eventId: string) =>
  ddb()
    .send(
      new GetCommand({
        TableName: local().tables.State,
        Key: { pk: `EVENT#shift-bids#${eventId}`, sk: 'INTAKE' },
      }),
    )
    .then((r) => r.Item);
const receivedEvents = async (eventId: string) =>
  (await domainEvents('bid.received')).filter((e) => (e.detail as { eventId: string }).eventId === eventId);

describe('platform on the local runtime', () => {
  it('accepts a signed event, and it reaches its processor exactly once even when delivered twice', async () => {
    const eventId = unique('evt');
    const first = await postWebhook('/webhooks/cxone/bidding', bid(eventId));
    expect(first).toEqual({ status: 202, body: { status: 'accepted', eventId } });
    // The second delivery of the same id inside the replay window is answered 202 and not enqueued.
    const second = await postWebhook('/webhooks/cxone/bidding', bid(eventId));
    expect(second).toEqual({
      status: 202,
      body: { status: 'duplicate', eventId, firstReceivedAt: expect.any(String) },
    });
    await waitFor(() => intakeRecord(eventId), { what: 'the intake record' });
    // Were the second enqueued, it would be processed by now; wait a while before counting.
    await waitFor(async () => (await receivedEvents(eventId)).length > 0, { what: 'bid.received' });
    await waitForQueueDrained('shift-bids'); // every delivery completed: nothing more can arrive
    expect(await receivedEvents(eventId)).toHaveLength(1);
    expect(await intakeRecord(eventId)).toMatchObject({
      status: 'pending_validation',
      eventType: 'wfm.bidding.request.created',
    });
  });

  it('answers 401 to a forged or unsigned event and enqueues nothing', async () => {
    const forgedId = unique('forged');
    const unsignedId = unique('unsigned');
    expect(
      (await postWebhook('/webhooks/cxone/bidding', bid(forgedId), { secret: 'not-the-secret' })).status,
    ).toBe(401);
    const unsigned = await postWebhook('/webhooks/cxone/bidding', bid(unsignedId), { scheme: 'none' });
    expect(unsigned).toMatchObject({ status: 401, body: { error: 'signature_missing' } });
    // A genuine event sent after them is processed; by then the forged ones would have been too.
    const realId = unique('real');
    await postWebhook('/webhooks/cxone/bidding', bid(realId));
    await waitFor(() => intakeRecord(realId), { what: 'the genuine event' });
    expect(await intakeRecord(forgedId)).toBeUndefined();
    expect(await intakeRecord(unsignedId)).toBeUndefined();
  });

  it('answers 422 to a well-signed but schema-invalid event and keeps it on the DLQ with its issues', async () => {
    const eventId = unique('invalid');
    const invalid = { ...bid(eventId), timestamp: '2023-10-12T14:30:00' };
    const res = await postWebhook('/webhooks/cxone/bidding', invalid);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'schema_invalid', eventId });
    const kept = await waitFor(
      async () => (await peekDlq('shift-bids')).find((m) => attr(m, 'eventId') === eventId),
      { what: 'the kept event on the DLQ' },
    );
    expect(attr(kept, 'failureReason')).toBe('SCHEMA_INVALID');
    expect(attr(kept, 'failureDetail')).toContain('timestamp');
    expect(JSON.parse(kept.Body!)).toEqual(invalid);
  });

  it('dead-letters a message its processor cannot read, with the reason', async () => {
    const eventId = unique('poison');
    await sendToQueue('shift-bids', '{"this is": "no bidding event"}', {
      eventId,
      eventType: 'wfm.bidding.request.created',
    });
    const dead = await waitFor(
      async () => (await peekDlq('shift-bids')).find((m) => attr(m, 'eventId') === eventId),
      { what: 'the poison message on the DLQ' },
    );
    expect(attr(dead, 'failureReason')).toBe('MESSAGE_UNREADABLE');
    expect(attr(dead, 'eventType')).toBe('wfm.bidding.request.created');
  });

  it('processes the nine good records of a batch of ten exactly once and dead-letters the bad one', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => unique(`batch${i}`));
    await Promise.all(
      ids.map((id, i) =>
        sendToQueue('shift-bids', i === 4 ? 'not json at all' : JSON.stringify(bid(id)), { eventId: id }),
      ),
    );
    const good = ids.filter((_, i) => i !== 4);
    await waitFor(async () => (await Promise.all(good.map(intakeRecord))).every(Boolean), {
      what: 'nine intake records',
    });
    await waitFor(async () => (await peekDlq('shift-bids')).some((m) => attr(m, 'eventId') === ids[4]), {
      what: 'the bad record on the DLQ',
    });
    await waitForQueueDrained('shift-bids'); // every delivery completed: nothing more can arrive
    for (const id of good) expect(await receivedEvents(id)).toHaveLength(1);
    expect(await intakeRecord(ids[4]!)).toBeUndefined();
  });
});
