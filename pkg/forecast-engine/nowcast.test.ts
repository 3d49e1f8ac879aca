import { describe, expect, it } from 'vitest';
import { elapsedShare, nowcast, shareSpread } from './nowcast.js';

const f = { point: 1000, lo80: 800, hi80: 1300, lo95: 600, hi95: 1600 };

describe('nowcast', () => {
  it('is the forecast before anything elapsed and the sales once everything has', () => {
    expect(nowcast(0, 0, f)).toEqual(f);
    const done = nowcast(1234, 1, f);
    expect(done).toEqual({ point: 1234, lo80: 1234, hi80: 1234, lo95: 1234, hi95: 1234 });
  });

  it('adds the forecast of the part still to come to what was sold', () => {
    // 40% elapsed, 500 sold (more than the 400 the forecast expected by now): 500 + 0.6 × 1000.
    const n = nowcast(500, 0.4, f);
    expect(n.point).toBeCloseTo(1100, 9);
    // The interval keeps the forecast's asymmetry, narrowed by √0.6.
    const g = Math.sqrt(0.6);
    expect(n.lo80).toBeCloseTo(1100 - 200 * g, 9);
    expect(n.hi80).toBeCloseTo(1100 + 300 * g, 9);
    expect(n.lo95).toBeCloseTo(1100 - 400 * g, 9);
    expect(n.hi95).toBeCloseTo(1100 + 600 * g, 9);
  });

  it('never puts the lower bound below what has been sold', () => {
    const n = nowcast(900, 0.2, { point: 100, lo80: 0, hi80: 300, lo95: 0, hi95: 500 });
    expect(n.lo95).toBe(900);
    expect(n.lo80).toBe(900);
    expect(n.point).toBeCloseTo(980, 9);
    expect(n.hi95).toBeGreaterThan(n.hi80);
  });

  it('keeps the bounds ordered around the point for an interval that does not hold its point', () => {
    const n = nowcast(10, 0.5, { point: 100, lo80: 120, hi80: 90, lo95: 130, hi95: 80 });
    expect(n.lo95).toBeLessThanOrEqual(n.point);
    expect(n.lo80).toBeLessThanOrEqual(n.point);
    expect(n.hi80).toBeGreaterThanOrEqual(n.point);
    expect(n.hi95).toBeGreaterThanOrEqual(n.point);
  });

  it('widens the interval for a share that varies between reference periods', () => {
    const narrow = nowcast(500, 0.4, f);
    // spread 0.05 of a 1000 forecast, half weight: 0.5 x 1.2816 x 50 = 32.04 at 80%, 49 at 95%.
    const wide = nowcast(500, 0.4, f, 0.05);
    expect(wide.point).toBe(narrow.point);
    const g = Math.sqrt(0.6);
    expect(wide.lo80).toBeCloseTo(1100 - Math.hypot(200 * g, 32.04), 9);
    expect(wide.hi80).toBeCloseTo(1100 + Math.hypot(300 * g, 32.04), 9);
    expect(wide.hi95).toBeCloseTo(1100 + Math.hypot(600 * g, 49), 9);
    // With nothing left to come the total is known, however the references varied.
    expect(nowcast(1000, 1, f, 0.05)).toEqual({
      point: 1000,
      lo80: 1000,
      hi80: 1000,
      lo95: 1000,
      hi95: 1000,
    });
  });

  it('refuses a share outside [0, 1] and a negative amount sold', () => {
    expect(() => nowcast(0, 1.2, f)).toThrow(/share must be within/);
    expect(() => nowcast(0, Number.NaN, f)).toThrow(/share must be within/);
    expect(() => nowcast(-1, 0.5, f)).toThrow(/soFar must be/);
    expect(() => nowcast(1, 0.5, f, -0.1)).toThrow(/spread must be/);
  });
});

describe('elapsedShare', () => {
  it('is the mean of the recent periods’ pooled share and last year’s', () => {
    expect(elapsedShare({ elapsed: 30, total: 100 }, { elapsed: 50, total: 100 })).toBeCloseTo(0.4, 12);
  });

  it('leaves out a reference that sold nothing, and is null when neither sold', () => {
    expect(elapsedShare({ elapsed: 30, total: 100 }, { elapsed: 0, total: 0 })).toBeCloseTo(0.3, 12);
    expect(elapsedShare({ elapsed: 0, total: 0 }, { elapsed: 5, total: 20 })).toBeCloseTo(0.25, 12);
    expect(elapsedShare({ elapsed: 0, total: 0 }, { elapsed: 0, total: 0 })).toBeNull();
  });

  it('is clamped to [0, 1] (refunds can make a part larger than its whole)', () => {
    expect(elapsedShare({ elapsed: 130, total: 100 }, { elapsed: 0, total: 0 })).toBe(1);
    expect(elapsedShare({ elapsed: -10, total: 100 }, { elapsed: 0, total: 0 })).toBe(0);
  });
});

describe('shareSpread', () => {
  it('is the sample standard deviation of the shares, 0 with fewer than two', () => {
    expect(shareSpread([0.2, 0.4])).toBeCloseTo(Math.SQRT1_2 * 0.2, 12);
    expect(shareSpread([0.3])).toBe(0);
    expect(shareSpread([])).toBe(0);
  });
});
