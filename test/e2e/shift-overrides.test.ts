/** Issue 3 on the local runtime: approved time-off becomes exact overrides, exactly once; cancellations roll back. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  attr,
  ddb,
  domainEvents,
  local,
  peekDlq,
  postWebhook,
  sandbox,
  sendToQueue,
  waitFor,
  waitForQueueDrained,
} from '../helpers/local';

interface Override {
  id: string;
  overrideType: string;
  userId: string;
  shiftId: string;
  startTime: string;
  endTime: string;
  reasonCodeId: string;
  notes: string | null;
  idempotencyKey: string | null;
}
interface GenesysState {
  overrides: Override[];
  counters: Record<string, number>;
}

const genesys = sandbox('genesys');
const example = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/webhooks/genesys-timeoff-approved.json'), 'utf8'),
);
const uid = (label: string) =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
const overridesOf = async (userId: string) =>
  ((await genesys.state()) as GenesysState).overrides.filter((o) => o.userId === userId);
/** Override POSTs the sandbox received for a user (its request log). */
const postsFor = async (userId: string) =>
  (
    (await genesys.requests({ path: '/api/v2/wfm/scheduling/overrides' })) as {
      requests: { method: string; body?: { userId?: string } }[];
    }
  ).requests.filter((r) => r.method === 'POST' && r.body?.userId === userId);

function timeOff(
  eventType: string,
  requestId: string,
  userId: string,
  startTime: string,
  endTime: string,
  timestamp: string,
) {
  return {
    eventType,
    timestamp,
    data: {
      requestId,
      userId,
      requestType: 'PAID_TIME_OFF',
      startTime,
      endTime,
      status: eventType.endsWith('approved') ? 'APPROVED' : 'CANCELLED',
      approverId: 'approver-1',
    },
  };
}

async function agentWithShifts(zone: string, shifts: [string, string][]) {
  const userId = uid('user');
  const ids = shifts.map((_, i) => uid(`shift${i}`));
  await genesys.fixtures({
    users: [{ id: userId, timezone: zone }],
    shifts: shifts.map(([startTime, endTime], i) => ({
      id: ids[i],
      userId,
      startTime,
      endTime,
      shiftType: 'REGULAR',
    })),
  });
  return { userId, shiftIds: ids };
}

/** The audit entries of one subject of the workflow (shared/adapters/aws/dynamodb-audit-log.ts keys). */
const auditOf = async (subject: string) =>
  (
    await ddb().send(
      new QueryCommand({
        TableName: local().tables.Audit!,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `shift-overrides#${subject}` },
      }),
    )
  ).Items ?? [];

describe('shift-overrides on the local runtime', () => {
  it('creates nothing for a non-APPROVED time-off put straight on the queue, and audits why', async () => {
    const { userId } = await agentWithShifts('America/New_York', [
      ['2026-03-02T13:00:00Z', '2026-03-02T21:00:00Z'],
    ]);
    const eventId = uid('hand-sent');
    const pending = timeOff(
      'timeoff.request.approved',
      uid('req'),
      userId,
      '2026-03-02T05:00:00Z',
      '2026-03-03T05:00:00Z',
      '2026-03-01T10:00:00Z',
    );
    // What the ingress answers `ignored` (spec 001's trap), sent past it: a DLQ replay or a hand-sent message.
    await sendToQueue(
      'shift-overrides',
      JSON.stringify({ ...pending, data: { ...pending.data, status: 'PENDING' } }),
      {
        workflow: 'shift-overrides',
        eventType: 'timeoff.request.approved',
        eventId,
      },
    );
    const [entry] = await waitFor(
      async () => {
        const found = await auditOf(`event#${eventId}`);
        return found.length ? found : undefined;
      },
      { what: 'the audit entry of the skipped message' },
    );
    expect(entry).toMatchObject({
      action: 'INGRESS_RULE_SKIPPED',
      detail: { eventType: 'timeoff.request.approved', reason: 'status PENDING is not APPROVED' },
    });
    expect(await postsFor(userId)).toEqual([]);
    expect(await overridesOf(userId)).toEqual([]);
    expect((await peekDlq('shift-overrides')).filter((m) => attr(m, 'eventId') === eventId)).toEqual([]);
  });

  it("turns spec 001's example into exactly the override its section 3 shows", async () => {
    expect((await postWebhook('/webhooks/genesys/timeoff', example)).status).toBe(202);
    const [override] = await waitFor(
      async () => {
        const found = await overridesOf(example.data.userId);
        return found.length ? found : undefined;
      },
      { what: 'the override' },
    );
    expect(override).toMatchObject({
      overrideType: 'REMOVE',
      userId: '8f9e0d1c-2b3a-4567-8901-234567890abc',
      shiftId: 'shift-001',
      startTime: '2024-11-20T08:00:00.000Z',
      endTime: '2024-11-20T16:00:00.000Z',
      reasonCodeId: 'reason-code-pto-001',
      notes: 'Auto-generated from Time-Off Request a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      idempotencyKey: 'wfm:override:a1b2c3d4-e5f6-7890-abcd-ef1234567890:shift-001',
    });
    await waitFor(
      async () =>
        (await domainEvents('override.applied')).some((e) => (e.detail as Override).shiftId === 'shift-001'),
      {
        what: 'override.applied',
      },
    );
  });

  it('creates one override per shift when the same approval arrives 5 times, concurrently and after completion', async () => {
    const { userId, shiftIds } = await agentWithShifts('Europe/London', [
      ['2026-03-30T08:00:00Z', '2026-03-30T12:00:00Z'],
      ['2026-03-30T13:00:00Z', '2026-03-30T17:00:00Z'],
    ]);
    const approval = timeOff(
      'timeoff.request.approved',
      uid('req'),
      userId,
      '2026-03-30T07:00:00Z',
      '2026-03-30T18:00:00Z',
      '2026-03-20T10:00:00Z',
    );
    await Promise.all(Array.from({ length: 3 }, () => postWebhook('/webhooks/genesys/timeoff', approval)));
    await waitFor(async () => (await overridesOf(userId)).length === 2, { what: 'two overrides' });
    await Promise.all(Array.from({ length: 2 }, () => postWebhook('/webhooks/genesys/timeoff', approval)));
    await waitForQueueDrained('shift-overrides'); // every delivery so far has completed
    const overrides = await overridesOf(userId);
    expect(overrides.map((o) => o.shiftId).sort()).toEqual([...shiftIds].sort());
  });

  it('re-fetches and recomputes after a 409, leaving one override with the new window', async () => {
    const { userId, shiftIds } = await agentWithShifts('America/New_York', [
      ['2026-07-01T13:00:00Z', '2026-07-01T21:00:00Z'],
    ]);
    // A planner edits the shift while the override is being submitted: the first POST answers 409.
    await genesys.fixtures({ shiftEdits: [{ shiftId: shiftIds[0], startTime: '2026-07-01T15:00:00Z' }] });
    const approval = timeOff(
      'timeoff.request.approved',
      uid('req'),
      userId,
      '2026-07-01T12:00:00Z',
      '2026-07-01T22:00:00Z',
      '2026-06-20T10:00:00Z',
    );
    await postWebhook('/webhooks/genesys/timeoff', approval);
    const [override] = await waitFor(
      async () => {
        const found = await overridesOf(userId);
        return found.length ? found : undefined;
      },
      { what: 'the recomputed override' },
    );
    expect(override).toMatchObject({
      startTime: '2026-07-01T15:00:00.000Z',
      endTime: '2026-07-01T21:00:00.000Z',
    });
    await waitForQueueDrained('shift-overrides'); // every delivery so far has completed
    expect(await overridesOf(userId)).toHaveLength(1);
  });

  it('creates no second override when a worker died between the vendor 201 and its state write', async () => {
    const { userId, shiftIds } = await agentWithShifts('Asia/Kolkata', [
      ['2026-08-10T03:30:00Z', '2026-08-10T12:30:00Z'],
    ]);
    const requestId = uid('req');
    // The state after such a crash: Genesys holds the override created under our idempotency key; our store
    // has no record of it.
    await genesys.fixtures({
      overrides: [
        {
          id: uid('override'),
          overrideType: 'REMOVE',
          userId,
          shiftId: shiftIds[0],
          startTime: '2026-08-10T03:30:00.000Z',
          endTime: '2026-08-10T12:30:00.000Z',
          reasonCodeId: 'reason-code-pto-001',
          notes: `Auto-generated from Time-Off Request ${requestId}`,
          idempotencyKey: `wfm:override:${requestId}:${shiftIds[0]}`,
        },
      ],
    });
    const approval = timeOff(
      'timeoff.request.approved',
      requestId,
      userId,
      '2026-08-10T00:00:00Z',
      '2026-08-10T18:00:00Z',
      '2026-08-01T10:00:00Z',
    );
    await postWebhook('/webhooks/genesys/timeoff', approval);
    await waitFor(
      async () =>
        (await domainEvents('override.applied')).some(
          (e) => (e.detail as { requestId: string }).requestId === requestId,
        ),
      { what: 'the redelivery to reconcile' },
    );
    expect(await overridesOf(userId)).toHaveLength(1);
    expect(await postsFor(userId)).toHaveLength(0);
  });

  it('leaves no override when approved then cancelled', async () => {
    const { userId } = await agentWithShifts('Australia/Lord_Howe', [
      ['2026-10-03T21:00:00Z', '2026-10-04T05:00:00Z'],
    ]);
    const requestId = uid('req');
    const window = ['2026-10-03T20:00:00Z', '2026-10-04T06:00:00Z'] as const;
    await postWebhook(
      '/webhooks/genesys/timeoff',
      timeOff('timeoff.request.approved', requestId, userId, ...window, '2026-09-01T10:00:00Z'),
    );
    await waitFor(async () => (await overridesOf(userId)).length === 1, { what: 'the override' });
    await postWebhook(
      '/webhooks/genesys/timeoff',
      timeOff('timeoff.request.cancelled', requestId, userId, ...window, '2026-09-02T10:00:00Z'),
    );
    await waitFor(async () => (await overridesOf(userId)).length === 0, { what: 'the rollback' });
    await waitFor(
      async () =>
        (await domainEvents('override.rolled_back')).some(
          (e) => (e.detail as { requestId: string }).requestId === requestId,
        ),
      { what: 'override.rolled_back' },
    );
  });

  it('leaves no override when the cancellation is processed before the approval (tombstone)', async () => {
    const { userId } = await agentWithShifts('America/New_York', [
      ['2026-11-01T05:30:00Z', '2026-11-01T14:30:00Z'],
    ]);
    const requestId = uid('req');
    const window = ['2026-11-01T04:00:00Z', '2026-11-01T16:00:00Z'] as const;
    await postWebhook(
      '/webhooks/genesys/timeoff',
      timeOff('timeoff.request.cancelled', requestId, userId, ...window, '2026-10-20T10:05:00Z'),
    );
    await waitForQueueDrained('shift-overrides'); // every delivery so far has completed
    await postWebhook(
      '/webhooks/genesys/timeoff',
      timeOff('timeoff.request.approved', requestId, userId, ...window, '2026-10-20T10:00:00Z'),
    );
    await waitForQueueDrained('shift-overrides'); // every delivery so far has completed
    expect(await overridesOf(userId)).toHaveLength(0);
    expect(await postsFor(userId)).toHaveLength(0);
  });

  it('lands every override exactly once through 429 bursts and 503s', async () => {
    const agents = await Promise.all(
      [0, 1, 2].map(() =>
        agentWithShifts('Europe/London', [['2026-10-25T08:00:00Z', '2026-10-25T16:00:00Z']]),
      ),
    );
    await genesys.faults([
      {
        method: 'POST',
        path: '/api/v2/wfm/scheduling/overrides',
        status: 429,
        times: 2,
        retryAfterSeconds: 1,
      },
      { method: 'POST', path: '/api/v2/wfm/scheduling/overrides', status: 503, times: 2 },
    ]);
    await Promise.all(
      agents.map(({ userId }) =>
        postWebhook(
          '/webhooks/genesys/timeoff',
          timeOff(
            'timeoff.request.approved',
            uid('req'),
            userId,
            '2026-10-25T07:00:00Z',
            '2026-10-25T17:00:00Z',
            '2026-10-01T10:00:00Z',
          ),
        ),
      ),
    );
    await waitFor(
      async () => (await Promise.all(agents.map((a) => overridesOf(a.userId)))).every((o) => o.length === 1),
      {
        what: 'three overrides',
        timeoutMs: 30_000,
      },
    );
    await waitForQueueDrained('shift-overrides'); // every delivery so far has completed
    for (const a of agents) expect(await overridesOf(a.userId)).toHaveLength(1);
  });

  it('dead-letters an approval Genesys rejects (400) with the vendor reason, without retrying it', async () => {
    const { userId } = await agentWithShifts('America/New_York', [
      ['2026-12-01T14:00:00Z', '2026-12-01T22:00:00Z'],
    ]);
    const requestId = uid('req');
    await genesys.faults([
      { method: 'POST', path: '/api/v2/wfm/scheduling/overrides', status: 400, times: 1 },
    ]);
    await postWebhook(
      '/webhooks/genesys/timeoff',
      timeOff(
        'timeoff.request.approved',
        requestId,
        userId,
        '2026-12-01T13:00:00Z',
        '2026-12-01T23:00:00Z',
        '2026-11-20T10:00:00Z',
      ),
    );
    const dead = await waitFor(
      async () => (await peekDlq('shift-overrides')).find((m) => m.Body?.includes(requestId)),
      { what: 'the rejected approval on the DLQ' },
    );
    expect(attr(dead, 'failureReason')).toBe('VENDOR_REJECTED');
    expect(attr(dead, 'failureDetail')).toContain('400');
    expect(await overridesOf(userId)).toHaveLength(0);
    expect(await postsFor(userId)).toHaveLength(1);
  });
});
