/**
 * Issue 14, bad input at the edge: FUZZ_CASES (default 10,000) generated deliveries against the local gateway
 * and the real ingress handler with real queues (test/helpers/edge-harness.ts), each checked against the
 * webhook contract; outcome counts per status, and the process's RSS after warm-up and at each tenth of the
 * run. FUZZ_SEED repeats a run; a violation stops it and prints the seed and the shrunk case.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEdgeHarness } from '../test/helpers/edge-harness';
import { runGatewayFuzz } from '../test/helpers/gateway-fuzz';

const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const WARMUP = Number(process.env.FUZZ_WARMUP ?? 300);
/** RSS growth after warm-up that still counts as steady. */
const RSS_GROWTH_TARGET = 0.1;

export async function run() {
  // Memory readings after a full collection, so garbage not yet collected is not counted as growth.
  setFlagsFromString('--expose-gc');
  (globalThis as { gc?: unknown }).gc ??= runInNewContext('gc');
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const harness = await startEdgeHarness();
  try {
    console.log(`seed ${seed}: ${CASES} cases after ${WARMUP} of warm-up`);
    const result = await runGatewayFuzz(harness, { seed, numRuns: CASES, warmup: WARMUP });
    console.table(
      Object.entries(result.outcomes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([outcome, count]) => ({
          outcome,
          count,
          share: `${((100 * count) / result.cases).toFixed(1)}%`,
        })),
    );
    const first = result.rssMb[0]!;
    const last = result.rssMb[result.rssMb.length - 1]!;
    const growth = (last - first) / first;
    const fiveXx = Object.entries(result.outcomes)
      .filter(([label]) => label.startsWith('5'))
      .reduce((n, [, count]) => n + count, 0);
    console.table([
      { figure: 'cases run', value: result.cases, target: CASES, ok: result.cases >= CASES },
      { figure: 'contract violations', value: result.failure ? 1 : 0, target: 0, ok: !result.failure },
      { figure: '5xx answers', value: fiveXx, target: 0, ok: fiveXx === 0 },
      { figure: 'RSS after warm-up (MB)', value: first, target: '', ok: true },
      {
        figure: 'RSS at the end (MB)',
        value: last,
        target: `<= +${RSS_GROWTH_TARGET * 100}%`,
        ok: growth <= RSS_GROWTH_TARGET,
      },
      {
        figure: 'heap used before / after (MB)',
        value: `${result.heapBeforeMb} / ${result.heapAfterMb}`,
        target: '',
        ok: true,
      },
      {
        figure: 'cases per second',
        value: +((1000 * result.cases) / result.durationMs).toFixed(1),
        target: '',
        ok: true,
      },
    ]);
    console.log(`RSS (MB) after warm-up and at each tenth: ${result.rssMb.join(', ')}`);
    if (result.failure) console.log(result.failure);
    return { ...result, rssGrowth: +growth.toFixed(3) };
  } finally {
    await harness.stop();
  }
}
