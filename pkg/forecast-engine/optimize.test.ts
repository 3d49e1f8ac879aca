import { describe, expect, it } from 'vitest';
import { goldenSection, nelderMead } from './optimize.js';

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
