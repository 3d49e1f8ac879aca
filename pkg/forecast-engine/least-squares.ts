/**
 * Least squares through ml-regression (ml-regression-multivariate-linear), over the engine's flat
 * row-major buffers: the library takes one array per row and per target, so the rows are copied
 * out at the call. The engine's regressions (trading days, holiday effects, linear_regression) go
 * through here.
 */
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';

/** Coefficients (in column order, the intercept last) and, with statistics, their t statistics. */
export interface LeastSquaresFit {
  readonly weights: Float64Array;
  readonly tStats: Float64Array | null;
}

/**
 * Least squares of y[0..rows) on the p columns of x (row-major, rows x p), plus a column of ones
 * last when `intercept`; with `statistics`, each coefficient's t statistic. Throws where the
 * library throws (e.g. statistics over no rows).
 */
export function leastSquares(
  x: ArrayLike<number>,
  rows: number,
  p: number,
  y: ArrayLike<number>,
  intercept: boolean,
  statistics: boolean,
): LeastSquaresFit {
  const xs: number[][] = new Array<number[]>(rows);
  const ys: number[][] = new Array<number[]>(rows);
  for (let k = 0; k < rows; k++) {
    const row = new Array<number>(p);
    for (let i = 0; i < p; i++) row[i] = x[k * p + i] as number;
    xs[k] = row;
    ys[k] = [y[k] as number];
  }
  const reg = new MultivariateLinearRegression(xs, ys, { intercept, statistics });
  const c = p + (intercept ? 1 : 0);
  const weights = new Float64Array(c);
  for (let j = 0; j < c; j++) weights[j] = (reg.weights[j] as number[])[0] as number;
  let tStats: Float64Array | null = null;
  if (statistics) {
    tStats = new Float64Array(c);
    for (let j = 0; j < c; j++) tStats[j] = reg.tStats[j] as number;
  }
  return { weights, tStats };
}
