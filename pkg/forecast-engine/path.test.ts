import { describe, expect, it } from 'vitest';
import { canonicalJson, forecast, ForecastInputError } from './index.js';
import {
  forecastPath,
  isotonic,
  minPathErrors,
  pathHalfWidths,
  PATH_VERSION,
  reconcileBottomUp,
} from './path.js';
import { modelInfo } from './catalog.js';
import { fixtureSeries } from './testdata/series.js';
import { rng } from './testdata/rng.js';

describe('forecastPath', () => {
  it('step 1 is the served one-step forecast and interval; every step has ordered bounds', () => {
    for (const s of fixtureSeries())
      for (const model of ['auto', 'ets', 'seasonal_naive', 'ensemble'] as const) {
        const p = forecastPath(s, model, 6);
        expect(p.steps).toHaveLength(6);
        const served = forecast(s, model);
        expect(p.steps[0]!.point, `${s.bucketType} ${model}`).toBeCloseTo(served.point, 9);
        // ...with the served one-step interval.
        for (const b of ['lo80', 'hi80', 'lo95', 'hi95'] as const)
          expect(p.steps[0]![b], `${s.bucketType} ${model} ${b}`).toBeCloseTo(served[b], 6);
        p.steps.forEach((st, j) => {
          expect(st.step).toBe(j + 1);
          expect(st.lo95).toBeLessThanOrEqual(st.lo80);
          expect(st.lo80).toBeLessThanOrEqual(st.point);
          expect(st.point).toBeLessThanOrEqual(st.hi80);
          expect(st.hi80).toBeLessThanOrEqual(st.hi95);
          expect(st.lo95).toBeGreaterThanOrEqual(0);
        });
      }
  });

  it('iterates the model: seasonal naive repeats the last season step by step', () => {
    const values = Array.from({ length: 36 }, (_, t) => 100 + ((t * 37) % 12) * 10);
    const p = forecastPath({ bucketType: 'MONTH', values }, 'seasonal_naive', 12);
    expect(p.steps.map((s) => s.point)).toEqual(values.slice(24, 36));
  });

  it('intervals come from h-step errors: on a random walk they widen with the horizon', () => {
    const next = rng(7);
    const values: number[] = [];
    let v = 10_000;
    for (let t = 0; t < 156; t++) values.push((v += (next() - 0.5) * 400));
    const p = forecastPath({ bucketType: 'WEEK', values }, 'naive', 13);
    const h1 = p.steps[0]!.hi80 - p.steps[0]!.point;
    const h13 = p.steps[12]!.hi80 - p.steps[12]!.point;
    // A random walk's h-step error grows like sqrt(h): about 3.6x at 13 steps.
    expect(h13).toBeGreaterThan(2 * h1);
    expect(p.steps[12]!.errors).toBeGreaterThan(10);
  });

  // Series with known noise: the share of outcomes inside the intervals of steps 2..H, pooled over
  // many series, is about the nominal one. (The rule before PATH_VERSION 2 held 86% of i.i.d. noise
  // in its 80% intervals: every step kept the widest quantile of the steps before it.)
  const normal = (next: () => number): number =>
    Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const coverage = (
    make: (next: () => number) => number[],
    model: 'naive' | 'window_average',
    seed: number,
  ) => {
    const next = rng(seed);
    let hits80 = 0;
    let hits95 = 0;
    let count = 0;
    for (let s = 0; s < 120; s++) {
      const values = make(next);
      const p = forecastPath({ bucketType: 'MONTH', values: values.slice(0, 48) }, model, 12);
      p.steps.slice(1).forEach((st) => {
        const a = values[48 + st.step - 1]!;
        count++;
        if (a >= st.lo80 && a <= st.hi80) hits80++;
        if (a >= st.lo95 && a <= st.hi95) hits95++;
      });
    }
    return [hits80 / count, hits95 / count];
  };

  it('h-step intervals hold about 80% / 95% of outcomes on a random walk (errors grow like sqrt(h))', () => {
    const [c80, c95] = coverage(
      (next) => {
        let x = 1000;
        return Array.from({ length: 60 }, () => (x += 20 * normal(next)));
      },
      'naive',
      11,
    );
    expect(c80).toBeGreaterThan(0.75);
    expect(c80).toBeLessThan(0.86);
    expect(c95).toBeGreaterThan(0.91);
    expect(c95).toBeLessThan(0.985);
  });

  it('h-step intervals hold about 80% / 95% of outcomes on i.i.d. noise (errors do not grow)', () => {
    const [c80, c95] = coverage(
      (next) => Array.from({ length: 60 }, () => 1000 + 50 * normal(next)),
      'window_average',
      12,
    );
    expect(c80).toBeGreaterThan(0.75);
    expect(c80).toBeLessThan(0.85);
    expect(c95).toBeGreaterThan(0.91);
    expect(c95).toBeLessThan(0.985);
  });

  it('with few one-step errors (a short history) the fan never narrows below step 1 or the step before', () => {
    const next = rng(3);
    const values = Array.from({ length: 20 }, (_, t) => 500 + 100 * Math.sin(t / 2) + 40 * normal(next));
    for (const model of ['ses', 'seasonal_naive', 'auto'] as const) {
      const p = forecastPath({ bucketType: 'MONTH', values }, model, 12);
      // Fewer than minPathErrors(0.8) one-step errors: 20 buckets replay from bucket 10 on.
      expect(p.steps[0]!.errors).toBeLessThan(minPathErrors(0.8) + 3);
      p.steps.forEach((st, j) => {
        if (j === 0) return;
        const prev = p.steps[j - 1]!;
        expect(st.hi95 - st.point, `${model} step ${j + 1}`).toBeGreaterThanOrEqual(
          prev.hi95 - prev.point - 1e-6,
        );
      });
    }
  });

  it('isotonic regression pools adjacent violators by weight; minPathErrors places the conformal rank', () => {
    expect(isotonic([1, 3, 2, 4], [1, 1, 1, 1])).toEqual([1, 2.5, 2.5, 4]);
    expect(isotonic([5, 1, 1], [1, 1, 2])).toEqual([2, 2, 2]);
    expect(isotonic([2, 0], [3, 0])).toEqual([2, 2]);
    expect(isotonic([], [])).toEqual([]);
    expect(minPathErrors(0.8)).toBe(8);
    expect(minPathErrors(0.95)).toBe(38);
  });

  it("scales the served one-step half-width by the replay's error growth, not the replay's own quantile", () => {
    // 40 replayed origins (enough for both conformal ranks, so no floors): one-step errors of 10,
    // two- and three-step errors of 20 and 30 around forecasts of 100. Growth from one to two or
    // three steps (pooled over steps 2..3): 2.5. The served one-step half-widths are 50 / 80 (the
    // one-step rule's, from other residuals): steps 2 and 3 are 2.5 times those, 125 / 200. Rule 2
    // took the replay's one-step quantile (10) as the base: 25.
    const sign = (i: number): number => (i % 2 ? 1 : -1);
    const actual = [10, 20, 30].map((e) => Array.from({ length: 40 }, (_, i) => 100 + e * sign(i)));
    const predicted = [0, 1, 2].map(() => new Array<number>(40).fill(100));
    const served = Float64Array.from([100, 100, 100]);
    const [h80, h95] = pathHalfWidths(actual, predicted, served, 50, 80);
    expect(h80[0]).toBe(50);
    expect(h80[1]).toBeCloseTo(125, 9);
    expect(h80[2]).toBeCloseTo(125, 9);
    expect(h95[2]).toBeCloseTo(200, 9);
    // The relative half follows the step's point: a step forecast at 200 gets a wider interval.
    const [w80] = pathHalfWidths(actual, predicted, Float64Array.from([100, 100, 200]), 50, 80);
    expect(w80[2] as number).toBeGreaterThan(130);
    // Without a served width (0) the replay's own quantiles: 10 x 2.5.
    const [z80] = pathHalfWidths(actual, predicted, served, 0, 0);
    expect(z80[1]).toBeCloseTo(25, 9);
  });

  it('names the path rule in its model version and input hash', () => {
    const [s] = fixtureSeries();
    const p = forecastPath(s!, 'ets', 3);
    expect(p.modelVersion).toBe(`${modelInfo('ets').modelVersion}+path.${PATH_VERSION}`);
    expect(PATH_VERSION).toBe(3);
  });

  it('reports out-of-sample accuracy per step: seasonal naive on an exact season has no error', () => {
    const values = Array.from({ length: 48 }, (_, t) => 100 + ((t * 37) % 12) * 10);
    const exact = forecastPath({ bucketType: 'MONTH', values }, 'seasonal_naive', 12);
    for (const st of exact.steps) {
      expect(st.errors).toBeGreaterThan(0);
      expect(st.wape).toBe(0);
      expect(st.mae).toBe(0);
    }
    // The same series shifted by a constant from its last season on: naive misses by that shift.
    const naive = forecastPath({ bucketType: 'MONTH', values }, 'naive', 3);
    expect(naive.steps[0]!.mae).toBeGreaterThan(0);
    expect(naive.steps[0]!.wape).toBeCloseTo(
      (naive.steps[0]!.mae! * naive.steps[0]!.errors) /
        values.slice(-naive.steps[0]!.errors).reduce((a, b) => a + b, 0),
      9,
    );
    const short = forecastPath({ bucketType: 'MONTH', values: [5] }, 'naive', 2);
    expect(short.steps.map((s) => [s.errors, s.wape, s.mae])).toEqual([
      [0, null, null],
      [0, null, null],
    ]);
  });

  it('is deterministic, and the horizon is part of the input hash', () => {
    const [s] = fixtureSeries();
    const a = forecastPath(s!, 'auto', 4);
    expect(canonicalJson(forecastPath(s!, 'auto', 4))).toBe(canonicalJson(a));
    expect(forecastPath(s!, 'auto', 5).inputHash).not.toBe(a.inputHash);
    expect(a.inputHash).not.toBe(forecast(s!, 'auto').inputHash);
  });

  it('rejects a bad horizon or model with a ForecastInputError naming it', () => {
    const [s] = fixtureSeries();
    expect(() => forecastPath(s!, 'auto', 0)).toThrow(/horizon must be an integer from 1 to 104, got 0/);
    expect(() => forecastPath(s!, 'auto', 1.5)).toThrow(ForecastInputError);
    expect(() => forecastPath(s!, 'auto', 500)).toThrow(ForecastInputError);
    expect(() => forecastPath(s!, 'nope' as 'auto', 3)).toThrow(/unknown model "nope"/);
  });
});

describe('reconcileBottomUp', () => {
  const child = (phase: number): number[] =>
    Array.from(
      { length: 48 },
      (_, t) => 1000 + 300 * Math.sin((2 * Math.PI * (t + phase)) / 12) + ((t * 31) % 17),
    );

  it("makes the parent's points the sum of its children's and keeps the parent's own widths", () => {
    const kids = [child(0), child(3), child(7)];
    const parentValues = kids[0]!.map((_, t) => kids.reduce((a, k) => a + k[t]!, 0));
    const children = kids.map((values) => forecastPath({ bucketType: 'MONTH', values }, 'auto', 12));
    const parent = forecastPath({ bucketType: 'MONTH', values: parentValues }, 'auto', 12);
    const coherent = reconcileBottomUp(parent, children);
    coherent.steps.forEach((s, j) => {
      const sum = children.reduce((a, c) => a + c.steps[j]!.point, 0);
      expect(s.point).toBeCloseTo(sum, 6);
      expect(s.hi80 - s.point).toBeCloseTo(parent.steps[j]!.hi80 - parent.steps[j]!.point, 6);
      expect(s.lo80).toBeLessThanOrEqual(s.point);
    });
    // The independent parent forecast is not already coherent, so the reconciliation did something.
    expect(parent.steps.some((s, j) => Math.abs(s.point - coherent.steps[j]!.point) > 1e-6)).toBe(true);
    expect(coherent.inputHash).not.toBe(parent.inputHash);
  });

  it('rejects children of another horizon or bucket type, and a parent without children', () => {
    const parent = forecastPath({ bucketType: 'MONTH', values: child(0) }, 'ets', 6);
    expect(() =>
      reconcileBottomUp(parent, [forecastPath({ bucketType: 'MONTH', values: child(1) }, 'ets', 5)]),
    ).toThrow(/child horizon 5 differs from the parent's 6/);
    expect(() =>
      reconcileBottomUp(parent, [forecastPath({ bucketType: 'WEEK', values: child(1) }, 'ets', 6)]),
    ).toThrow(ForecastInputError);
    expect(() => reconcileBottomUp(parent, [])).toThrow(/at least one child/);
  });
});
