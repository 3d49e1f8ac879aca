import { describe, expect, it } from 'vitest';
import { compareCeiling } from './compare-scale.js';

describe('compareCeiling', () => {
  const history = [120_000, 250_000, 180_000];

  it("leaves another model's wide 95% whisker out, so the history keeps the chart's height", () => {
    const naive = { point: 260_000, hi80: 620_000, hi95: 2_400_000, role: 'other' as const };
    const ets = { point: 134_000, hi80: 235_000, hi95: 280_000, role: 'used' as const };
    // The 80% range of every model and the 95% of the one in use are inside; naive's 95% is not.
    expect(compareCeiling(history, [naive, ets])).toBe(1_000_000);
    expect(compareCeiling(history, [{ ...naive, hi80: 300_000 }, ets])).toBe(500_000);
  });

  it("keeps the best and the used model's 95% ranges whole", () => {
    const winner = { point: 200_000, hi80: 260_000, hi95: 900_000, role: 'winner' as const };
    expect(compareCeiling(history, [winner])).toBe(1_000_000);
    expect(compareCeiling(history, [{ ...winner, role: 'other' }])).toBe(500_000);
  });

  it('has a positive maximum without data', () => {
    expect(compareCeiling([], [])).toBe(1);
  });
});
