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

/**
 * A minimisation that asks for one point at a time: `ask()` is the next point to evaluate (null when
 * the search is done), `tell(value)` its value. The same search driven by a function (minimise) or
 * alongside another one (minimisePair, whose two objectives are evaluated in one pass) takes the
 * same path and ends at the same minimum.
 */
export interface Search {
  /** The next point to evaluate (valid until tell), or null when the search is done. */
  ask(): Float64Array | null;
  /** The objective's value at the point ask returned. */
  tell(value: number): void;
  /** The minimum found; call when ask returns null. */
  result(): Minimum;
}

/** Runs a search with f. */
export function minimise(search: Search, f: (x: Float64Array) => number): Minimum {
  for (let x = search.ask(); x !== null; x = search.ask()) search.tell(f(x));
  return search.result();
}

/**
 * Runs two searches side by side: while both ask for a point, f2 evaluates the two at once (writing
 * their values to out[0] and out[1]); then the one left runs on with its own objective. Each search
 * sees exactly the values its objective gives, so it ends where it would alone.
 */
export function minimisePair(
  a: Search,
  b: Search,
  fa: (x: Float64Array) => number,
  fb: (x: Float64Array) => number,
  f2: (xa: Float64Array, xb: Float64Array, out: Float64Array) => void,
): [Minimum, Minimum] {
  const out = new Float64Array(2);
  let xa = a.ask();
  let xb = b.ask();
  while (xa !== null && xb !== null) {
    f2(xa, xb, out);
    a.tell(out[0] as number);
    b.tell(out[1] as number);
    xa = a.ask();
    xb = b.ask();
  }
  return [xa === null ? a.result() : minimise(a, fa), xb === null ? b.result() : minimise(b, fb)];
}

/** Where a NelderMeadSearch is: which point it waits for the value of. */
const enum Step {
  Initial,
  Reflect,
  Expand,
  Contract,
  Shrink,
  Done,
}

/**
 * The Nelder-Mead simplex method over a box, starting at x0, as a Search (see nelderMead). Fixed
 * start, steps and evaluation cap: the same objective always takes the same path.
 */
export class NelderMeadSearch implements Search {
  private readonly d: number;
  private readonly lower: ArrayLike<number>;
  private readonly upper: ArrayLike<number>;
  private readonly maxEvaluations: number;
  private readonly tolerance: number;
  private evaluations = 0;
  /** Simplex of d+1 points; each extra vertex moves one coordinate inward from x0. */
  private readonly pts: Float64Array[] = [];
  private readonly vals: Float64Array;
  private readonly order: Int32Array;
  private readonly centroid: Float64Array;
  private readonly xr: Float64Array;
  private readonly xe: Float64Array;
  private readonly xc: Float64Array;
  private step = Step.Initial;
  /** The vertex being evaluated (Initial, Shrink). */
  private i = 0;
  private best = 0;
  private worst = 0;
  private second = 0;
  private fb = 0;
  private fw = 0;
  private fr = 0;
  private outside = false;

  constructor(x0: ArrayLike<number>, options: NelderMeadOptions) {
    const d = x0.length;
    this.d = d;
    this.lower = options.lower;
    this.upper = options.upper;
    this.maxEvaluations = options.maxEvaluations ?? 60 * d;
    this.tolerance = options.tolerance ?? 1e-7;
    this.vals = new Float64Array(d + 1);
    this.order = new Int32Array(d + 1);
    this.centroid = new Float64Array(d);
    this.xr = new Float64Array(d);
    this.xe = new Float64Array(d);
    this.xc = new Float64Array(d);
    const p0 = this.clamp(Float64Array.from(x0));
    this.pts.push(p0);
    for (let i = 0; i < d; i++) {
      const p = Float64Array.from(p0);
      const lo = this.lower[i] as number;
      const hi = this.upper[i] as number;
      const step = options.step ? (options.step[i] as number) : 0.1 * (hi - lo);
      const v = (p[i] as number) + step;
      p[i] = v > hi ? (p[i] as number) - step : v;
      this.pts.push(this.clamp(p));
    }
  }

  private clamp(x: Float64Array): Float64Array {
    for (let i = 0; i < this.d; i++) {
      const lo = this.lower[i] as number;
      const hi = this.upper[i] as number;
      const v = x[i] as number;
      x[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return x;
  }

  private sortSimplex(): void {
    const { d, order, vals } = this;
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
  }

  ask(): Float64Array | null {
    switch (this.step) {
      case Step.Initial:
      case Step.Shrink:
        return this.pts[this.i] as Float64Array;
      case Step.Reflect:
        return this.xr;
      case Step.Expand:
        return this.xe;
      case Step.Contract:
        return this.xc;
      case Step.Done:
        return null;
    }
  }

  tell(value: number): void {
    this.evaluations++;
    const v = nonFinite(value);
    const { d, vals } = this;
    switch (this.step) {
      case Step.Initial:
        vals[this.i] = v;
        if (++this.i > d) this.iterate();
        return;
      case Step.Reflect: {
        const fr = v;
        this.fr = fr;
        const pw = this.pts[this.worst] as Float64Array;
        if (fr < this.fb) {
          const { xe, centroid } = this;
          for (let j = 0; j < d; j++) xe[j] = 3 * (centroid[j] as number) - 2 * (pw[j] as number);
          this.clamp(xe);
          this.step = Step.Expand;
          return;
        }
        if (fr < (vals[this.second] as number)) {
          pw.set(this.xr);
          vals[this.worst] = fr;
          this.iterate();
          return;
        }
        // Contraction: outside when the reflection improved on the worst point, inside otherwise.
        const outside = fr < this.fw;
        this.outside = outside;
        const { xc, xr, centroid } = this;
        for (let j = 0; j < d; j++) {
          const c = centroid[j] as number;
          xc[j] = outside ? c + 0.5 * ((xr[j] as number) - c) : c + 0.5 * ((pw[j] as number) - c);
        }
        this.clamp(xc);
        this.step = Step.Contract;
        return;
      }
      case Step.Expand: {
        const pw = this.pts[this.worst] as Float64Array;
        if (v < this.fr) {
          pw.set(this.xe);
          vals[this.worst] = v;
        } else {
          pw.set(this.xr);
          vals[this.worst] = this.fr;
        }
        this.iterate();
        return;
      }
      case Step.Contract: {
        if (v < (this.outside ? this.fr : this.fw)) {
          (this.pts[this.worst] as Float64Array).set(this.xc);
          vals[this.worst] = v;
          this.iterate();
          return;
        }
        // Shrink towards the best vertex.
        this.i = -1;
        this.nextShrink();
        return;
      }
      case Step.Shrink:
        vals[this.i] = v;
        if (this.evaluations >= this.maxEvaluations) this.iterate();
        else this.nextShrink();
        return;
      case Step.Done:
        throw new Error('the search is done');
    }
  }

  /** Moves the next vertex but the best halfway towards the best and asks for it; iterates after the last. */
  private nextShrink(): void {
    const { d, best } = this;
    let i = this.i + 1;
    if (i === best) i++;
    if (i > d) {
      this.iterate();
      return;
    }
    const pb = this.pts[best] as Float64Array;
    const p = this.pts[i] as Float64Array;
    for (let j = 0; j < d; j++) p[j] = (pb[j] as number) + 0.5 * ((p[j] as number) - (pb[j] as number));
    this.i = i;
    this.step = Step.Shrink;
  }

  /** The top of an iteration: stops at the cap or on convergence, else asks for the reflection. */
  private iterate(): void {
    if (this.evaluations >= this.maxEvaluations) {
      this.step = Step.Done;
      return;
    }
    this.sortSimplex();
    const { d, order, vals, centroid, xr } = this;
    const best = order[0] as number;
    const worst = order[d] as number;
    this.best = best;
    this.worst = worst;
    this.second = order[d - 1] as number;
    const fb = vals[best] as number;
    const fw = vals[worst] as number;
    this.fb = fb;
    this.fw = fw;
    if (Math.abs(fw - fb) <= this.tolerance * (Math.abs(fb) + 1e-12)) {
      this.step = Step.Done;
      return;
    }
    centroid.fill(0);
    for (let i = 0; i <= d; i++) {
      if (i === worst) continue;
      const p = this.pts[i] as Float64Array;
      for (let j = 0; j < d; j++) centroid[j] = (centroid[j] as number) + (p[j] as number) / d;
    }
    const pw = this.pts[worst] as Float64Array;
    for (let j = 0; j < d; j++) xr[j] = 2 * (centroid[j] as number) - (pw[j] as number);
    this.clamp(xr);
    this.step = Step.Reflect;
  }

  result(): Minimum {
    this.sortSimplex();
    const b = this.order[0] as number;
    return {
      x: Float64Array.from(this.pts[b] as Float64Array),
      value: this.vals[b] as number,
      evaluations: this.evaluations,
    };
  }
}

/** Minimises f over a box with the Nelder-Mead simplex method, starting at x0. */
export function nelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions,
): Minimum {
  return minimise(new NelderMeadSearch(x0, options), f);
}

/** 1 / golden ratio. */
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** Golden-section search on [lo, hi] with a fixed number of steps, as a Search (see goldenSection). */
export class GoldenSectionSearch implements Search {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private fc = 0;
  private fd = 0;
  private i = 0;
  private evaluations = 0;
  /** 0: waits for f(c) of the start, 1: for f(d) of the start, 2: for a new f(c), 3: for a new f(d), 4: done. */
  private step = 0;
  private readonly point = new Float64Array(1);

  constructor(
    lo: number,
    hi: number,
    private readonly iterations = 30,
  ) {
    this.a = lo;
    this.b = hi;
    this.c = hi - GOLDEN * (hi - lo);
    this.d = lo + GOLDEN * (hi - lo);
  }

  ask(): Float64Array | null {
    if (this.step === 4) return null;
    this.point[0] = this.step === 0 || this.step === 2 ? this.c : this.d;
    return this.point;
  }

  tell(value: number): void {
    const v = nonFinite(value);
    this.evaluations++;
    switch (this.step) {
      case 0:
        this.fc = v;
        this.step = 1;
        return;
      case 1:
        this.fd = v;
        break;
      case 2:
        this.fc = v;
        this.i++;
        break;
      case 3:
        this.fd = v;
        this.i++;
        break;
      default:
        throw new Error('the search is done');
    }
    if (this.i >= this.iterations) {
      this.step = 4;
      return;
    }
    if (this.fc <= this.fd) {
      this.b = this.d;
      this.d = this.c;
      this.fd = this.fc;
      this.c = this.b - GOLDEN * (this.b - this.a);
      this.step = 2;
    } else {
      this.a = this.c;
      this.c = this.d;
      this.fc = this.fd;
      this.d = this.a + GOLDEN * (this.b - this.a);
      this.step = 3;
    }
  }

  result(): Minimum {
    const { c, d, fc, fd } = this;
    return { x: Float64Array.of(fc <= fd ? c : d), value: Math.min(fc, fd), evaluations: this.evaluations };
  }
}

/** Minimises a one-dimensional f on [lo, hi] by golden-section search with a fixed number of steps. */
export function goldenSection(f: (x: number) => number, lo: number, hi: number, iterations = 30): Minimum {
  return minimise(new GoldenSectionSearch(lo, hi, iterations), (x) => f(x[0] as number));
}
