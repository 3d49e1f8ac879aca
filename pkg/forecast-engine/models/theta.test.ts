import { describe, expect, it } from 'vitest';
import { fitTheta, seasonalityIsSignificant } from './theta.js';

describe('theta', () => {
  it('on a straight line forecasts between SES and the line (half the drift)', () => {
    const y = Float64Array.from({ length: 50 }, (_, t) => 10 + 2 * t);
    const fit = fitTheta({ y, m: 1, fitEnd: 50 });
    expect(fit.params.drift).toBeCloseTo(2, 9);
    // With alpha ~1 the level is the last value and the drift adds b/2 / alpha.
    expect(fit.pred[50]).toBeGreaterThan(108);
    expect(fit.pred[50]).toBeLessThanOrEqual(110.01);
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
