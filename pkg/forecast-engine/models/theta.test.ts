import { describe, expect, it } from 'vitest';
import { THETA_VARIANTS, fitTheta, seasonalityIsSignificant, trendLine, type ThetaVariant } from './theta.js';

/** The bytes of an array (the predictions can be views of a shared buffer). */
const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Deterministic noise in [-6, 6) (sum of three mulberry32 draws), so the tests never depend on a seed library. */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => (next() + next() + next() - 1.5) * 4;
}

/** Mean absolute one-step error of a fit over [from, y.length): the backtest's errors. */
function mae(y: Float64Array, pred: Float64Array, from: number): number {
  let s = 0;
  for (let t = from; t < y.length; t++) s += Math.abs((y[t] as number) - (pred[t] as number));
  return s / (y.length - from);
}

const only = (y: Float64Array, fitEnd: number, v: ThetaVariant) => fitTheta({ y, m: 1, fitEnd }, [v]);

describe('theta', () => {
  it('on a straight line forecasts the line: the optimised theta weights the full drift', () => {
    const y = Float64Array.from({ length: 50 }, (_, t) => 10 + 2 * t);
    const fit = fitTheta({ y, m: 1, fitEnd: 50 });
    expect(fit.params.drift).toBeCloseTo(2, 9);
    expect(fit.pred[50]).toBeCloseTo(110, 3);
    // The standard method (theta = 2) only adds half the drift: it lags the line.
    const stm = fitTheta({ y, m: 1, fitEnd: 50 }, ['stm']);
    expect(stm.params.theta).toBe(2);
    expect(stm.pred[50]).toBeLessThan(109.5);
  });

  it('the optimised theta beats theta = 2 out of sample on a strong trend, and is the one chosen', () => {
    const e = noise(7);
    const y = Float64Array.from({ length: 80 }, (_, t) => 100 + 5 * t + e());
    const fitEnd = 56;
    const stm = only(y, fitEnd, 'stm');
    const otm = only(y, fitEnd, 'otm');
    expect(otm.params.theta === 'infinity' || (otm.params.theta as number) > 3).toBe(true);
    expect(mae(y, otm.pred, fitEnd)).toBeLessThan(0.7 * mae(y, stm.pred, fitEnd));
    const chosen = fitTheta({ y, m: 1, fitEnd });
    expect(chosen.params.variant).toBe('otm');
    expect(Array.from(chosen.pred)).toEqual(Array.from(otm.pred));
  });

  it('the dynamic trend line follows a level shift after the fitting window; the static one cannot', () => {
    const e = noise(11);
    // Flat while fitting (the static line's slope is ~0); the level jumps by 60% at t = 75.
    const y = Float64Array.from({ length: 100 }, (_, t) => (t < 75 ? 100 : 160) + e());
    const fitEnd = 70;
    const stm = only(y, fitEnd, 'stm');
    const dstm = only(y, fitEnd, 'dstm');
    expect(mae(y, dstm.pred, fitEnd)).toBeLessThan(0.3 * mae(y, stm.pred, fitEnd));
    // Honest: the dynamic line before the shift does not see it.
    const cut = only(y.slice(0, 75), fitEnd, 'dstm');
    for (let t = fitEnd; t <= 75; t++) expect(cut.pred[t]).toBe(dstm.pred[t]);
  });

  it('the trend line is the least-squares line over the times 1..n', () => {
    const e = noise(3);
    const y = Float64Array.from({ length: 40 }, (_, t) => 50 + 0.7 * t + e());
    const line = trendLine(y, 40);
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let t = 0; t < 40; t++) {
      const s = t + 1;
      sx += s;
      sy += y[t] as number;
      sxx += s * s;
      sxy += s * (y[t] as number);
    }
    const b = (40 * sxy - sx * sy) / (40 * sxx - sx * sx);
    expect(line.b).toBeCloseTo(b, 10);
    expect(line.a).toBeCloseTo(sy / 40 - b * 20.5, 8);
  });

  it('fits on y[0..fitEnd) only: later values change no fitted parameter, only the rolled state', () => {
    const e = noise(5);
    const y = Float64Array.from({ length: 90 }, (_, t) => 80 + 2 * t + e());
    const z = Float64Array.from(y, (v, t) => (t >= 60 ? v * 3 : v));
    for (const v of THETA_VARIANTS) {
      const a = only(y, 60, v);
      const b = only(z, 60, v);
      expect(b.params, v).toEqual(a.params);
      for (let t = 1; t <= 60; t++) expect(b.pred[t], `${v} ${t}`).toBe(a.pred[t]);
      expect(b.pred[61], v).not.toBe(a.pred[61]);
    }
  });

  it('is deterministic: the same input gives the same predictions bit for bit', () => {
    const e = noise(9);
    const y = Float64Array.from({ length: 120 }, (_, t) => 200 + 20 * Math.sin(t / 5) + t + e());
    const a = fitTheta({ y, m: 12, fitEnd: 96 });
    const b = fitTheta({ y: Float64Array.from(y), m: 12, fitEnd: 96 });
    expect(bytes(b.pred).equals(bytes(a.pred))).toBe(true);
    expect(b.params).toEqual(a.params);
  });

  it.each([
    {
      name: 'seasonal',
      y: Array.from({ length: 48 }, (_, t) => 100 + 30 * Math.sin((2 * Math.PI * t) / 12)),
      m: 12,
      want: true,
    },
    { name: 'linear', y: Array.from({ length: 48 }, (_, t) => t % 5), m: 12, want: false },
    { name: 'too short', y: Array.from({ length: 20 }, (_, t) => t % 12), m: 12, want: false },
  ])('seasonality test: $name', ({ y, m, want }) => {
    expect(seasonalityIsSignificant(Float64Array.from(y), m, y.length)).toBe(want);
  });

  it('deseasonalises a seasonal series and reseasonalises the forecast', () => {
    const y = Float64Array.from({ length: 60 }, (_, t) => 100 * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)));
    const fit = fitTheta({ y, m: 12, fitEnd: 48 });
    expect(fit.params.seasonal).toBe('multiplicative');
    expect(fit.pred[60]).toBeCloseTo(100, 0);
    expect(fit.pred[63]).toBeUndefined();
  });

  it('falls back to naive below three values', () => {
    expect(fitTheta({ y: Float64Array.of(1, 2), m: 1, fitEnd: 2 }).model).toBe('naive');
  });
});
