/**
 * Intermittent-demand models. A bucket with a value <= 0 counts as "no demand" (refunds can make a
 * bucket negative; they are not demand).
 */
import { r6, type Fit, type FitInput } from './fit.js';
import { f64 } from '../scratch.js';

/** Croston's smoothing constant, the value statsforecast and most of the literature use. */
export const CROSTON_ALPHA = 0.1;

/**
 * Croston with the Syntetos-Boylan approximation: smooth demand sizes z and inter-demand intervals p
 * (both initialised by the first demand, p counting from the start of the series) and forecast
 * (1 - alpha/2) z / p; 0 until the first demand.
 */
export function fitCrostonSba(input: FitInput): Fit {
  const { y } = input;
  const n = y.length;
  const alpha = CROSTON_ALPHA;
  const pred = f64(n + 1);
  let z = 0;
  let p = 0;
  let q = 0; // buckets since the last demand, including the current one
  let started = false;
  for (let t = 0; t <= n; t++) {
    pred[t] = started ? ((1 - alpha / 2) * z) / p : 0;
    if (t === n) break;
    q++;
    const v = y[t] as number;
    if (v > 0) {
      if (!started) {
        z = v;
        p = q;
        started = true;
      } else {
        z += alpha * (v - z);
        p += alpha * (q - p);
      }
      q = 0;
    }
  }
  return { model: 'croston_sba', params: { alpha }, pred, fallbackReason: null };
}

const TSB_ALPHAS = [0.05, 0.1, 0.2, 0.3];
const TSB_BETAS = [0.02, 0.05, 0.1, 0.2, 0.3];

function runTsb(
  y: Float64Array,
  end: number,
  alpha: number,
  beta: number,
  d0: number,
  z0: number,
  out: Float64Array | null,
): number {
  let d = d0;
  let z = z0;
  let sse = 0;
  for (let t = 0; t < end; t++) {
    const f = d * z;
    if (out) out[t] = f;
    const v = y[t] as number;
    const e = v - f;
    sse += e * e;
    if (v > 0) {
      d += beta * (1 - d);
      z += alpha * (v - z);
    } else d -= beta * d;
  }
  if (out) out[end] = d * z;
  return sse;
}

/**
 * Teunter-Syntetos-Babai: demand probability d (updated every bucket) times demand size z (updated on
 * demand); both start at their means over the fitting window, alpha and beta from a fixed grid.
 */
export function fitTsb(input: FitInput): Fit {
  const { y, fitEnd } = input;
  const n = y.length;
  let count = 0;
  let total = 0;
  for (let t = 0; t < fitEnd; t++) {
    const v = y[t] as number;
    if (v > 0) {
      count++;
      total += v;
    }
  }
  const d0 = fitEnd > 0 ? count / fitEnd : 0;
  const z0 = count > 0 ? total / count : 0;
  let bestA = TSB_ALPHAS[0] as number;
  let bestB = TSB_BETAS[0] as number;
  let best = Infinity;
  for (const a of TSB_ALPHAS) {
    for (const b of TSB_BETAS) {
      const sse = runTsb(y, fitEnd, a, b, d0, z0, null);
      if (sse < best) {
        best = sse;
        bestA = a;
        bestB = b;
      }
    }
  }
  const pred = f64(n + 1);
  runTsb(y, n, bestA, bestB, d0, z0, pred);
  return {
    model: 'tsb',
    params: { alpha: bestA, beta: bestB, d0: r6(d0), z0: r6(z0) },
    pred,
    fallbackReason: null,
  };
}
