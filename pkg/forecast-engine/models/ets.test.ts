import { describe, expect, it } from 'vitest';
import {
  ETS_FORMS,
  EtsFitter,
  LINEAR_TREND_MIN_VALUES,
  SEASONAL_INIT_MAX_SEASONS,
  linearTrendInit,
  normalEquations,
  refineSeasonalInit,
} from './ets.js';
import { rng } from '../testdata/rng.js';
import { estimateProfile, centredMovingAverage } from './season.js';

/** The bytes of an array (the predictions can be views of a shared buffer). */
const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const profile12 = [10, -5, 3, 8, -12, 0, 6, -4, -9, 2, 7, -6];
const clean = (n: number, mult: boolean): Float64Array =>
  Float64Array.from({ length: n }, (_, t) =>
    mult
      ? (200 + 2 * t) * (1 + (profile12[t % 12] as number) / 50)
      : 200 + 2 * t + (profile12[t % 12] as number),
  );

describe('exponential smoothing', () => {
  it('SES on a constant series forecasts the constant', () => {
    const y = new Float64Array(30).fill(42);
    const fit = new EtsFitter({ y, m: 1, fitEnd: 30 }).ses();
    expect(fit.model).toBe('ses');
    expect(fit.pred[30]).toBeCloseTo(42, 9);
  });

  it('damped Holt follows a straight line', () => {
    const y = Float64Array.from({ length: 40 }, (_, t) => 100 + 5 * t);
    const fit = new EtsFitter({ y, m: 1, fitEnd: 40 }).holt();
    expect(fit.model).toBe('holt');
    // Damping (phi <= 0.98) costs at most a fraction of one step's slope.
    expect(fit.pred[40]).toBeGreaterThan(100 + 5 * 40 - 1);
    expect(fit.pred[40]).toBeLessThan(100 + 5 * 40 + 0.5);
  });

  it.each([
    { mult: false, method: 'holtWintersAdditive' as const, model: 'holt_winters_additive' },
    { mult: true, method: 'holtWintersMultiplicative' as const, model: 'holt_winters_multiplicative' },
  ])('Holt-Winters ($model) recovers a clean seasonal pattern', ({ mult, method, model }) => {
    const y = clean(60, mult);
    const fitter = new EtsFitter({ y, m: 12, fitEnd: 48 });
    const fit = fitter[method]();
    expect(fit.model).toBe(model);
    const truth = clean(61, mult);
    // Out of sample (t >= 48) the one-step forecasts match the pattern to within 1%.
    for (let t = 48; t <= 60; t++)
      expect(Math.abs((fit.pred[t] as number) - (truth[t] as number))).toBeLessThan(
        0.01 * (truth[t] as number),
      );
  });

  it('AutoETS picks a seasonal form on a seasonal series and a non-seasonal one on noise-free level data', () => {
    const seasonal = new EtsFitter({ y: clean(60, false), m: 12, fitEnd: 60 }).auto();
    expect(seasonal.params.form as string).toMatch(/,A$|,M$/);
    const flat = new EtsFitter({
      y: Float64Array.from({ length: 60 }, (_, t) => 100 + (t % 2)),
      m: 12,
      fitEnd: 60,
    }).auto();
    expect(flat.model).toBe('ets');
  });

  it.each([
    {
      name: 'short series',
      y: clean(20, false),
      method: 'holtWintersAdditive' as const,
      model: 'holt',
      reason: /needs 24 values/,
    },
    {
      name: 'zeros',
      y: Float64Array.from(clean(60, false), (v, t) => (t === 5 ? 0 : v)),
      method: 'holtWintersMultiplicative' as const,
      model: 'holt_winters_additive',
      reason: /positive values/,
    },
    {
      name: 'one value',
      y: Float64Array.of(3),
      method: 'ses' as const,
      model: 'naive',
      reason: /needs 2 values/,
    },
  ])('falls back on $name', ({ y, method, model, reason }) => {
    const fit = new EtsFitter({ y, m: 12, fitEnd: y.length })[method]();
    expect(fit.model).toBe(model);
    expect(fit.fallbackReason).toMatch(reason);
  });
});

describe('linear trend (AAN)', () => {
  /** Weekly-like noisy line: 1000 + 8 t, noise +-15%. */
  const noisyLine = (n: number, seed = 3): Float64Array => {
    const next = rng(seed);
    return Float64Array.from({ length: n }, (_, t) => 1000 + 8 * t + 300 * (next() - 0.5));
  };

  it('solves the initial level and slope of an exact line', () => {
    const y = Float64Array.from({ length: 30 }, (_, t) => 100 + 5 * t);
    const s = linearTrendInit(y, 30, 0.3, 0.1);
    // The state before t = 0 that forecasts y[0] = 100 and keeps rising by 5.
    expect(s.l0).toBeCloseTo(95, 6);
    expect(s.b0).toBeCloseTo(5, 6);
    expect(s.sse).toBeLessThan(1e-6);
  });

  it('gives the least-squares initial state: any other start has a larger SSE', () => {
    const y = noisyLine(120);
    const alpha = 0.2;
    const beta = 0.05;
    const s = linearTrendInit(y, 120, alpha, beta);
    const sseFrom = (l0: number, b0: number): number => {
      let l = l0;
      let b = b0;
      let sse = 0;
      for (let t = 0; t < 120; t++) {
        const e = (y[t] as number) - (l + b);
        sse += e * e;
        l = l + b + alpha * e;
        b += beta * e;
      }
      return sse;
    };
    expect(sseFrom(s.l0, s.b0)).toBeCloseTo(s.sse, 3);
    for (const [dl, db] of [
      [5, 0],
      [-5, 0],
      [0, 0.5],
      [0, -0.5],
    ] as const)
      expect(sseFrom(s.l0 + dl, s.b0 + db)).toBeGreaterThan(s.sse);
  });

  it('AutoETS takes the linear trend on a long noisy line, and only from LINEAR_TREND_MIN_VALUES values', () => {
    const y = noisyLine(131);
    const fit = new EtsFitter({ y, m: 52, fitEnd: 130 }).auto();
    expect(fit.params.form).toBe('A,A,N');
    // The one-step forecast of bucket 130 stays on the line (1000 + 8 * 130 = 2040) within noise.
    expect(Math.abs((fit.pred[130] as number) - 2040)).toBeLessThan(60);
    const short = new EtsFitter({ y, m: 52, fitEnd: LINEAR_TREND_MIN_VALUES - 1 });
    expect(short.form('AAN')).toMatch(/needs 104 values/);
    expect(short.auto().params.form).not.toBe('A,A,N');
  });
});

describe('linear trend with a multiplicative season (AAM)', () => {
  it('AutoETS takes it on a steadily growing seasonal series, where the damped form flattens', () => {
    const next = rng(7);
    // Eight years of months: level 200 rising by 2 a month, season -24% to +20%, noise +-2%.
    const y = Float64Array.from(clean(97, true), (v) => v * (1 + 0.04 * (next() - 0.5)));
    const fitter = new EtsFitter({ y, m: 12, fitEnd: 84 });
    const fit = fitter.auto();
    expect(fit.params.form).toBe('A,A,M');
    expect(fit.params.phi).toBeUndefined();
    // Out of sample (t >= 84) the one-step forecasts stay within 3% of the noise-free series.
    const truth = clean(97, true);
    for (let t = 84; t <= 96; t++)
      expect(Math.abs((fit.pred[t] as number) - (truth[t] as number))).toBeLessThan(
        0.03 * (truth[t] as number),
      );
  });
});

describe('seasonal profile', () => {
  it('centred moving average of a 4-season removes the season (2 x 4 MA)', () => {
    const y = Float64Array.from([1, 5, 1, 5, 1, 5, 1, 5]);
    const ma = centredMovingAverage(y, 4, 8);
    expect(Array.from(ma.slice(2, 6))).toEqual([3, 3, 3, 3]);
    expect(Number.isNaN(ma[0])).toBe(true);
  });

  it('recovers an exact additive profile', () => {
    const p = estimateProfile(clean(48, false), 12, 48, false);
    expect(p).not.toBeNull();
    const mean = profile12.reduce((a, b) => a + b, 0) / 12;
    p?.values.forEach((v, i) => expect(v).toBeCloseTo((profile12[i] as number) - mean, 6));
  });

  it('smooths a long noisy season onto few harmonics', () => {
    let seed = 1;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 40;
    const y = Float64Array.from(
      { length: 156 },
      (_, t) => 1000 + 100 * Math.sin((2 * Math.PI * t) / 52) + noise(),
    );
    const p = estimateProfile(y, 52, 156, false);
    expect(p?.kind).toMatch(/^fourier\(\d\)$/);
    expect(p?.values[13]).toBeGreaterThan(80);
  });

  describe('fitted initial seasonal states', () => {
    /** SSE of the damped additive/multiplicative seasonal recursion from a given initial state (test copy). */
    const sseFrom = (
      y: Float64Array,
      mult: boolean,
      [alpha, beta, gamma, phi]: readonly number[],
      l0: number,
      b0: number,
      values: Float64Array,
    ): number => {
      const s = Float64Array.from(values);
      let l = l0;
      let b = b0;
      let sse = 0;
      for (let t = 0; t < y.length; t++) {
        const j = t % s.length;
        const sp = s[j] as number;
        const lb = l + (phi as number) * b;
        const e = (y[t] as number) - (mult ? lb * sp : lb + sp);
        sse += e * e;
        l = lb + ((alpha as number) * e) / (mult ? sp : 1);
        b = (phi as number) * b + ((beta as number) * e) / (mult ? sp : 1);
        s[j] = sp + ((gamma as number) * e) / (mult ? lb : 1);
      }
      return sse;
    };
    const par = [0.3, 0.02, 0.1, 0.95] as const;
    const noisy = (n: number, mult: boolean, seed: number): Float64Array => {
      const r = rng(seed);
      const c = clean(n, mult);
      return c.map((v) => v + 6 * (r() - 0.5));
    };
    const badStart = (mult: boolean) => ({
      l0: 190,
      b0: 1,
      values: Float64Array.from(profile12, (v, j) =>
        mult ? 1 + (v + (j % 3) - 1) / 60 : v * 0.6 + (j % 3) - 1,
      ),
    });

    it('recovers the initial state of an exactly additive series (the step is exact least squares)', () => {
      const truth = { l0: 200, b0: 2, values: Float64Array.from(profile12) };
      // The series the recursion itself produces without errors: each one-step prediction is the value.
      const y = new Float64Array(48);
      {
        const s = Float64Array.from(truth.values);
        let l = truth.l0;
        let b = truth.b0;
        for (let t = 0; t < 48; t++) {
          y[t] = l + par[3] * b + (s[t % 12] as number);
          l += par[3] * b;
          b *= par[3];
        }
      }
      const r = refineSeasonalInit(y, 48, true, 1, 12, ...par, badStart(false));
      expect(r).not.toBeNull();
      expect(r?.sse).toBeLessThan(1e-12);
      expect(r?.l0).toBeCloseTo(200, 6);
      expect(r?.b0).toBeCloseTo(2, 6);
      for (let j = 0; j < 12; j++) expect(r?.values[j]).toBeCloseTo(profile12[j] as number, 6);
    });

    it('gives the additive least-squares state: no level, slope or sum-zero seasonal change lowers the SSE', () => {
      const y = noisy(48, false, 5);
      const r = refineSeasonalInit(y, 48, true, 1, 12, ...par, badStart(false));
      expect(r).not.toBeNull();
      const { l0, b0, values, sse } = r as NonNullable<typeof r>;
      expect(sse).toBeCloseTo(sseFrom(y, false, par, l0, b0, values), 6);
      expect(sse).toBeLessThan(sseFrom(y, false, par, 190, 1, badStart(false).values));
      let sum = 0;
      for (const v of values) sum += v;
      expect(Math.abs(sum - badStart(false).values.reduce((a, v) => a + v, 0))).toBeLessThan(1e-9);
      for (const d of [0.05, -0.05]) {
        expect(sseFrom(y, false, par, l0 + d, b0, values)).toBeGreaterThan(sse);
        expect(sseFrom(y, false, par, l0, b0 + d, values)).toBeGreaterThan(sse);
        for (let j = 0; j < 11; j++) {
          const v = Float64Array.from(values);
          v[j] = (v[j] as number) + d;
          v[11] = (v[11] as number) - d;
          expect(sseFrom(y, false, par, l0, b0, v)).toBeGreaterThan(sse);
        }
      }
    });

    it('lowers the SSE of a multiplicative form and keeps the seasonal states averaging as before', () => {
      const y = noisy(48, true, 9);
      const start = badStart(true);
      const r = refineSeasonalInit(y, 48, true, 2, 12, ...par, start);
      expect(r).not.toBeNull();
      const before = sseFrom(y, true, par, start.l0, start.b0, start.values);
      expect(r?.sse).toBeLessThan(0.5 * before);
      expect(r?.sse).toBeCloseTo(sseFrom(y, true, par, r?.l0 ?? 0, r?.b0 ?? 0, r?.values ?? start.values), 6);
      const mean = (v: Float64Array): number => v.reduce((a, x) => a + x, 0) / v.length;
      expect(mean(r?.values ?? start.values)).toBeCloseTo(mean(start.values), 9);
    });

    it('is what the seasonal forms take on short windows when AICc prefers it, and not on long ones', () => {
      const short = noisy(60, false, 3);
      const fit = new EtsFitter({ y: short, m: 12, fitEnd: 48 }).holtWintersAdditive();
      expect(fit.params.seasonProfile).toMatch(/\+fitted$/);
      const long = noisy(12 * (SEASONAL_INIT_MAX_SEASONS + 2), false, 3);
      const fitLong = new EtsFitter({ y: long, m: 12, fitEnd: long.length - 12 }).holtWintersAdditive();
      expect(fitLong.params.seasonProfile).not.toMatch(/\+fitted$/);
    });

    it('keeps forecasts reproducible: the same input gives byte-identical fits', () => {
      const y = noisy(60, true, 11);
      const a = new EtsFitter({ y, m: 12, fitEnd: 48 }).auto();
      const b = new EtsFitter({ y, m: 12, fitEnd: 48 }).auto();
      expect(bytes(a.pred).equals(bytes(b.pred))).toBe(true);
      expect(a.params).toEqual(b.params);
    });
  });

  describe('fitPaired', () => {
    /** Every form's fit, and the fits the candidates take (fitted initial states included), as bytes and JSON. */
    const dump = (f: EtsFitter): string[] =>
      [
        ...ETS_FORMS.map((form) => f.form(form)),
        f.ses(),
        f.holt(),
        f.holtWintersAdditive(),
        f.holtWintersMultiplicative(),
        f.auto(),
      ].map((fit) =>
        typeof fit === 'string'
          ? fit
          : JSON.stringify([
              fit.model,
              fit.params,
              fit.aicc,
              fit.fallbackReason,
              bytes(fit.pred).toString('hex'),
            ]),
      );

    it('fits both windows exactly as one by one (multiplicative, additive, short, long, with a zero)', () => {
      const r = rng(5);
      const series = [
        clean(60, true).map((v) => v * (1 + 0.05 * (r() - 0.5))),
        clean(72, false).map((v) => v + 8 * (r() - 0.5)),
        clean(33, true).map((v) => v + 4 * (r() - 0.5)),
        clean(150, true).map((v) => v * (1 + 0.1 * (r() - 0.5))),
        clean(48, false).map((v, t) => (t === 20 ? 0 : v + 3 * (r() - 0.5))),
        // Values near 1e154, whose squared errors overflow for some parameters and not for others
        // (the searches see an infinite or NaN SSE as the largest value, paired or not: 68 of the
        // 526 evaluations of the first window pair).
        Float64Array.from(
          { length: 60 },
          (_, t) => 6e153 * (1 + 0.5 * Math.sin(t * 0.52)) * (1 + 0.4 * Math.sin(t * 2.1)),
        ),
      ];
      let compared = 0;
      for (const y of series) {
        const n = y.length;
        // The engine's two windows: before the selection origins and before the backtest origins.
        for (const [lo, end] of [
          [n - 24, n - 12],
          [n - 12, n - 12],
          [Math.floor(n / 3), n - 6],
        ] as const) {
          const pa = new EtsFitter({ y, m: 12, fitEnd: lo });
          const pb = new EtsFitter({ y, m: 12, fitEnd: end });
          EtsFitter.fitPaired(pa, pb);
          const alone = [
            dump(new EtsFitter({ y, m: 12, fitEnd: lo })),
            dump(new EtsFitter({ y, m: 12, fitEnd: end })),
          ];
          expect([dump(pa), dump(pb)]).toEqual(alone);
          compared += 2;
        }
      }
      expect(compared).toBe(36);
    });

    it('leaves forms already fitted as they are and fits the rest', () => {
      const y = clean(60, false).map((v, t) => v + Math.sin(t));
      const a = new EtsFitter({ y, m: 12, fitEnd: 36 });
      const b = new EtsFitter({ y, m: 12, fitEnd: 48 });
      const first = b.form('AAdA');
      EtsFitter.fitPaired(a, b);
      expect(b.form('AAdA')).toBe(first);
      expect(dump(a)).toEqual(dump(new EtsFitter({ y, m: 12, fitEnd: 36 })));
      expect(dump(b)).toEqual(dump(new EtsFitter({ y, m: 12, fitEnd: 48 })));
    });
  });

  it('normalEquations sums each entry as adding the outer products bucket by bucket does, bit for bit', () => {
    const r = rng(17);
    let checked = 0;
    for (let trial = 0; trial < 120; trial++) {
      const nd = 1 + (trial % 16);
      const end = trial % 7 === 0 ? 0 : 1 + Math.floor(r() * 70);
      const dfs = Float64Array.from({ length: end * nd }, () =>
        r() < 0.25 ? 0 : (r() - 0.5) * 10 ** Math.floor(r() * 6 - 3),
      );
      const es = Float64Array.from({ length: end }, () => (r() - 0.5) * 100);
      // As refineSeasonalInit summed them before: the upper triangle, bucket by bucket.
      const want = new Float64Array(nd * nd);
      const wantE = new Float64Array(nd);
      for (let t = 0; t < end; t++)
        for (let k = 0; k < nd; k++) {
          const a = dfs[t * nd + k] as number;
          if (a === 0) continue;
          wantE[k] = (wantE[k] as number) + a * (es[t] as number);
          for (let i = k; i < nd; i++)
            want[k * nd + i] = (want[k * nd + i] as number) + a * (dfs[t * nd + i] as number);
        }
      const ata = new Float64Array(nd * nd).fill(NaN);
      const ate = new Float64Array(nd).fill(NaN);
      normalEquations(dfs, es, end, nd, ata, ate);
      for (let k = 0; k < nd; k++) {
        expect(Object.is(ate[k], wantE[k])).toBe(true);
        for (let i = k; i < nd; i++) {
          expect(Object.is(ata[k * nd + i], want[k * nd + i]), `trial ${trial} (${k}, ${i})`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});
