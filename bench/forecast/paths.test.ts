import { describe, expect, it } from 'vitest';
import type { ForecastPath } from '../../pkg/forecast-engine/index.js';
import type { BenchSeries } from './generate.js';
import { addPath, caseInput, pathRow, samplePathCases, type PathSums } from './paths.js';

const series = (family: string, i: number, n: number, bucketType: 'WEEK' | 'DAY' | 'MONTH'): BenchSeries => ({
  family,
  id: `${family}-${i}`,
  bucketType,
  start: '2024-01-01',
  values: Array.from({ length: n }, (_, t) => t),
});

const path = (steps: { point: number; h80: number; h95: number }[]): ForecastPath => ({
  model: 'auto',
  modelVersion: 'x',
  inputHash: 'x',
  bucketType: 'MONTH',
  historyLength: 10,
  horizon: steps.length,
  steps: steps.map((s, j) => ({
    step: j + 1,
    point: s.point,
    lo80: s.point - s.h80,
    hi80: s.point + s.h80,
    lo95: s.point - s.h95,
    hi95: s.point + s.h95,
    errors: 0,
    wape: null,
    mae: null,
  })),
});

describe('multi-step coverage sample and scores', () => {
  it('samples evenly spaced series per family at origins n - H, n - 2H with half the series before them', () => {
    const all = [
      ...Array.from({ length: 10 }, (_, i) => series('w', i, 156, 'WEEK')),
      ...Array.from({ length: 10 }, (_, i) => series('d', i, 728, 'DAY')),
      series('m33', 0, 33, 'MONTH'),
    ];
    const cases = samplePathCases(all, { perFamily: 5, perFamilyDay: 2, origins: 2 });
    const w = cases.filter((c) => c.series.family === 'w');
    expect(w.map((c) => c.series.id)).toEqual([
      'w-0',
      'w-0',
      'w-2',
      'w-2',
      'w-4',
      'w-4',
      'w-6',
      'w-6',
      'w-8',
      'w-8',
    ]);
    expect(w.slice(0, 2).map((c) => [c.origin, c.horizon])).toEqual([
      [143, 13],
      [130, 13],
    ]);
    expect(cases.filter((c) => c.series.family === 'd').map((c) => [c.series.id, c.origin])).toEqual([
      ['d-0', 714],
      ['d-0', 700],
      ['d-5', 714],
      ['d-5', 700],
    ]);
    // DAY origins spaced apart to cover the year, as far back as half the series allows.
    const spread = samplePathCases(all, {
      perFamily: 5,
      perFamilyDay: 1,
      origins: 2,
      originsDay: 6,
      daySpacing: 61,
    });
    expect(spread.filter((c) => c.series.family === 'd').map((c) => c.origin)).toEqual([
      714, 653, 592, 531, 470, 409,
    ]);
    expect(
      samplePathCases([series('d', 0, 500, 'DAY')], {
        perFamily: 1,
        perFamilyDay: 1,
        origins: 1,
        originsDay: 6,
        daySpacing: 61,
      }).map((c) => c.origin),
    ).toEqual([486, 425, 364, 303]);
    // 33 months: origin 21 keeps more than half the series before it, origin 9 does not.
    expect(cases.filter((c) => c.series.family === 'm33').map((c) => c.origin)).toEqual([21]);
    // Nothing from the origin on reaches the input.
    const c = w[1]!;
    expect(caseInput(c).values).toEqual(c.series.values.slice(0, 130));
    expect(caseInput(c).start).toBe('2024-01-01');
    expect(caseInput(c, false).start).toBeUndefined();
  });

  it('counts hits per step and pools bands at each member’s own last step', () => {
    const monthly: PathSums = [];
    // Step 1: 100 +- 10 (80%), +- 20 (95%); step 2: 100 +- 1 / +- 50; step 3: 200 +- 0 / +- 0.
    const p = path([
      { point: 100, h80: 10, h95: 20 },
      { point: 100, h80: 1, h95: 50 },
      { point: 200, h80: 0, h95: 0 },
    ]);
    addPath(monthly, p, [105, 130, 200]);
    addPath(monthly, p, [115, 99, 100]);
    expect(monthly.map((s) => [s.count, s.hits80, s.hits95])).toEqual([
      [2, 1, 2],
      [2, 1, 2],
      [2, 1, 1],
    ]);
    expect(monthly[0]!.absError).toBe(20);
    expect(monthly[0]!.absActual).toBe(220);
    const weekly: PathSums = [];
    addPath(weekly, path([{ point: 10, h80: 1, h95: 1 }]), [10]);
    const row = pathRow('ALL', 3, 3, [monthly, weekly]);
    // Band "1" pools both families' step 1; band "H" their own last steps (3 and 1).
    expect(row.bands.map((b) => [b.steps, b.count, b.coverage80])).toEqual([
      ['1', 3, 0.6667],
      ['2-4', 4, 0.5],
      ['5-H', 0, null],
      ['H', 3, 0.6667],
    ]);
    expect(row.bands[0]!.wape).toBeCloseTo(20 / 230, 4);
    expect(row.perStep.map((s) => s.count)).toEqual([3, 2, 2]);
  });
});
