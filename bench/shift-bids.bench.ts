/**
 * Issue 11 figures: a weekend bidding window (BENCH_BIDS bids, default 500, over BENCH_SHIFTS shifts, default
 * 300, some contested) through the local runtime, with the CXone token lifetime shortened so tokens expire during
 * the run, and the shared token expired by force once mid-burst (spec 003 edge case 3). A 50-bid window runs
 * first in the same runtime as the baseline. Reports decided bids, bids failed by a 401, token requests against
 * the refresh periods the run spanned, vendor calls per bid, contested shifts approved twice, and webhook-to-action
 * latency.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../local/runtime';
import { waitUntil, withDeadline } from '../local/net';
import { sandboxAdmin, type SandboxAdmin } from '../local/sandboxes/admin-client';
import type { LoggedRequest } from '../local/sandboxes/core/request-log';
import { biddingWindowFixtures } from '../local/sandboxes/vendors/seed';
import { sendSignedWebhook } from '../local/webhook-sender';
import { vendorByName } from '../shared/topology';
import { peekQueue } from '../test/helpers/local';
import { startBenchRuntime, stopBenchRuntime } from './bench-runtime';
import { percentile, round, sortedAscending } from './stats';

const BIDS = Number(process.env.BENCH_BIDS ?? 500);
const SHIFTS = Number(process.env.BENCH_SHIFTS ?? 300);
/** Token lifetime during the run; with refresh at half-life the shared token is replaced every TTL / 2. */
const TOKEN_TTL_SECONDS = Number(process.env.BENCH_TOKEN_TTL_SECONDS ?? 30);
const SENDERS = 20;
const DECIDED_TYPES = ['bid.approved', 'bid.rejected', 'bid.escalated', 'bid.reconciled'];

interface WindowResult {
  readonly label: string;
  readonly bids: number;
  readonly decided: number;
  readonly escalated: number;
  readonly failedBy401: number;
  readonly deadLettered: number;
  readonly unauthorizedAnswers: number;
  readonly tokenRequests: number;
  readonly refreshPeriods: number;
  readonly forcedExpiries: number;
  readonly vendorCalls: number;
  readonly callsByEndpoint: Record<string, number>;
  readonly contestedShifts: number;
  readonly contestedApprovedTwice: number;
  readonly shiftsApprovedTwice: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly wallSeconds: number;
}

/** The endpoint a logged call went to, ids folded (`/api/wfm/v2/bidding/requests/{id}/actions`). */
const endpointOf = (r: LoggedRequest) =>
  `${r.method} ${r.path
    .replace(/\/bidding\/requests\/[^/]+/, '/bidding/requests/{id}')
    .replace(/\/agents\/[^/]+/, '/agents/{id}')}${r.query.status ? `?status=${r.query.status}` : ''}`;

async function deadLettered(runtime: LocalRuntime, ids: ReadonlySet<string>) {
  const sqs = new SQSClient({
    region: runtime.outputs.region,
    endpoint: runtime.outputs.endpoints.sqs,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // Handed back after reading, so the next window (and the leak scan at the end) sees them too.
  const messages = await peekQueue(sqs, runtime.outputs.workflows['shift-bids']!.dlqUrl, 1000);
  sqs.destroy();
  const found = [...new Map(messages.map((m) => [m.MessageId, m])).values()].map((m) => ({
    body: m.Body ?? '',
    reason: m.MessageAttributes?.failureReason?.StringValue,
    detail: m.MessageAttributes?.failureDetail?.StringValue,
  }));
  return found.filter((m) => [...ids].some((id) => m.body.includes(`"${id}"`)));
}

async function biddingWindow(
  runtime: LocalRuntime,
  cxone: SandboxAdmin,
  label: string,
  options: { bids: number; shifts: number; date: string; tag: string; expireMidRun: boolean },
): Promise<WindowResult> {
  const window = biddingWindowFixtures(options);
  await cxone.fixtures(window.fixtures);
  const ids = new Set(window.events.map((e) => (e.data as { requestId: string }).requestId));
  const since = (await cxone.requests({ limit: 1 })).requests.at(-1)?.seq ?? 0;
  const sentAt = new Map<string, number>();
  let forcedExpiries = 0;
  const started = Date.now();
  let next = 0;
  await withDeadline(
    Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < window.events.length) {
          const event = window.events[next++]!;
          if (options.expireMidRun && next === Math.floor(window.events.length / 2)) {
            // The token the instances share reaches its lifetime in the middle of the burst.
            forcedExpiries += (await cxone.expireTokens()).expired > 0 ? 1 : 0;
          }
          sentAt.set((event.data as { requestId: string }).requestId, Date.now());
          const res = await sendSignedWebhook(`${runtime.urls.gateway}/webhooks/cxone/bidding`, event);
          if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${JSON.stringify(res.body)}`);
        }
      }),
    ),
    300_000,
    `the gateway to accept ${window.events.length} webhooks`,
  );
  const decidedAt = () => {
    const at = new Map<string, { type: string; ms: number; reason?: string }>();
    for (const e of runtime.events) {
      const detail = e.detail as { requestId?: string; reason?: string };
      if (!DECIDED_TYPES.includes(e.detailType) || !detail.requestId || !ids.has(detail.requestId)) continue;
      if (!at.has(detail.requestId))
        at.set(detail.requestId, { type: e.detailType, ms: Date.parse(e.time), reason: detail.reason });
    }
    return at;
  };
  await waitUntil(async () => decidedAt().size >= ids.size, `${ids.size} bids decided`, 15 * 60_000).catch(
    (err: Error) => console.error(`${label}: ${err.message} (${decidedAt().size} decided)`),
  );
  const wallSeconds = (Date.now() - started) / 1000;
  const decided = decidedAt();

  const log = (await cxone.requests({ since })).requests;
  const calls = log.filter((r) => r.path !== '/oauth/token');
  const tokenRequests = log.filter((r) => r.path === '/oauth/token').length;
  const callsByEndpoint: Record<string, number> = {};
  for (const r of calls) callsByEndpoint[endpointOf(r)] = (callsByEndpoint[endpointOf(r)] ?? 0) + 1;
  // The action that CXone accepted for each request: webhook -> action answered.
  const actedAt = new Map<string, number>();
  for (const r of calls) {
    const id = /\/bidding\/requests\/([^/]+)\/actions$/.exec(r.path)?.[1];
    if (id && ids.has(id) && r.status < 300 && !actedAt.has(id)) actedAt.set(id, r.atMs + r.durationMs);
  }
  // Escalated bids have no action: their latency is to the escalation.
  const latencies = sortedAscending(
    [...ids].flatMap((id) => {
      const end =
        actedAt.get(id) ?? (decided.get(id)?.type === 'bid.escalated' ? decided.get(id)!.ms : undefined);
      return end === undefined ? [] : [end - sentAt.get(id)!];
    }),
  );

  const state = await cxone.state<{
    biddingRequests: { requestId: string; status: string; shift: { id: string } }[];
  }>();
  const approvalsPerShift = new Map<string, number>();
  for (const r of state.biddingRequests)
    if (ids.has(r.requestId) && r.status === 'APPROVED')
      approvalsPerShift.set(r.shift.id, (approvalsPerShift.get(r.shift.id) ?? 0) + 1);
  const twice = [...approvalsPerShift].filter(([, n]) => n > 1).map(([shiftId]) => shiftId);

  const dead = await deadLettered(runtime, ids);
  const escalations = [...decided.values()].filter((d) => d.type === 'bid.escalated');
  const mentions401 = (text?: string) => /\b401\b/.test(text ?? '');
  const refreshPeriodSeconds =
    TOKEN_TTL_SECONDS - Math.min(vendorByName('cxone').refreshBeforeSeconds ?? 300, TOKEN_TTL_SECONDS / 2);
  return {
    label,
    bids: ids.size,
    decided: decided.size,
    escalated: escalations.length,
    failedBy401:
      escalations.filter((d) => mentions401(d.reason)).length +
      dead.filter((m) => m.reason === 'CXONE_UNAUTHORIZED' || mentions401(m.detail)).length,
    deadLettered: dead.length,
    unauthorizedAnswers: calls.filter((r) => r.status === 401).length,
    tokenRequests,
    refreshPeriods: Math.ceil(wallSeconds / refreshPeriodSeconds),
    forcedExpiries,
    vendorCalls: calls.length,
    callsByEndpoint,
    contestedShifts: window.contestedShiftIds.length,
    contestedApprovedTwice: window.contestedShiftIds.filter((s) => twice.includes(s)).length,
    shiftsApprovedTwice: twice.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    wallSeconds: round(wallSeconds),
  };
}

export async function run() {
  const runtime = await startBenchRuntime();
  try {
    const cxone = sandboxAdmin(`${runtime.urls.sandbox}/cxone`);
    await cxone.config({ tokenTtlSeconds: TOKEN_TTL_SECONDS });
    const baseline = await biddingWindow(runtime, cxone, 'baseline: 50 bids', {
      bids: 50,
      shifts: 30,
      date: '2026-06-13',
      tag: 'base',
      expireMidRun: true,
    });
    const burst = await biddingWindow(runtime, cxone, `${BIDS} bids`, {
      bids: BIDS,
      shifts: SHIFTS,
      date: '2026-06-06',
      tag: 'window',
      expireMidRun: true,
    });
    const results = [baseline, burst];
    const row = (figure: string, target: string, value: (r: WindowResult) => string | number) => ({
      figure,
      [baseline.label]: value(baseline),
      [burst.label]: value(burst),
      target,
    });
    console.table([
      row('decided bids', 'all', (r) => `${r.decided}/${r.bids}`),
      row('  of which escalated', '', (r) => r.escalated),
      row('bids failed by a 401', '0', (r) => r.failedBy401),
      row('bids dead-lettered', '0', (r) => r.deadLettered),
      row('401 answers from CXone (retried after one refresh)', '', (r) => r.unauthorizedAnswers),
      row(
        `token requests (TTL ${TOKEN_TTL_SECONDS} s)`,
        '<= refresh periods + forced expiries',
        (r) => r.tokenRequests,
      ),
      row('  refresh periods spanned + forced expiries', '', (r) => r.refreshPeriods + r.forcedExpiries),
      row('vendor calls per bid (excl. token)', '<= 3', (r) => round(r.vendorCalls / r.bids, 2)),
      row('contested shifts', '', (r) => r.contestedShifts),
      row('contested shifts approved more than once', '0', (r) => r.contestedApprovedTwice),
      row('webhook -> action p50 (ms)', '', (r) => r.p50Ms),
      row('webhook -> action p99 (ms)', '', (r) => r.p99Ms),
      row('wall time (s)', '', (r) => r.wallSeconds),
    ]);
    console.log('CXone calls by endpoint:');
    console.table(
      Object.keys({ ...baseline.callsByEndpoint, ...burst.callsByEndpoint })
        .sort()
        .map((endpoint) => ({
          endpoint,
          [baseline.label]: round((baseline.callsByEndpoint[endpoint] ?? 0) / baseline.bids, 2),
          [burst.label]: round((burst.callsByEndpoint[endpoint] ?? 0) / burst.bids, 2),
        })),
    );
    return { tokenTtlSeconds: TOKEN_TTL_SECONDS, results };
  } finally {
    await stopBenchRuntime(runtime);
  }
}
