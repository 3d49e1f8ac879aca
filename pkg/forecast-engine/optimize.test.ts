import { describe, expect, it } from 'vitest';
import {
  GoldenSectionSearch,
  NelderMeadSearch,
  goldenSection,
  minimise,
  minimisePair,
  nelderMead,
  type Minimum,
  type NelderMeadOptions,
} from './optimize.js';
import { rng } from './testdata/rng.js';

describe('optimisers', () => {
  it.each([
    { x0: [0.5, 0.5], want: [0.3, 0.7] },
    { x0: [0.9, 0.1], want: [0.3, 0.7] },
  ])('Nelder-Mead finds a quadratic minimum from $x0', ({ x0, want }) => {
    const f = (x: Float64Array) => ((x[0] as number) - 0.3) ** 2 + 2 * ((x[1] as number) - 0.7) ** 2;
    const r = nelderMead(f, x0, { lower: [0, 0], upper: [1, 1], maxEvaluations: 400, tolerance: 1e-14 });
    expect(r.x[0]).toBeCloseTo(want[0] as number, 3);
    expect(r.x[1]).toBeCloseTo(want[1] as number, 3);
  });

  it('Nelder-Mead respects the box', () => {
    const r = nelderMead((x) => -(x[0] as number), [0.5], { lower: [0], upper: [0.8] });
    expect(r.x[0]).toBeLessThanOrEqual(0.8);
    expect(r.x[0]).toBeCloseTo(0.8, 6);
  });

  it('Nelder-Mead is deterministic and stops at the evaluation cap', () => {
    const f = (x: Float64Array) => Math.sin(10 * (x[0] as number)) + (x[1] as number) ** 2;
    const a = nelderMead(f, [0.2, 0.2], { lower: [0, 0], upper: [1, 1], maxEvaluations: 30 });
    const b = nelderMead(f, [0.2, 0.2], { lower: [0, 0], upper: [1, 1], maxEvaluations: 30 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(a.evaluations).toBeLessThanOrEqual(30 + 2);
  });

  it('golden section finds a 1-D minimum', () => {
    expect(goldenSection((x) => (x - 0.42) ** 2, 0, 1, 40).x[0]).toBeCloseTo(0.42, 6);
  });
});

/** The loop nelderMead was before it became a Search (main at e2abe26), with counters of its paths. */
function referenceNelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions,
  paths: Record<string, number>,
): Minimum {
  const hit = (k: string): void => void (paths[k] = (paths[k] ?? 0) + 1);
  const nonFinite = (v: number): number => (Number.isFinite(v) ? v : Number.MAX_VALUE);
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
    if (Math.abs(fw - fb) <= tolerance * (Math.abs(fb) + 1e-12)) {
      hit('converged');
      break;
    }
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
      hit('expand');
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
      hit('reflect');
      pw.set(xr);
      vals[worst] = fr;
      continue;
    }
    const outside = fr < fw;
    hit(outside ? 'outside' : 'inside');
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
    hit('shrink');
    const pb = pts[best] as Float64Array;
    for (let i = 0; i <= d; i++) {
      if (i === best) continue;
      const p = pts[i] as Float64Array;
      for (let j = 0; j < d; j++) p[j] = (pb[j] as number) + 0.5 * ((p[j] as number) - (pb[j] as number));
      vals[i] = evaluate(p);
      if (evaluations >= maxEvaluations) {
        hit('capInShrink');
        break;
      }
    }
  }
  sortSimplex();
  const b = order[0] as number;
  return { x: Float64Array.from(pts[b] as Float64Array), value: vals[b] as number, evaluations };
}

/** The golden-section loop before it became a Search. */
function referenceGolden(f: (x: number) => number, lo: number, hi: number, iterations: number): Minimum {
  const nonFinite = (v: number): number => (Number.isFinite(v) ? v : Number.MAX_VALUE);
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

/** Objectives of 1-4 parameters: smooth, rugged (shrinks), flat (converges), with NaN and infinite regions. */
function objectives(seed: number): { f: (x: Float64Array) => number; d: number }[] {
  const r = rng(seed);
  const out: { f: (x: Float64Array) => number; d: number }[] = [];
  for (let i = 0; i < 40; i++) {
    const d = 1 + (i % 4);
    const c = Array.from({ length: d }, () => r());
    const w = Array.from({ length: d }, () => 0.5 + 3 * r());
    const kind = i % 5;
    out.push({
      d,
      f: (x) => {
        let q = 0;
        for (let j = 0; j < d; j++) q += (w[j] as number) * ((x[j] as number) - (c[j] as number)) ** 2;
        switch (kind) {
          case 0:
            return q;
          case 1: // rugged: many local minima, contractions fail, the simplex shrinks
            return q + 0.3 * Math.abs(Math.sin(40 * (x[0] as number) * (1 + q)));
          case 2: // flat: converges well before the cap
            return Math.round(q * 4) / 4;
          case 3: // undefined in a corner
            return (x[0] as number) > 0.9 ? NaN : q;
          default:
            return (x[d - 1] as number) < 0.05 ? Infinity : Math.sqrt(q) + 1e-3 * Math.cos(17 * q);
        }
      },
    });
  }
  return out;
}

const bits = (m: Minimum): string => JSON.stringify([Array.from(m.x), m.value, m.evaluations]);

describe('searches', () => {
  it('NelderMeadSearch takes the path of the loop it replaced, bit for bit (every branch taken)', () => {
    const paths: Record<string, number> = {};
    let n = 0;
    for (const { f, d } of objectives(1)) {
      for (const maxEvaluations of [10 * d + 15, 7, 60 * d]) {
        const box = {
          lower: new Array<number>(d).fill(0),
          upper: new Array<number>(d).fill(1),
          maxEvaluations,
        };
        const x0 = new Array<number>(d).fill(0.2);
        expect(bits(nelderMead(f, x0, box))).toBe(bits(referenceNelderMead(f, x0, box, paths)));
        n++;
      }
    }
    expect(n).toBe(120);
    for (const k of ['expand', 'reflect', 'outside', 'inside', 'shrink', 'capInShrink', 'converged'])
      expect(paths[k], k).toBeGreaterThan(0);
  });

  it('GoldenSectionSearch gives the loop it replaced, bit for bit', () => {
    for (const { f } of objectives(2).filter((o) => o.d === 1))
      for (const iterations of [0, 1, 6, 28]) {
        const g = (v: number): number => f(Float64Array.of(v));
        expect(bits(goldenSection(g, 1e-4, 0.9999, iterations))).toBe(
          bits(referenceGolden(g, 1e-4, 0.9999, iterations)),
        );
      }
  });

  it('minimisePair ends each search where it ends alone, whichever stops first', () => {
    const fs = objectives(3);
    let paired = 0;
    for (let i = 0; i + 1 < fs.length; i++) {
      const a = fs[i] as { f: (x: Float64Array) => number; d: number };
      const b = fs[i + 1] as { f: (x: Float64Array) => number; d: number };
      const box = (d: number, cap: number) => ({
        lower: new Array<number>(d).fill(0),
        upper: new Array<number>(d).fill(1),
        maxEvaluations: cap,
      });
      const make = (o: typeof a, cap: number) =>
        o.d === 1 && i % 3 === 0
          ? new GoldenSectionSearch(0, 1, 20)
          : new NelderMeadSearch(new Array<number>(o.d).fill(0.3), box(o.d, cap));
      const alone = [minimise(make(a, 30), a.f), minimise(make(b, 45), b.f)];
      const both = minimisePair(make(a, 30), make(b, 45), a.f, b.f, (xa, xb, out) => {
        out[0] = a.f(xa);
        out[1] = b.f(xb);
        paired++;
      });
      expect(both.map(bits)).toEqual(alone.map(bits));
    }
    expect(paired).toBeGreaterThan(500);
  });
});
