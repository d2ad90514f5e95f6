import { correlation, resampledChange, trendOverMean } from '../../../bench/stats';

/** n latencies with a long tail, the same every time: most near 100 ms, one in fifty several times slower. */
const tailed = (n: number, scale = 1) =>
  Array.from(
    { length: n },
    (_, i) => scale * (i % 50 === 49 ? 400 + ((i * 37) % 200) : 80 + ((i * 13) % 40)),
  );

describe('resampledChange', () => {
  it('is no range at all when both windows hold one value', () => {
    expect(resampledChange(Array(100).fill(250), Array(100).fill(250), 99)).toEqual([0, 0]);
  });

  it('holds a true doubling of a large sample near +100%', () => {
    const spread = (n: number, scale: number) =>
      Array.from({ length: n }, (_, i) => scale * (100 + ((i * 7_919) % n)));
    const [low, high] = resampledChange(spread(2_000, 1), spread(2_000, 2), 99, { resamples: 200 });
    expect(low).toBeGreaterThan(0.8);
    expect(high).toBeLessThan(1.2);
  });

  it('spans more than ±20% for two draws of the same 120 events whose tail is two or three of them', () => {
    const [low, high] = resampledChange(tailed(120), tailed(120), 99);
    expect(low).toBeLessThan(-0.2);
    expect(high).toBeGreaterThan(0.2);
  });

  it('prints the same range for the same windows (seeded)', () => {
    const first = tailed(120);
    const last = tailed(130, 1.1);
    expect(resampledChange(first, last, 99)).toEqual(resampledChange(first, last, 99));
  });

  it('says nothing for an empty window', () => {
    expect(resampledChange([], tailed(10), 99)).toEqual([NaN, NaN]);
  });
});

describe('trendOverMean', () => {
  it('is the rise of the line from first to last over the mean', () => {
    expect(trendOverMean([100, 110, 120, 130, 140])).toBeCloseTo(40 / 120);
    expect(trendOverMean([140, 130, 120, 110, 100])).toBeCloseTo(-40 / 120);
  });

  it('is flat for a series that only wobbles', () => {
    expect(trendOverMean([140, 100, 140, 100, 140])).toBeCloseTo(0);
  });

  it('says nothing for fewer than two points', () => {
    expect(trendOverMean([5])).toBeNaN();
  });
});

describe('correlation', () => {
  it('is +1 for series that rise and fall together, whatever their scales', () => {
    expect(correlation([1, 3, 2, 5], [120, 160, 140, 200])).toBeCloseTo(1);
  });

  it('is -1 for series that move against each other', () => {
    expect(correlation([1, 2, 3, 4], [40, 30, 20, 10])).toBeCloseTo(-1);
  });

  it('is near 0 for a series that does not follow the other', () => {
    expect(Math.abs(correlation([1, 2, 3, 4, 5, 6], [5, 1, 5, 1, 5, 1]))).toBeLessThan(0.3);
  });

  it('says nothing for a series that never moves, or fewer than three pairs', () => {
    expect(correlation([1, 2, 3], [7, 7, 7])).toBeNaN();
    expect(correlation([1, 2], [3, 4])).toBeNaN();
  });
});
