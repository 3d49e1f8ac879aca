import { describe, expect, it } from 'vitest';
import { canonicalJson, inputHash } from './hash.js';

const base = {
  bucketType: 'WEEK' as const,
  values: [1, 2, 3],
  model: 'ses',
  modelVersion: '1.0.0',
  origins: 26,
  selectionOrigins: 26,
};

describe('canonical serialisation', () => {
  it.each([
    { value: { b: 1, a: [2, -0, NaN] }, want: '{"a":[2,0,null],"b":1}' },
    { value: Float64Array.of(0.1, 1e21), want: '[0.1,1e+21]' },
    { value: { x: undefined, y: 'é"' }, want: '{"y":"é\\""}' },
  ])('serialises $value', ({ value, want }) => {
    expect(canonicalJson(value)).toBe(want);
  });

  it('hash is stable and depends on every part of the input', () => {
    const h = inputHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(inputHash({ ...base, values: Float64Array.of(1, 2, 3) })).toBe(h);
    for (const change of [
      { bucketType: 'MONTH' as const },
      { values: [1, 2, 4] },
      { model: 'holt' },
      { modelVersion: '1.0.1' },
      { origins: 12 },
      { selectionOrigins: 13 },
      { start: '2024-01-01' },
    ])
      expect(inputHash({ ...base, ...change })).not.toBe(h);
  });
});
