import { describe, expect, it } from 'vitest';
import { bootstrapRatio, median, pooledWape } from './compare.js';

const score = (absError: number, absActual: number, mase: number | null = null) => ({
  sums: { count: 1, absError, absActual },
  mase,
});

describe('compare: before/after table helpers', () => {
  it('pools WAPE over series and skips series without origins', () => {
    expect(
      pooledWape([score(1, 10), score(3, 10), { sums: { count: 0, absError: 9, absActual: 9 }, mase: null }]),
    ).toBe(0.2);
    expect(pooledWape([])).toBeNull();
    expect(median([3, null, 1, 2])).toBe(2);
  });

  it('bootstraps the after/before ratio over series: a uniform 10% gain gives a tight interval at 0.9', () => {
    const same = Array.from({ length: 50 }, (_, i) => ({
      before: 10 + i,
      after: (10 + i) * 0.9,
      actual: 100,
    }));
    const ci = bootstrapRatio(same, 500) as [number, number];
    expect(ci[0]).toBeCloseTo(0.9, 9);
    expect(ci[1]).toBeCloseTo(0.9, 9);
    // A gain on one series only: the interval reaches 1 (most draws hold few copies of it).
    const one = same.map((p, i) => (i === 0 ? { ...p, after: 0 } : { ...p, after: p.before }));
    const ci1 = bootstrapRatio(one, 500) as [number, number];
    expect(ci1[1]).toBe(1);
    expect(ci1[0]).toBeLessThan(1);
    // Seeded: the same pairs give the same interval.
    expect(bootstrapRatio(one, 500)).toEqual(ci1);
  });
});
