import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import { Matrix, SVD } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { ols, svdSquare } from './ols.js';
import { rng } from './testdata/rng.js';

/** Bit-for-bit equality of two numbers (Object.is: +0 and -0 differ, NaN equals NaN). */
function same(a: number, b: number): boolean {
  return Object.is(a, b);
}

/** Designs like the engine's: trading-day ratios, weekend-share changes, holiday shares, demeaned trends. */
function design(kind: number, rows: number, p: number, r: () => number): number[][] {
  return Array.from({ length: rows }, (_, t) =>
    Array.from({ length: p }, (_, j) => {
      switch (kind) {
        case 0: // continuous, mixed scales
          return (r() - 0.5) * 10 ** (j - 1);
        case 1: // few distinct values (weekend-share changes of months)
          return (Math.floor(r() * 3) - 1) / (28 + Math.floor(r() * 4));
        case 2: // sparse shares (holiday columns), mostly zero
          return r() < 0.3 ? Math.floor(r() * 7 + 1) / 7 : 0;
        case 3: // a duplicated column: singular X'X
          return j === p - 1 && p > 1 ? ((t * 7919) % 13) / 13 : ((t * 7919) % 13) / 13;
        case 4: // a constant column beside the intercept: singular with it
          return j === 0 ? 0.5 : r();
        case 5: // demeaned time
          return t - (rows - 1) / 2 + j;
        default: // all zero
          return 0;
      }
    }),
  );
}

describe('ols', () => {
  it("gives ml-regression-multivariate-linear's weights and t statistics bit for bit", () => {
    const r = rng(20251207);
    let compared = 0;
    for (let trial = 0; trial < 600; trial++) {
      const kind = trial % 7;
      const p = 1 + (trial % 4 === 3 ? 5 : trial % 3);
      const rows = 12 + Math.floor(r() * 90);
      const intercept = trial % 2 === 0;
      const statistics = trial % 4 < 2;
      const x = design(kind, rows, p, r);
      const y = Array.from({ length: rows }, (_, t) =>
        kind === 6 ? 0 : Math.log(1 + r()) * (1 + t / rows) - 0.3 + (x[t]?.[0] ?? 0),
      );
      const lib = new MultivariateLinearRegression(
        x,
        y.map((v) => [v]),
        { intercept, statistics },
      );
      const mine = ols(Float64Array.from(x.flat()), rows, p, y, intercept, statistics);
      const c = p + (intercept ? 1 : 0);
      expect(mine.weights.length).toBe(c);
      for (let j = 0; j < c; j++) {
        const w = (lib.weights[j] as number[])[0] as number;
        if (!same(mine.weights[j] as number, w))
          throw new Error(`trial ${trial} weight ${j}: ${mine.weights[j]} vs ${w}`);
        compared++;
        if (statistics) {
          const ts = (lib as unknown as { tStats: number[] }).tStats[j] as number;
          if (!same(mine.tStats?.[j] as number, ts))
            throw new Error(`trial ${trial} tStat ${j}: ${mine.tStats?.[j]} vs ${ts}`);
          compared++;
        } else expect(mine.tStats).toBeNull();
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });

  it("gives ml-matrix's singular values and vectors bit for bit", () => {
    const r = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + (trial % 7);
      const a = Array.from({ length: n }, () => Array.from({ length: n }, () => (r() < 0.2 ? 0 : r() - 0.4)));
      // Half of them symmetric (X'X), a few with a repeated row.
      if (trial % 2 === 0)
        for (let i = 0; i < n; i++)
          for (let j = 0; j < i; j++) (a[i] as number[])[j] = (a[j] as number[])[i] as number;
      if (trial % 5 === 0 && n > 1) a[n - 1] = [...(a[0] as number[])];
      const lib = new SVD(new Matrix(a));
      const mine = svdSquare(Float64Array.from(a.flat()), n);
      const libU = lib.leftSingularVectors.to2DArray().flat();
      const libV = lib.rightSingularVectors.to2DArray().flat();
      const check = (what: string, xs: ArrayLike<number>, ys: ArrayLike<number>): void => {
        for (let i = 0; i < ys.length; i++)
          if (!same(xs[i] as number, ys[i] as number))
            throw new Error(`trial ${trial} ${what}[${i}]: ${xs[i]} vs ${ys[i]}`);
      };
      check('s', mine.s, lib.diagonal);
      check('u', mine.u, libU);
      check('v', mine.v, libV);
    }
  });
});
