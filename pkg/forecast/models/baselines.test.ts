import { describe, expect, it } from 'vitest';
import { fitDrift, fitNaive, fitSeasonalNaive, fitWindowAverage } from './baselines.js';

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
    { m: 1, fitEnd: 10, reason: /no season/ },
    { m: 7, fitEnd: 5, reason: /one full season/ },
  ])('seasonal naive falls back to naive (m=$m, fitEnd=$fitEnd)', ({ m, fitEnd, reason }) => {
    const fit = fitSeasonalNaive(input([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], m, fitEnd));
    expect(fit.model).toBe('naive');
    expect(fit.fallbackReason).toMatch(reason);
    expect(fit.pred[10]).toBe(10);
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
