/**
 * Issue 6 section 4: the local runtime's startup to healthy (warm cache), and end-to-end latency from webhook
 * POST to processor completion over 500 events (shift-bids intake: its domain event marks completion).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil, withDeadline } from '../local/net';
import { sendSignedWebhook } from '../local/webhook-sender';
import { startBenchRuntime, stopBenchRuntime } from './bench-runtime';
import { percentile } from './stats';

const EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 500);

export async function run() {
  const runtime = await startBenchRuntime();
  try {
    const sample = JSON.parse(
      readFileSync(join(__dirname, '../test/fixtures/webhooks/cxone-bidding-request-created.json'), 'utf8'),
    );
    const sentAt = new Map<string, number>();
    const started = Date.now();
    // 50 concurrent senders, like a vendor's delivery workers.
    let next = 0;
    await withDeadline(
      Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next < EVENTS) {
            const i = next++;
            const eventId = `bench-${started}-${i}`;
            const event = { ...sample, eventId, data: { ...sample.data, requestId: `req-${i}` } };
            sentAt.set(eventId, Date.now());
            const res = await sendSignedWebhook(`${runtime.urls.gateway}/webhooks/cxone/bidding`, event);
            if (res.status !== 202)
              throw new Error(`POST answered ${res.status}: ${JSON.stringify(res.body)}`);
          }
        }),
      ),
      300_000,
      `the gateway to accept ${EVENTS} webhooks`,
    );
    const done = () =>
      runtime.events.filter(
        (e) => e.detailType === 'bid.received' && sentAt.has((e.detail as { eventId: string }).eventId),
      );
    await waitUntil(async () => done().length >= EVENTS, `${EVENTS} bid.received events`, 120_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}: ${done().length} arrived`);
      },
    );
    const latencies = done()
      .map((e) => Date.parse(e.time) - sentAt.get((e.detail as { eventId: string }).eventId)!)
      .sort((a, b) => a - b);
    const rows = [
      {
        figure: 'startup to healthy, warm cache (s)',
        value: +(runtime.startupMs / 1000).toFixed(2),
        target: '< 5 s',
      },
      ...Object.entries(runtime.startupPhases).map(([phase, ms]) => ({
        figure: `  ${phase} ready at (s)`,
        value: +(ms / 1000).toFixed(2),
        target: '',
      })),
      { figure: `events completed of ${EVENTS}`, value: latencies.length, target: `${EVENTS}` },
      { figure: 'webhook -> processor done p50 (ms)', value: percentile(latencies, 50), target: '' },
      { figure: 'webhook -> processor done p99 (ms)', value: percentile(latencies, 99), target: '' },
      { figure: 'wall time for all (s)', value: +((Date.now() - started) / 1000).toFixed(1), target: '' },
    ];
    console.table(rows);
    return {
      startupMs: runtime.startupMs,
      events: EVENTS,
      completed: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    await stopBenchRuntime(runtime);
  }
}
