import { describe, expect, it } from 'vitest';
import {
  absResiduals,
  addOrigin,
  conformalHalfWidth,
  emptySums,
  maseScale,
  median,
  ratio,
} from './metrics.js';

describe('metric math', () => {
  it.each([
    { y: [10, 12, 11, 13], m: 1, end: 4, want: 5 / 3 }, // |2| + |-1| + |2| over 3
    { y: [1, 2, 3, 5, 7, 9], m: 3, end: 6, want: (4 + 5 + 6) / 3 }, // lag-3 differences
    { y: [1, 2, 3, 5], m: 4, end: 4, want: (1 + 1 + 2) / 3 }, // no full season yet: lag 1
    { y: [7], m: 1, end: 1, want: NaN },
  ])('MASE scale of $y (m=$m)', ({ y, m, end, want }) => {
    expect(maseScale(y, m, end)).toEqual(want);
  });

  it.each([
    { abs: [1, 2], level: 0.8, want: 2 }, // rank ceil(3 * 0.8) = 3 > 2 -> largest
    { abs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], level: 0.8, want: 9 }, // rank ceil(11 * 0.8) = 9
    { abs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], level: 0.5, want: 6 }, // rank ceil(5.5) = 6
    { abs: [], level: 0.95, want: 0 },
  ])('conformal half-width of $abs at $level', ({ abs, level, want }) => {
    expect(conformalHalfWidth(abs, level)).toBe(want);
  });

  it('absolute residuals skip missing predictions and come sorted', () => {
    expect(Array.from(absResiduals([5, 6, 7, 8], [NaN, 8, 7, 5], 0, 4))).toEqual([0, 2, 3]);
  });

  it('sums one origin: error, sMAPE term and interval hits', () => {
    const s = emptySums();
    addOrigin(s, 10, 8, 1, 3); // |e| = 2; 80% [7, 9] misses, 95% [5, 11] hits
    addOrigin(s, 0, 0, 0, 0); // 0/0 counts as a perfect sMAPE term
    expect(s).toEqual({ count: 2, absError: 2, absActual: 10, smape: 4 / 18, hits80: 1, hits95: 2 });
  });

  it.each([
    { values: [3, 1, 2], want: 2 },
    { values: [4, 1, 3, 2], want: 2.5 },
    { values: [null, 5], want: 5 },
    { values: [null], want: null },
  ])('median of $values', ({ values, want }) => {
    expect(median(values)).toBe(want);
  });

  it.each([
    { a: 1, b: 2, want: 0.5 },
    { a: 1, b: 0, want: null },
    { a: null, b: 2, want: null },
  ])('ratio $a / $b', ({ a, b, want }) => {
    expect(ratio(a, b)).toBe(want);
  });
});
