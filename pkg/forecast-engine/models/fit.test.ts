import { describe, expect, it } from 'vitest';
import { r6 } from './fit.js';
import { rng } from '../testdata/rng.js';

/** What r6 was: the decimal of six significant digits of x, read back. */
const viaStrings = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : 0);

/** The next double above (dir 1) or below (dir -1) a positive finite x. */
function next(x: number, dir: 1 | -1): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) + BigInt(dir));
  return v.getFloat64(0);
}

describe('r6', () => {
  it('equals Number(x.toPrecision(6)) bit for bit: random doubles of every magnitude', () => {
    const r = rng(6);
    const v = new DataView(new ArrayBuffer(8));
    let bad = 0;
    for (let i = 0; i < 300_000; i++) {
      // Uniform bits between about 1e-30 and 1e30, either sign.
      v.setUint32(0, (((r() * 0x7ff00000) >>> 0) % (0x46300000 - 0x39b00000)) + 0x39b00000);
      v.setUint32(4, (r() * 2 ** 32) >>> 0);
      const x = (r() < 0.5 ? -1 : 1) * v.getFloat64(0);
      if (!Object.is(r6(x), viaStrings(x))) bad++;
    }
    expect(bad).toBe(0);
  });

  it('equals it on the values a fit reports: smoothing parameters, levels, slopes', () => {
    const r = rng(7);
    for (let i = 0; i < 300_000; i++) {
      const x = [r(), 1e-4 + r() * 0.9998, r() * 1e6, (r() - 0.5) * 200, r() * 1e-3][i % 5] as number;
      expect(Object.is(r6(x), viaStrings(x))).toBe(true);
    }
  });

  it('equals it at ties n.5 x 10^j of the sixth digit, their neighbours, powers of ten and the edges', () => {
    const r = rng(8);
    const xs: number[] = [
      0,
      -0,
      1,
      -1,
      1e5,
      1e6,
      999999.5,
      99999.95,
      0.5,
      5e-324,
      Number.MAX_VALUE,
      NaN,
      Infinity,
    ];
    for (let j = -30; j <= 30; j++) {
      xs.push(Number(`1e${j}`), Number(`9.999995e${j}`), Number(`1.000005e${j}`));
      for (let i = 0; i < 200; i++) {
        const n = 100000 + Math.floor(r() * 900000);
        xs.push(Number(`${n}.5e${j}`), Number(`${n}5e${j - 1}`), Number(`${n}e${j}`));
      }
    }
    let checked = 0;
    for (const x0 of xs)
      for (const x of [x0, -x0])
        for (const y of x !== 0 && Number.isFinite(x)
          ? [x, next(Math.abs(x), 1) * Math.sign(x), next(Math.abs(x), -1) * Math.sign(x)]
          : [x]) {
          expect(Object.is(r6(y), viaStrings(y)), `${y}`).toBe(true);
          checked++;
        }
    expect(checked).toBeGreaterThan(70_000);
  });
});
