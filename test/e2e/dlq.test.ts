/**
 * Issue 5 on the local runtime: vendor 503s drive time-off events to the DLQ; after the faults clear, the CLI's
 * replay applies each effect exactly once, a second replay of the same messages duplicates nothing, and
 * attributes, filters and dry runs behave as documented.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { attr, local, peekDlq, postWebhook, sandbox, waitFor, waitForQueueDrained } from '../helpers/local';

const run = promisify(execFile);
const genesys = sandbox('genesys');
const uid = (label: string) =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

async function dlq(...args: string[]) {
  try {
    const { stdout } = await run('node', ['cli/bin.cjs', 'dlq', ...args, '--local-url', local().gatewayUrl], {
      cwd: join(__dirname, '../..'),
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: `${e.stdout}${e.stderr}` };
  }
}

const overridesOf = async (userId: string) =>
  ((await genesys.state()) as { overrides: { userId: string }[] }).overrides.filter(
    (o) => o.userId === userId,
  );

describe('dead-letter CLI on the local runtime', () => {
  const userIds = [uid('dlq-user'), uid('dlq-user')];
  const requestIds = userIds.map(() => uid('dlq-req'));

  beforeAll(async () => {
    await genesys.fixtures({
      users: userIds.map((id) => ({ id, timezone: 'Europe/Berlin' })),
      shifts: userIds.map((userId, i) => ({
        id: `dlq-shift-${requestIds[i]}`,
        userId,
        startTime: '2026-06-10T07:00:00Z',
        endTime: '2026-06-10T15:00:00Z',
        shiftType: 'REGULAR',
      })),
    });
    // Genesys is down for these users: every lookup answers 503 until the faults run out.
    await genesys.faults(
      userIds.map((id) => ({ method: 'GET', path: `/api/v2/users/${id}`, status: 503, times: 1000 })),
    );
    for (const [i, userId] of userIds.entries()) {
      await postWebhook('/webhooks/genesys/timeoff', {
        eventType: 'timeoff.request.approved',
        timestamp: '2026-06-01T09:00:00Z',
        data: {
          requestId: requestIds[i],
          userId,
          requestType: 'PAID_TIME_OFF',
          startTime: '2026-06-10T06:00:00Z',
          endTime: '2026-06-10T16:00:00Z',
          status: 'APPROVED',
        },
      });
    }
    const deadRequests = async () =>
      new Set(
        (await peekDlq('shift-overrides')).flatMap((m) => requestIds.filter((r) => m.Body?.includes(r))),
      );
    await waitFor(async () => (await deadRequests()).size === 2, {
      what: 'both events on the DLQ',
      timeoutMs: 50_000,
    });
    await genesys.faults({ faults: [], replace: true } as unknown as unknown[]);
  });

  it('shows them with their failure reason, and filters select exactly what they name', async () => {
    const shown = await dlq('show', 'shift-overrides', '--json', '--reason', 'VENDOR_UNAVAILABLE');
    expect(shown.code).toBe(0);
    const rows = JSON.parse(shown.stdout) as { reason: string; eventType: string; body: unknown }[];
    const ours = rows.filter((r) => requestIds.some((id) => JSON.stringify(r.body).includes(id)));
    expect(ours).toHaveLength(2);
    expect(
      ours.every((r) => r.reason === 'VENDOR_UNAVAILABLE' && r.eventType === 'timeoff.request.approved'),
    ).toBe(true);
    const none = JSON.parse(
      (await dlq('show', 'shift-overrides', '--json', '--reason', 'NO_SUCH_REASON')).stdout,
    ) as unknown[];
    expect(none).toHaveLength(0);
  });

  it('changes nothing on a dry run', async () => {
    const ours = async () =>
      (await peekDlq('shift-overrides')).filter((m) => requestIds.some((r) => m.Body?.includes(r))).length;
    const before = await ours();
    const dry = await dlq('replay', 'shift-overrides', '--reason', 'VENDOR_UNAVAILABLE');
    expect(dry.stdout).toContain('Dry run');
    expect(await ours()).toBe(before);
    for (const userId of userIds) expect(await overridesOf(userId)).toHaveLength(0);
  });

  it('replays each effect exactly once, and a second replay of the same messages duplicates nothing', async () => {
    const evidence = join(mkdtempSync(join(tmpdir(), 'dlq-')), 'evidence.jsonl');
    expect((await dlq('export', 'shift-overrides', '--out', evidence)).code).toBe(0);
    const exported = readFileSync(evidence, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { body: string; attributes: Record<string, string> });
    // Under heavy load a slow last receive can also be moved by SQS's own redrive (a copy without a reason,
    // see docs/local-runtime.md); the copies the processor dead-lettered carry the reason.
    const ours = exported.filter(
      (e) =>
        requestIds.some((r) => e.body.includes(r)) && e.attributes.failureReason === 'VENDOR_UNAVAILABLE',
    );
    expect(ours).toHaveLength(2);
    expect(ours[0]!.attributes).toMatchObject({
      workflow: 'shift-overrides',
      vendor: 'genesys',
      failureReason: 'VENDOR_UNAVAILABLE',
    });

    const replayed = await dlq(
      'replay',
      'shift-overrides',
      '--reason',
      'VENDOR_UNAVAILABLE',
      '--yes',
      '--json',
    );
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ dryRun: false, failed: [] });
    await waitFor(async () => (await Promise.all(userIds.map(overridesOf))).every((o) => o.length === 1), {
      what: 'the replayed effects',
    });

    // The same messages again, from the evidence file: idempotency makes the second replay a no-op.
    expect((await dlq('import', 'shift-overrides', '--in', evidence)).code).toBe(0);
    const again = await dlq('replay', 'shift-overrides', '--reason', 'VENDOR_UNAVAILABLE', '--yes', '--json');
    expect(again.code).toBe(0);
    // The second replay really moved them, and the processor has taken every one off the queue since.
    expect(JSON.parse(again.stdout)).toMatchObject({ moved: 2, failed: [] });
    await waitForQueueDrained('shift-overrides');
    for (const userId of userIds) expect(await overridesOf(userId)).toHaveLength(1);
  });

  it('keeps every attribute through a replay and adds the replay markers', async () => {
    const id = uid('attr');
    // A 400 on the user read is permanent (a 404 would be spec 000's log-and-skip, not a dead letter).
    await genesys.faults([{ method: 'GET', path: `/api/v2/users/${id}`, status: 400, times: 50 }]);
    await postWebhook('/webhooks/genesys/timeoff', {
      eventType: 'timeoff.request.approved',
      timestamp: '2026-06-01T09:00:00Z',
      data: {
        requestId: id,
        userId: id,
        requestType: 'PAID_TIME_OFF',
        startTime: '2026-06-10T06:00:00Z',
        endTime: '2026-06-10T16:00:00Z',
        status: 'APPROVED',
      },
    });
    const first = await waitFor(
      async () => (await peekDlq('shift-overrides')).find((m) => m.Body?.includes(id)),
      { what: 'dead letter' },
    );
    const eventId = attr(first, 'eventId')!;
    await dlq('replay', 'shift-overrides', '--event-id', eventId, '--yes');
    const again = await waitFor(
      async () =>
        (await peekDlq('shift-overrides')).find(
          (m) => m.Body?.includes(id) && m.MessageId !== first.MessageId,
        ),
      { what: 'the replayed message to fail again' },
    );
    expect(attr(again, 'eventId')).toBe(eventId);
    expect(attr(again, 'workflow')).toBe('shift-overrides');
    const folded = JSON.parse(attr(again, 'folded') ?? '{}') as Record<string, string>;
    const all = {
      ...Object.fromEntries(
        Object.entries(again.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
      ),
      ...folded,
    };
    expect(all).toMatchObject({
      replayCount: '1',
      replayedBy: expect.stringMatching(/^local:/),
      receivedAt: attr(first, 'receivedAt'),
    });
  });
});
