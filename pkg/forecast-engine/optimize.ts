/**
 * Deterministic derivative-free minimisers used to fit model parameters: fixed starts, fixed step
 * sizes and an evaluation cap, so the same input always takes the same path (no randomness).
 */

/** Result of a minimisation. */
export interface Minimum {
  readonly x: Float64Array;
  readonly value: number;
  readonly evaluations: number;
}

/** Options of {@link nelderMead}. */
export interface NelderMeadOptions {
  /** Lower bound per coordinate; candidates are clamped into the box. */
  readonly lower: ArrayLike<number>;
  /** Upper bound per coordinate. */
  readonly upper: ArrayLike<number>;
  /** Initial simplex step per coordinate. @default 10% of the box width */
  readonly step?: ArrayLike<number>;
  /** Evaluation cap. @default 60 * dimension */
  readonly maxEvaluations?: number;
  /** Stop when the simplex' values differ by less than this (relative). @default 1e-7 */
  readonly tolerance?: number;
}

const nonFinite = (v: number): number => (Number.isFinite(v) ? v : Number.MAX_VALUE);

/** Minimises f over a box with the Nelder-Mead simplex method, starting at x0. */
export function nelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions,
): Minimum {
  const d = x0.length;
  const { lower, upper, maxEvaluations = 60 * d, tolerance = 1e-7 } = options;
  const clamp = (x: Float64Array): Float64Array => {
    for (let i = 0; i < d; i++) {
      const lo = lower[i] as number;
      const hi = upper[i] as number;
      const v = x[i] as number;
      x[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return x;
  };
  let evaluations = 0;
  const evaluate = (x: Float64Array): number => {
    evaluations++;
    return nonFinite(f(x));
  };
  // Simplex of d+1 points; each extra vertex moves one coordinate inward from x0.
  const pts: Float64Array[] = [];
  const vals = new Float64Array(d + 1);
  pts.push(clamp(Float64Array.from(x0)));
  vals[0] = evaluate(pts[0] as Float64Array);
  for (let i = 0; i < d; i++) {
    const p = Float64Array.from(pts[0] as Float64Array);
    const lo = lower[i] as number;
    const hi = upper[i] as number;
    const step = options.step ? (options.step[i] as number) : 0.1 * (hi - lo);
    const v = (p[i] as number) + step;
    p[i] = v > hi ? (p[i] as number) - step : v;
    pts.push(clamp(p));
    vals[i + 1] = evaluate(p);
  }
  const order = new Int32Array(d + 1);
  const centroid = new Float64Array(d);
  const xr = new Float64Array(d);
  const xe = new Float64Array(d);
  const xc = new Float64Array(d);
  const sortSimplex = (): void => {
    for (let i = 0; i <= d; i++) order[i] = i;
    // Insertion sort; ties broken by index so the order is fully determined.
    for (let i = 1; i <= d; i++) {
      const k = order[i] as number;
      let j = i - 1;
      while (j >= 0) {
        const oj = order[j] as number;
        if (
          (vals[oj] as number) > (vals[k] as number) ||
          ((vals[oj] as number) === (vals[k] as number) && oj > k)
        ) {
          order[j + 1] = oj;
          j--;
        } else break;
      }
      order[j + 1] = k;
    }
  };
  while (evaluations < maxEvaluations) {
    sortSimplex();
    const best = order[0] as number;
    const worst = order[d] as number;
    const second = order[d - 1] as number;
    const fb = vals[best] as number;
    const fw = vals[worst] as number;
    if (Math.abs(fw - fb) <= tolerance * (Math.abs(fb) + 1e-12)) break;
    centroid.fill(0);
    for (let i = 0; i <= d; i++) {
      if (i === worst) continue;
      const p = pts[i] as Float64Array;
      for (let j = 0; j < d; j++) centroid[j] = (centroid[j] as number) + (p[j] as number) / d;
    }
    const pw = pts[worst] as Float64Array;
    for (let j = 0; j < d; j++) xr[j] = 2 * (centroid[j] as number) - (pw[j] as number);
    const fr = evaluate(clamp(xr));
    if (fr < fb) {
      for (let j = 0; j < d; j++) xe[j] = 3 * (centroid[j] as number) - 2 * (pw[j] as number);
      const fe = evaluate(clamp(xe));
      if (fe < fr) {
        pw.set(xe);
        vals[worst] = fe;
      } else {
        pw.set(xr);
        vals[worst] = fr;
      }
      continue;
    }
    if (fr < (vals[second] as number)) {
      pw.set(xr);
      vals[worst] = fr;
      continue;
    }
    // Contraction: outside when the reflection improved on the worst point, inside otherwise.
    const outside = fr < fw;
    for (let j = 0; j < d; j++) {
      const c = centroid[j] as number;
      xc[j] = outside ? c + 0.5 * ((xr[j] as number) - c) : c + 0.5 * ((pw[j] as number) - c);
    }
    const fc = evaluate(clamp(xc));
    if (fc < (outside ? fr : fw)) {
      pw.set(xc);
      vals[worst] = fc;
      continue;
    }
    // Shrink towards the best vertex.
    const pb = pts[best] as Float64Array;
    for (let i = 0; i <= d; i++) {
      if (i === best) continue;
      const p = pts[i] as Float64Array;
      for (let j = 0; j < d; j++) p[j] = (pb[j] as number) + 0.5 * ((p[j] as number) - (pb[j] as number));
      vals[i] = evaluate(p);
      if (evaluations >= maxEvaluations) break;
    }
  }
  sortSimplex();
  const b = order[0] as number;
  return { x: Float64Array.from(pts[b] as Float64Array), value: vals[b] as number, evaluations };
}

/** Minimises a one-dimensional f on [lo, hi] by golden-section search with a fixed number of steps. */
export function goldenSection(f: (x: number) => number, lo: number, hi: number, iterations = 30): Minimum {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = nonFinite(f(c));
  let fd = nonFinite(f(d));
  let evaluations = 2;
  for (let i = 0; i < iterations; i++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = nonFinite(f(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = nonFinite(f(d));
    }
    evaluations++;
  }
  const x = fc <= fd ? c : d;
  return { x: Float64Array.of(x), value: Math.min(fc, fd), evaluations };
}
