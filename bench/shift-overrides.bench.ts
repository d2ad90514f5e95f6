/**
 * Issue 3 figures: approvals touching 1-3 shifts each, through the local runtime, against the Genesys
 * sandbox's 300 requests/minute. Reports vendor calls per override, drain time against the minimum the rate
 * limit allows for that many calls, and 429s as a share of calls. BENCH_APPROVALS (default 60; the issue's
 * full run is 200, about four minutes at 5 requests/s).
 */
import { vendorByName } from '../shared/topology';
import { sandboxAdmin } from '../local/sandboxes/admin-client';
import { sendSignedWebhook } from '../local/webhook-sender';
import { startBenchRuntime, stopBenchRuntime } from './bench-runtime';

const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 60);
const AGENTS = Math.max(1, Math.ceil(APPROVALS / 4));

export async function run() {
  const runtime = await startBenchRuntime();
  const genesys = sandboxAdmin(`${runtime.urls.sandbox}/genesys`);
  try {
    const run = Date.now().toString(36);
    const users = Array.from({ length: AGENTS }, (_, i) => ({
      id: `bench-${run}-u${i}`,
      timezone: ['America/New_York', 'Europe/London', 'Asia/Kolkata'][i % 3],
    }));
    const shifts: { id: string; userId: string; startTime: string; endTime: string; shiftType: string }[] =
      [];
    const approvals = Array.from({ length: APPROVALS }, (_, i) => {
      const user = users[i % AGENTS]!;
      const day = Date.parse('2027-01-04T00:00:00Z') + Math.floor(i / AGENTS) * 7 * 86_400_000;
      const count = 1 + (i % 3); // 1, 2 or 3 consecutive days of shifts
      for (let d = 0; d < count; d++) {
        const start = day + d * 86_400_000 + 13 * 3_600_000;
        shifts.push({
          id: `bench-${run}-s${i}-${d}`,
          userId: user.id,
          startTime: new Date(start).toISOString(),
          endTime: new Date(start + 8 * 3_600_000).toISOString(),
          shiftType: 'REGULAR',
        });
      }
      return {
        eventType: 'timeoff.request.approved',
        timestamp: '2026-12-01T10:00:00Z',
        data: {
          requestId: `bench-${run}-r${i}`,
          userId: user.id,
          requestType: 'PAID_TIME_OFF',
          startTime: new Date(day).toISOString(),
          endTime: new Date(day + count * 86_400_000).toISOString(),
          status: 'APPROVED',
        },
      };
    });
    await genesys.fixtures({ users, shifts });
    const expected = shifts.length;
    const before = (await genesys.requests({ limit: 0 })).count;
    const started = Date.now();
    for (const a of approvals) {
      const res = await sendSignedWebhook(`${runtime.urls.gateway}/webhooks/genesys/timeoff`, a);
      if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    const mine = (o: { userId: string }) => o.userId.startsWith(`bench-${run}-`);
    let created = 0;
    for (
      const deadline = Date.now() + 15 * 60_000;
      Date.now() < deadline;
      await new Promise((r) => setTimeout(r, 250))
    ) {
      created = (await genesys.state<{ overrides: { userId: string }[] }>()).overrides.filter(mine).length;
      if (created >= expected) break;
    }
    const drainMs = Date.now() - started;
    const log = (await genesys.requests({ since: before })).requests;
    const calls = log.filter((r) => !r.path.includes('/oauth/'));
    const throttled = calls.filter((r) => r.status === 429).length;
    const { ratePerSecond, burst } = vendorByName('genesys').rateLimit;
    const minimumMs = (Math.max(0, calls.length - throttled - burst) / ratePerSecond) * 1000;
    const rows = [
      { figure: 'approvals / shifts (overrides expected)', value: `${APPROVALS} / ${expected}`, target: '' },
      { figure: 'overrides created', value: created, target: `${expected}, each once` },
      { figure: 'vendor calls (excluding token requests)', value: calls.length, target: '' },
      {
        figure: 'vendor calls per override',
        value: +(calls.length / Math.max(1, created)).toFixed(2),
        target: '<= 3',
      },
      {
        figure: '429s as share of calls',
        value: `${((100 * throttled) / Math.max(1, calls.length)).toFixed(2)}%`,
        target: '<= 1%',
      },
      { figure: 'drain time (s)', value: +(drainMs / 1000).toFixed(1), target: '' },
      {
        figure: `minimum at ${ratePerSecond}/s, burst ${burst} (s)`,
        value: +(minimumMs / 1000).toFixed(1),
        target: '',
      },
      {
        figure: 'drain time over minimum',
        value: `${((100 * (drainMs - minimumMs)) / Math.max(1, minimumMs)).toFixed(1)}%`,
        target: '<= 10%',
      },
    ];
    console.table(rows);
    return { approvals: APPROVALS, expected, created, calls: calls.length, throttled, drainMs, minimumMs };
  } finally {
    await stopBenchRuntime(runtime);
  }
}
