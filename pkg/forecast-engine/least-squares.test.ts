import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import { describe, expect, it } from 'vitest';
import { leastSquares } from './least-squares.js';
import { rng } from './testdata/rng.js';

describe('leastSquares', () => {
  it('gives ml-regression’s weights and t statistics for flat row-major buffers longer than needed', () => {
    const r = rng(7);
    for (const [rows, p, intercept] of [
      [30, 1, false],
      [24, 2, true],
      [40, 3, true],
    ] as const) {
      const x = Float64Array.from({ length: rows * p + 5 }, () => r() * 10 - 5);
      const y = Float64Array.from({ length: rows + 3 }, (_, k) => 2 * (x[k * p] ?? 0) + r());
      const fit = leastSquares(x, rows, p, y, intercept, true);
      const lib = new MultivariateLinearRegression(
        Array.from({ length: rows }, (_, k) => Array.from(x.subarray(k * p, k * p + p))),
        Array.from({ length: rows }, (_, k) => [y[k] as number]),
        { intercept, statistics: true },
      );
      expect(Array.from(fit.weights)).toEqual(lib.weights.map((w) => w[0]));
      expect(Array.from(fit.tStats ?? [])).toEqual(lib.tStats);
      // The recovered slope of the first column is near the 2 the data were made with.
      expect(fit.weights[0]).toBeCloseTo(2, 0);
    }
  });

  it('skips the statistics when not asked for', () => {
    const fit = leastSquares([1, 2, 3, 4], 4, 1, [2, 4, 6, 8], false, false);
    expect(fit.tStats).toBeNull();
    expect(fit.weights[0]).toBeCloseTo(2, 12);
  });
});
