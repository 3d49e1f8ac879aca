import { describe, expect, it } from 'vitest';
import { canonicalJson, forecast, ForecastInputError } from './index.js';
import { forecastPath, reconcileBottomUp } from './path.js';
import { fixtureSeries } from './testdata/series.js';
import { rng } from './testdata/rng.js';

describe('forecastPath', () => {
  it('step 1 is the served one-step forecast and interval; every step has ordered bounds and the fan never narrows', () => {
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
          // (up to rounding: the half-width is recovered from bounds shifted by the point)
          if (j > 0)
            expect(st.hi80 - st.point).toBeGreaterThanOrEqual(
              p.steps[j - 1]!.hi80 - p.steps[j - 1]!.point - 1e-6,
            );
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
