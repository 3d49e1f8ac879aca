import { describe, expect, it } from 'vitest';
import { scratchF64 } from './scratch.js';

describe('scratchF64', () => {
  it('returns the same buffer until a larger size is asked for, then a larger one', () => {
    const buf = scratchF64();
    const a = buf(10);
    expect(a.length).toBeGreaterThanOrEqual(10);
    a[3] = 7;
    expect(buf(5)).toBe(a);
    expect(buf(10)[3]).toBe(7);
    const b = buf(11);
    expect(b).not.toBe(a);
    expect(b.length).toBeGreaterThanOrEqual(20);
    expect(buf(20)).toBe(b);
  });

  it('keeps separate buffers per scratch', () => {
    expect(scratchF64()(4)).not.toBe(scratchF64()(4));
  });
});
