import { describe, expect, it } from 'vitest';
import { AUTO_CANDIDATES, AUTO_MEMBERS, CandidateSet, HybridSet, forecast } from './engine.js';
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
