import { describe, expect, it } from 'vitest';
import type { CategoryPath } from '../api/types.js';
import { fanGeometry, fanSteps, niceMax } from './fan.js';

const step = (j: number, point: number, w80: number, w95: number) => ({
  bucketStart: `2027-0${j + 1}-01`,
  point,
  lo80: point - w80,
  hi80: point + w80,
  lo95: point - w95,
  hi95: point + w95,
});

describe('fanGeometry', () => {
  const x = (j: number) => 100 + 10 * j;
  const y = (v: number) => 200 - v;

  it('opens both bands and the point line from the last history point', () => {
    const steps = [step(0, 50, 5, 10), step(1, 60, 8, 16)];
    const g = fanGeometry({ x: 90, y: 150 }, steps, x, y);
    // 95%: anchor, upper edge left to right, lower edge right to left, closed.
    expect(g.band95).toBe('M90.0,150.0L100.0,140.0L110.0,124.0L110.0,156.0L100.0,160.0Z');
    expect(g.band80).toBe('M90.0,150.0L100.0,145.0L110.0,132.0L110.0,148.0L100.0,155.0Z');
    expect(g.line).toBe('M90.0,150.0L100.0,150.0L110.0,140.0');
  });

  it('draws a fan without history from its first step, and nothing without steps', () => {
    const g = fanGeometry(undefined, [step(0, 50, 5, 10)], x, y);
    expect(g.band95).toBe('M100.0,140.0L100.0,160.0Z');
    expect(g.line).toBe('');
    expect(fanGeometry({ x: 1, y: 1 }, [], x, y)).toEqual({ band95: '', band80: '', line: '' });
  });
});

describe('fanSteps', () => {
  it('reads the decimal strings of the API as numbers', () => {
    const path = {
      steps: [
        {
          step: 1,
          bucketStart: '2026-12-01',
          forecast: '12.50',
          lo80: '10.00',
          hi80: '15.00',
          lo95: '9.00',
          hi95: '16.00',
          accuracy: { step: 1, wape: 0.1, maeMinor: 100, errors: 12 },
        },
      ],
    } as unknown as CategoryPath;
    expect(fanSteps(path)).toEqual([
      { bucketStart: '2026-12-01', point: 12.5, lo80: 10, hi80: 15, lo95: 9, hi95: 16 },
    ]);
  });
});

describe('niceMax', () => {
  it.each([
    [0, 1],
    [7, 10],
    [180, 200],
    [2400, 2500],
  ])('%d -> %d', (v, want) => expect(niceMax(v)).toBe(want));
});
