import { describe, expect, it } from 'vitest';
import { createPrng, hashKey, seedTag } from './prng.js';

const draw = (n: number, ...key: (string | number)[]) => {
  const rng = createPrng(...key);
  return Array.from({ length: n }, () => rng.next());
};

describe('prng', () => {
  it('repeats the same sequence for the same key', () => {
    expect(draw(100, 'seed', 'a', 1)).toEqual(draw(100, 'seed', 'a', 1));
  });

  it.each([
    [
      ['seed', 'a', 1],
      ['seed', 'a', 2],
    ],
    [
      ['seed', 'a', 1],
      ['other', 'a', 1],
    ],
    [
      ['ab', 'c'],
      ['a', 'bc'],
    ],
  ])('gives different sequences for keys %j and %j', (a, b) => {
    expect(draw(10, ...a)).not.toEqual(draw(10, ...b));
  });

  it('keeps int() inside its inclusive bounds and reaches both ends', () => {
    const rng = createPrng('bounds');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = rng.int(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it.each([0.5, 4, 29, 31, 400])('draws Poisson deviates with mean about %s', (lambda) => {
    const rng = createPrng('poisson', lambda);
    let sum = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) sum += rng.poisson(lambda);
    expect(sum / n).toBeGreaterThan(lambda * 0.95 - 0.02);
    expect(sum / n).toBeLessThan(lambda * 1.05 + 0.02);
  });

  it('picks weighted indexes in proportion to their weights and never a zero weight', () => {
    const rng = createPrng('weighted');
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[rng.weighted([1, 0, 3])]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.7);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.3);
  });

  it('hashes keys to four 32-bit words and tags seeds with six hex digits', () => {
    for (const w of hashKey('x', 1)) expect(w >>> 0).toBe(w);
    expect(seedTag('catcast')).toMatch(/^[0-9a-f]{6}$/);
    expect(seedTag('catcast')).not.toBe(seedTag('catcast2'));
  });
});
