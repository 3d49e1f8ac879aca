import { describe, expect, it } from 'vitest';
import { fitDrift, fitNaive, fitSeasonalGrowth, fitSeasonalNaive, fitWindowAverage } from './baselines.js';

const input = (values: number[], m = 1, fitEnd = values.length) => ({
  y: Float64Array.from(values),
  m,
  fitEnd,
});

describe('baselines', () => {
  it.each([
    { values: [1, 2, 3], next: 3 },
    { values: [5], next: 5 },
    { values: [4, 0], next: 0 },
  ])('naive forecasts the last value of $values', ({ values, next }) => {
    const fit = fitNaive(input(values));
    expect(fit.pred[values.length]).toBe(next);
    expect(Number.isNaN(fit.pred[0])).toBe(true);
  });

  it.each([
    { values: [1, 2, 4], next: 5.5 }, // 4 + (4 - 1) / 2
    { values: [10, 8, 6, 4], next: 2 }, // 4 + (4 - 10) / 3
    { values: [3, 3], next: 3 },
  ])('drift of $values is $next', ({ values, next }) => {
    expect(fitDrift(input(values)).pred[values.length]).toBeCloseTo(next, 12);
  });

  it('drift rolls forward: pred[t] uses y[0] and y[t-1] only', () => {
    const fit = fitDrift(input([1, 2, 4, 7]));
    expect(Array.from(fit.pred)).toEqual([NaN, NaN, 3, 5.5, 9]);
  });

  it('seasonal naive repeats the value one season back', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 10, 20, 30];
    const fit = fitSeasonalNaive(input(values, 7));
    expect(fit.model).toBe('seasonal_naive');
    expect(fit.pred[10]).toBe(4); // y[10 - 7]
    expect(fit.pred[7]).toBe(1);
    expect(Number.isNaN(fit.pred[6])).toBe(true);
  });

  it.each([
    { m: 1, n: 10, reason: /no season/ },
    { m: 7, n: 6, reason: /one full season/ },
  ])('seasonal naive falls back to naive (m=$m, n=$n)', ({ m, n, reason }) => {
    const values = Array.from({ length: n }, (_, t) => t + 1);
    const fit = fitSeasonalNaive(input(values, m, n));
    expect(fit.model).toBe('naive');
    expect(fit.fallbackReason).toMatch(reason);
    expect(fit.pred[n]).toBe(n);
  });

  it('seasonal naive needs no fitting window: it forecasts from one season on whatever fitEnd is', () => {
    const fit = fitSeasonalNaive(input([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 7, 3));
    expect(fit.model).toBe('seasonal_naive');
    expect(fit.pred[7]).toBe(1);
    expect(fit.pred[10]).toBe(4);
  });

  it('seasonal growth scales last season by the year-over-year growth of the latest buckets', () => {
    // Season 4, second year 10% above the first: growth over min(4, t - 4) buckets is 1.1.
    const first = [10, 20, 30, 40];
    const values = [...first, ...first.map((v) => v * 1.1), 11];
    const fit = fitSeasonalGrowth(input(values, 4, values.length));
    expect(fit.model).toBe('seasonal_growth');
    // t = 8 uses L = 4: (11+22+33+44)/(10+20+30+40) = 1.1, times y[4] = 11.
    expect(fit.pred[8]).toBeCloseTo(12.1, 10);
    // t = 9: L = 4 over y[5..8] vs y[1..4] = (22+33+44+11)/(20+30+40+11) = 110/101, times y[5] = 22.
    expect(fit.pred[9]).toBeCloseTo((22 * 110) / 101, 10);
    // Warm-up: needs one season plus three buckets.
    expect(Number.isNaN(fit.pred[6])).toBe(true);
    // t = 7: L = 3, y[4..6] over y[0..2] = 66/60, times y[3] = 40.
    expect(fit.pred[7]).toBeCloseTo(44, 10);
  });

  it('seasonal growth uses a difference when a window sums to zero, and falls back when too short', () => {
    const values = [0, 0, 0, 0, 5, 5, 5, 5];
    const fit = fitSeasonalGrowth(input(values, 4, values.length));
    // t = 8, L = 4: y[4] + (20 - 0) / 4 = 5 + 5.
    expect(fit.pred[8]).toBe(10);
    const short = fitSeasonalGrowth(input([1, 2, 3, 4, 5, 6], 4, 6));
    expect(short.model).toBe('seasonal_naive');
    expect(short.fallbackReason).toMatch(/one season plus 3/);
  });

  it('window average picks the window with the lowest in-sample error and averages it', () => {
    // Alternating series: a window of 2 averages out the alternation exactly.
    const values = Array.from({ length: 40 }, (_, t) => (t % 2 === 0 ? 10 : 20));
    const fit = fitWindowAverage(input(values));
    expect(fit.params).toEqual({ window: 2 });
    expect(fit.pred[40]).toBe(15);
  });

  it('window average falls back to naive below four values', () => {
    const fit = fitWindowAverage(input([1, 2, 3]));
    expect(fit.model).toBe('naive');
    expect(fit.fallbackReason).not.toBeNull();
  });
});
