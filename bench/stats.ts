/** Small statistics shared by the benchmarks. */

/** The p-th percentile (nearest rank) of values sorted ascending. */
export const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

export const sortedAscending = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b);

export const round = (value: number, digits = 1): number => +value.toFixed(digits);

/**
 * How far the p-th percentile of `last` over that of `first` could move by sampling alone: the lowest and highest
 * ratio (last / first - 1) of the central `share` of `resamples` bootstrap draws, each window drawn with
 * replacement at its own size. A window of about 120 events has its p99 in its two slowest, so a change the
 * interval holds says little about the system. Seeded, so that one run's figures print the same twice.
 */
export function resampledChange(
  first: readonly number[],
  last: readonly number[],
  p: number,
  { resamples = 1_000, share = 0.9, seed = 1 } = {},
): [low: number, high: number] {
  if (!first.length || !last.length) return [NaN, NaN];
  const random = seededRandom(seed);
  // A typed array, filled in a loop, sorts numerically in native code: a thousand draws of 1,200 in a fraction of a second.
  const draw = (values: readonly number[]) => {
    const sample = new Float64Array(values.length);
    for (let i = 0; i < sample.length; i++) sample[i] = values[Math.floor(random() * values.length)]!;
    return percentile(sample.sort(), p);
  };
  const ratios = sortedAscending(Array.from({ length: resamples }, () => draw(last) / draw(first) - 1));
  const tail = ((1 - share) / 2) * 100;
  return [percentile(ratios, tail), percentile(ratios, 100 - tail)];
}

/** mulberry32: a small, fast generator of uniform numbers in [0, 1), enough for resampling. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The least-squares line through a series taken at even steps (one value a minute), as the change it makes from
 * the first step to the last over the series' mean: +0.2 is a line that rises by a fifth of the mean. A drift
 * that two windows' p99s miss between their few slowest events shows in the trend of every minute's p50.
 */
export function trendOverMean(series: readonly number[]): number {
  const n = series.length;
  if (n < 2) return NaN;
  const meanX = (n - 1) / 2;
  const meanY = series.reduce((sum, y) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  series.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  return ((sxy / sxx) * (n - 1)) / meanY;
}

/**
 * Pearson's correlation of two series of the same length, from -1 to +1: how closely one rises and falls with the
 * other. The soak sets each minute's p50 against the share of the machine the host took in that minute: near +1,
 * the latency followed the host, not the system. NaN for fewer than three pairs or a series that never moves.
 */
export function correlation(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 3) return NaN;
  const mean = (vs: readonly number[]) => vs.slice(0, n).reduce((sum, v) => sum + v, 0) / n;
  const [mx, my] = [mean(xs), mean(ys)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const [dx, dy] = [xs[i]! - mx, ys[i]! - my];
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : NaN;
}
