import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import { describe, expect, it } from 'vitest';
import { fitLinearRegression } from './regression.js';

describe('linear regression', () => {
  it('recovers an exact trend plus seasonal pattern', () => {
    const season = [5, -3, 0, 8, -10, 2, 1];
    const y = Float64Array.from({ length: 35 }, (_, t) => 50 + 1.5 * t + (season[t % 7] as number));
    const fit = fitLinearRegression({ y, m: 7, fitEnd: 28 });
    expect(fit.fallbackReason).toBeNull();
    expect(fit.params.slope).toBeCloseTo(1.5, 6);
    for (let t = 28; t <= 35; t++)
      expect(fit.pred[t]).toBeCloseTo(50 + 1.5 * t + (season[t % 7] as number), 6);
  });

  it('equals the full dummy-variable least squares (Frisch-Waugh-Lovell)', () => {
    let seed = 3;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const m = 4;
    const y = Float64Array.from({ length: 30 }, (_, t) => 20 + 0.7 * t + 10 * rnd() + (t % m) * 3);
    const fit = fitLinearRegression({ y, m, fitEnd: 30 });
    const x = Array.from({ length: 30 }, (_, t) => [
      t,
      ...Array.from({ length: m - 1 }, (_, j) => (t % m === j + 1 ? 1 : 0)),
    ]);
    const full = new MultivariateLinearRegression(
      x,
      Array.from(y, (v) => [v]),
      { statistics: false },
    );
    for (let t = 0; t <= 30; t++) {
      const row = [t, ...Array.from({ length: m - 1 }, (_, j) => (t % m === j + 1 ? 1 : 0))];
      expect(fit.pred[t]).toBeCloseTo(full.predict(row)[0] as number, 8);
    }
  });

  it('drops the dummies below two seasons and says so', () => {
    const y = Float64Array.from({ length: 10 }, (_, t) => 3 * t);
    const fit = fitLinearRegression({ y, m: 7, fitEnd: 10 });
    expect(fit.model).toBe('linear_regression');
    expect(fit.fallbackReason).toMatch(/seasonal dummies dropped/);
    expect(fit.pred[10]).toBeCloseTo(30, 9);
  });

  it('gives each bucket of the fitting window its leave-one-out prediction, for interval residuals', () => {
    // Refit without bucket t (full dummy least squares on the other rows) and predict t: the
    // leverage formula must give the same value. From fitEnd on, the forecast itself.
    let seed = 11;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const m = 4;
    const fitEnd = 14;
    const y = Float64Array.from({ length: 18 }, (_, t) => 20 + 0.7 * t + 10 * rnd() + (t % m) * 3);
    const fit = fitLinearRegression({ y, m, fitEnd });
    const row = (t: number): number[] => [
      t,
      ...Array.from({ length: m - 1 }, (_, j) => (t % m === j + 1 ? 1 : 0)),
    ];
    const loo = fit.residualPred!;
    for (let t = 0; t < fitEnd; t++) {
      const rows = Array.from({ length: fitEnd }, (_, u) => u).filter((u) => u !== t);
      const without = new MultivariateLinearRegression(
        rows.map(row),
        rows.map((u) => [y[u] as number]),
        { statistics: false },
      );
      expect(loo[t], `bucket ${t}`).toBeCloseTo(without.predict(row(t))[0] as number, 6);
      // Pulled toward its own value: the fitted value is closer to y than the leave-one-out one.
      expect(Math.abs((y[t] as number) - (fit.pred[t] as number))).toBeLessThanOrEqual(
        Math.abs((y[t] as number) - (loo[t] as number)) + 1e-9,
      );
    }
    for (let t = fitEnd; t <= 18; t++) expect(loo[t]).toBe(fit.pred[t]);
  });
});
