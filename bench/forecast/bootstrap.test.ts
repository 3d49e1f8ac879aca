import { describe, expect, it } from 'vitest';
import { bootstrapInterval, sampleMedian } from './bootstrap.js';

describe('bootstrapInterval', () => {
  it('is a point where every resample gives the same value, and wide where one item decides', () => {
    expect(bootstrapInterval(30, () => 0.9, 200)).toEqual([0.9, 0.9]);
    // The mean of 0/1 items where one item is 1: draws holding no copy give 0, some give 2/20.
    const xs = Array.from({ length: 20 }, (_, i) => (i === 0 ? 1 : 0));
    const mean = (s: Int32Array): number => [...s].reduce((t, i) => t + (xs[i] as number), 0) / s.length;
    const ci = bootstrapInterval(xs.length, mean, 1000) as [number, number];
    expect(ci[0]).toBe(0);
    expect(ci[1]).toBeGreaterThanOrEqual(0.1);
    expect(ci[1]).toBeLessThan(0.25);
  });

  it('is seeded, skips resamples it cannot score and gives up below two items or half the draws', () => {
    const stat = (s: Int32Array): number => s.reduce((t, i) => t + i * i, 0) / s.length;
    expect(bootstrapInterval(10, stat, 300)).toEqual(bootstrapInterval(10, stat, 300));
    expect(bootstrapInterval(10, stat, 300, 1)).not.toEqual(bootstrapInterval(10, stat, 300, 2));
    expect(bootstrapInterval(1, stat)).toBeNull();
    expect(bootstrapInterval(10, (s) => ((s[0] as number) < 2 ? null : 1), 400)).toEqual([1, 1]);
    expect(bootstrapInterval(10, () => null, 100)).toBeNull();
  });
});

describe('sampleMedian', () => {
  it('reads the values of the sample, repeats included, skipping nulls', () => {
    const v = [5, null, 1, 3];
    expect(sampleMedian(Int32Array.from([0, 2, 3]), (i) => v[i] ?? null)).toBe(3);
    expect(sampleMedian(Int32Array.from([2, 2, 0, 3]), (i) => v[i] ?? null)).toBe(2);
    expect(sampleMedian(Int32Array.from([1, 1]), (i) => v[i] ?? null)).toBeNull();
  });
});
