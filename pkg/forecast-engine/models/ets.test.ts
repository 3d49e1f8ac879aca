import { describe, expect, it } from 'vitest';
import { EtsFitter, LINEAR_TREND_MIN_VALUES, linearTrendInit } from './ets.js';
import { rng } from '../testdata/rng.js';
import { estimateProfile, centredMovingAverage } from './season.js';

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
});
