import { describe, expect, it } from 'vitest';
import { EtsFitter } from './ets.js';
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
