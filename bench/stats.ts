/** Small statistics shared by the benchmarks. */

/** The p-th percentile (nearest rank) of values sorted ascending. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

export const sortedAscending = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b);

export const round = (value: number, digits = 1): number => +value.toFixed(digits);
