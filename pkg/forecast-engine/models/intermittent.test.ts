import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitCrostonSba, fitTsb } from './intermittent.js';

const input = (values: number[]) => ({ y: Float64Array.from(values), m: 52, fitEnd: values.length });

describe('Croston-SBA', () => {
  it('matches a hand-computed forecast', () => {
    // Demands 3 (after 3 buckets), 5 (after 2), 4 (after 4); alpha = 0.1:
    // z: 3 -> 3 + 0.1 * (5 - 3) = 3.2 -> 3.2 + 0.1 * (4 - 3.2) = 3.28
    // p: 3 -> 3 + 0.1 * (2 - 3) = 2.9 -> 2.9 + 0.1 * (4 - 2.9) = 3.01
    // forecast = (1 - 0.05) * 3.28 / 3.01
    const fit = fitCrostonSba(input([0, 0, 3, 0, 5, 0, 0, 0, 4]));
    expect(fit.pred[9]).toBeCloseTo((0.95 * 3.28) / 3.01, 12);
    expect(fit.pred[3]).toBeCloseTo(0.95, 12); // after the first demand: 0.95 * 3 / 3
    expect(fit.pred[5]).toBeCloseTo((0.95 * 3.2) / 2.9, 12);
    expect(fit.pred[0]).toBe(0);
  });

  it('forecasts 0 without any demand', () => {
    expect(fitCrostonSba(input([0, 0, 0, -5])).pred[4]).toBe(0);
  });
});

describe('TSB', () => {
  it('forecasts probability times size on a regular series', () => {
    // Demand of 10 every other bucket: probability ~0.5, size 10.
    const fit = fitTsb(input(Array.from({ length: 60 }, (_, t) => (t % 2 === 0 ? 10 : 0))));
    expect(fit.pred[60]).toBeGreaterThan(3.5);
    expect(fit.pred[60]).toBeLessThan(6.5);
  });

  it('never forecasts below zero, whatever the input', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 200 }), { minLength: 1, maxLength: 80 }), (values) => {
        for (const f of [fitTsb(input(values)), fitCrostonSba(input(values))]) {
          for (const p of f.pred) expect(p).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});
