/**
 * Linear regression on a trend plus seasonal dummies, fitted by ml-regression's multivariate linear
 * regression (least-squares.ts). The coefficients are fixed after fitting, so rolling forward only
 * moves t.
 *
 * With 52 weekly dummies the direct design matrix costs a 53 x 53 SVD per fit (about 10 ms), far
 * over the job's budget. By the Frisch-Waugh-Lovell theorem the same least-squares slope comes from
 * regressing the within-season-position demeaned y on the demeaned t, and each dummy coefficient is
 * then the position mean of y - slope * t; the result is identical and costs O(n).
 */
import { fitNaive } from './baselines.js';
import { fallback, r6, slot, type Fit, type FitInput } from './fit.js';
import { leastSquares } from '../least-squares.js';
import { f64, f64Copy, scratchF64 } from '../scratch.js';

const regSumT = scratchF64();
const regSumY = scratchF64();
const regCount = scratchF64();
const regX = scratchF64();
const regTarget = scratchF64();
const regLevel = scratchF64();

/** Fits y[t] = c[t % m] + b t by least squares on y[0..fitEnd); trend only when there are fewer than two seasons. */
export function fitLinearRegression(input: FitInput): Fit {
  const { y, m, fitEnd } = input;
  if (fitEnd < 3) return fallback(fitNaive(input), 'needs three values');
  const seasonal = m > 1 && fitEnd >= 2 * m;
  const groups = seasonal ? m : 1;
  const idx = seasonal ? input.seasonIndex : undefined;
  // Temporaries in reused buffers (scratch.ts).
  const sumT = regSumT(groups).fill(0, 0, groups);
  const sumY = regSumY(groups).fill(0, 0, groups);
  const count = regCount(groups).fill(0, 0, groups);
  for (let t = 0; t < fitEnd; t++) {
    const g = slot(idx, groups, t);
    sumT[g] = (sumT[g] as number) + t;
    sumY[g] = (sumY[g] as number) + (y[t] as number);
    count[g] = (count[g] as number) + 1;
  }
  const x = regX(fitEnd);
  const target = regTarget(fitEnd);
  for (let t = 0; t < fitEnd; t++) {
    const g = slot(idx, groups, t);
    x[t] = t - (sumT[g] as number) / (count[g] as number);
    target[t] = (y[t] as number) - (sumY[g] as number) / (count[g] as number);
  }
  let slope: number;
  try {
    slope = leastSquares(x, fitEnd, 1, target, false, false).weights[0] as number;
  } catch (cause) {
    return fallback(fitNaive(input), `regression failed: ${(cause as Error).message}`);
  }
  if (!Number.isFinite(slope)) return fallback(fitNaive(input), 'regression produced a non-finite slope');
  const level = regLevel(groups);
  for (let g = 0; g < groups; g++)
    level[g] = ((sumY[g] as number) - slope * (sumT[g] as number)) / (count[g] as number);
  const n = y.length;
  const pred = f64(n + 1);
  for (let t = 0; t <= n; t++) pred[t] = (level[slot(idx, groups, t)] as number) + slope * t;
  const fit: Fit = {
    model: 'linear_regression',
    params: { intercept: r6(level[0] as number), slope: r6(slope), seasonalDummies: seasonal ? m - 1 : 0 },
    pred,
    fallbackReason: null,
    residualPred: leaveOneOut(y, pred, fitEnd, x, count, idx, groups),
  };
  return seasonal || m <= 1
    ? fit
    : fallback(fit, `fewer than two seasons (${fitEnd} < ${2 * m}): seasonal dummies dropped`);
}

/**
 * Leave-one-out predictions of the fitting window: a bucket's fitted value is pulled toward its own
 * value (with 52 weekly dummies on three years, each position mean is a third of the bucket itself),
 * so in-sample residuals understate forecast errors. For least squares the residual without bucket
 * t is e_t / (1 - h_t), with the leverage h_t = 1 / (buckets of its position) + (t - position's mean
 * t)^2 / sum of those squares (the dummies and the demeaned trend, as fitted above). Buckets from
 * fitEnd on keep their forecast; NaN where h_t = 1 (a position seen once).
 */
function leaveOneOut(
  y: Float64Array,
  pred: Float64Array,
  fitEnd: number,
  x: Float64Array,
  count: Float64Array,
  idx: Int32Array | undefined,
  groups: number,
): Float64Array {
  let sxx = 0;
  for (let t = 0; t < fitEnd; t++) sxx += (x[t] as number) ** 2;
  const out = f64Copy(pred);
  for (let t = 0; t < fitEnd; t++) {
    const d = x[t] as number;
    const h = 1 / (count[slot(idx, groups, t)] as number) + (sxx > 0 ? (d * d) / sxx : 0);
    const e = (y[t] as number) - (pred[t] as number);
    out[t] = h < 1 - 1e-9 ? (y[t] as number) - e / (1 - h) : NaN;
  }
  return out;
}
