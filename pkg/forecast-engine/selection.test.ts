import { describe, expect, it } from 'vitest';
import {
  AUTO_CANDIDATES,
  AUTO_MEMBERS,
  CandidateSet,
  HybridSet,
  chooseAuto,
  forecast,
  forecastModels,
  type Scorer,
} from './engine.js';
import type { BaseModelName } from './types.js';
import type { Fit } from './models/fit.js';
import { AUTO_HALF_LIFE, discountedMae } from './selection.js';
import { fixtureSeries } from './testdata/series.js';

describe('selection errors of auto and ensemble', () => {
  it('are the early fits errors before the first origin and the backtest fits errors from it on', () => {
    const [s] = fixtureSeries();
    const y = Float64Array.from(s!.values);
    const n = y.length;
    const early = new CandidateSet(y, 52, n - 52);
    const late = new CandidateSet(y, 52, n - 26);
    const hybrid = new HybridSet(early, late);
    for (const name of AUTO_CANDIDATES) {
      const h = hybrid.fit(name).pred;
      const e = early.fit(name).pred;
      const l = late.fit(name).pred;
      expect(h).toHaveLength(n + 1);
      for (let t = n - 52; t < n - 26; t++) expect(Object.is(h[t], e[t]), `${name} at ${t}`).toBe(true);
      // From the first origin on, auto forecasts with the same fits every single model is backtested with.
      for (let t = n - 26; t <= n; t++) expect(Object.is(h[t], l[t]), `${name} at ${t}`).toBe(true);
      // Where early and late differ, the window score follows the hybrid, not either fit alone.
      expect(hybrid.windowMae(h, n - 52, n)).toBeCloseTo(
        (early.windowMae(e, n - 52, n - 26) * 26 + late.windowMae(l, n - 26, n) * 26) / 52,
        6,
      );
    }
  });

  it('the served auto ranks on every out-of-sample error and combines at most AUTO_MEMBERS candidates', () => {
    for (const s of fixtureSeries().filter((x) => x.values.length >= 60)) {
      const r = forecast(s, 'auto', { origins: 12, selectionOrigins: 8 });
      // 8 selection origins before the 12 backtest origins: an expanding window, not the last 8.
      expect(r.params.selectionOrigins, s.bucketType).toBe(20);
      const members = r.params.members as { weight: number }[] | undefined;
      if (members) {
        expect(members.length).toBeGreaterThan(1);
        expect(members.length).toBeLessThanOrEqual(AUTO_MEMBERS);
      }
    }
  });
});

describe("auto's discounted selection errors (selection.ts)", () => {
  it('weights the error at u by 0.5^((t-1-u)/halfLife) and is the plain mean without a half-life', () => {
    const y = Float64Array.from([10, 10, 10, 10, 10]);
    const pred = Float64Array.from([11, 14, 10, 12, NaN]);
    // errors 1, 4, 0, 2 at u = 0..3; t = 4, half-life 1: weights 1/8, 1/4, 1/2, 1
    expect(discountedMae(y, pred, 0, 4, 1)).toBeCloseTo(
      (1 / 8 + 4 / 4 + 0 + 2) / (1 / 8 + 1 / 4 + 1 / 2 + 1),
      12,
    );
    expect(discountedMae(y, pred, 0, 4, Infinity)).toBe(7 / 4);
    expect(discountedMae(y, pred, 2, 2, 1)).toBeNaN();
    expect(discountedMae(y, pred, 0, 5, 1)).toBeNaN(); // a missing prediction in the window
  });

  it('reads nothing from origin t on: changing y and the predictions at and after t leaves the score alone', () => {
    const y = Float64Array.from({ length: 60 }, (_, u) => 100 + ((u * 37) % 11));
    const pred = Float64Array.from({ length: 61 }, (_, u) => 100 + ((u * 13) % 7));
    const t = 40;
    const score = discountedMae(y, pred, 5, t, AUTO_HALF_LIFE);
    const y2 = Float64Array.from(y, (v, u) => (u >= t ? v * 1000 + 7 : v));
    const p2 = Float64Array.from(pred, (v, u) => (u >= t ? -v : v));
    expect(discountedMae(y2, p2, 5, t, AUTO_HALF_LIFE)).toBe(score);
  });

  it('auto follows the candidate that has been better lately, where the plain mean would not', () => {
    // Candidate A was good early and poor lately, B the reverse; A has the lower plain mean error.
    const t = 40;
    const y = new Float64Array(t + 1).fill(100);
    const errA = (u: number): number => (u < 20 ? 0.5 : 3);
    const errB = (u: number): number => (u < 20 ? 3.2 : 1);
    const a = Float64Array.from({ length: t + 1 }, (_, u) => 100 + errA(u));
    const b = Float64Array.from({ length: t + 1 }, (_, u) => 100 - errB(u));
    const fits: Record<string, Fit> = {
      ses: { model: 'ses', params: {}, pred: a, fallbackReason: null },
      holt: { model: 'holt', params: {}, pred: b, fallbackReason: null },
    };
    const scorer: Scorer = {
      y,
      intermittent: false,
      fit: (name) => fits[name] as Fit,
      windowMae: (pred, from, to) => discountedMae(y, pred, from, to, Infinity),
    };
    expect(discountedMae(y, a, 0, t, Infinity)).toBeLessThan(discountedMae(y, b, 0, t, Infinity));
    const choice = chooseAuto(scorer, ['ses', 'holt'], 0, t);
    expect(choice.names).toEqual(['holt', 'ses']);
    const [wb, wa] = choice.weights as number[];
    expect(wb).toBeGreaterThan(wa as number);
  });
});

describe('auto on intermittent series', () => {
  it('serves the median of its three best candidates, not a weighted mean', () => {
    const series = fixtureSeries().find((s) => {
      const v = Array.from(s.values);
      return v.filter((x) => x === 0).length > 0.5 * v.length;
    });
    expect(series).toBeDefined();
    const r = forecast(series!, 'auto');
    expect(r.params.combination).toBe('median');
    const members = r.params.members as { model: BaseModelName; weight?: number }[];
    expect(members).toHaveLength(3);
    expect(members.every((m) => m.weight === undefined)).toBe(true);
    const points = forecastModels(
      series!,
      members.map((m) => m.model),
    )
      .map((x) => x.point)
      .sort((a, b) => a - b);
    expect(r.point).toBeCloseTo(points[1] as number, 9);
  });
});
