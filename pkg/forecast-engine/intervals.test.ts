import { describe, expect, it } from 'vitest';
import { epochDay, holidayFeatures } from './calendar.js';
import { forecast } from './index.js';
import { forecastPath } from './path.js';
import {
  halfWidths,
  holidayClass,
  HOLIDAY_NEAR_DAYS,
  residualReach,
  sortWithHint,
  sortWithWeights,
  weightedConformal,
} from './intervals.js';
import { conformalHalfWidth } from './metrics.js';
import { rng } from './testdata/rng.js';

const DAY_MS = 86_400_000;

/**
 * Three years of daily sales ending 2025-12-28 (the benchmark's holiday_daily shape): level 1000, a
 * weekend uplift, +-8% noise, and a Christmas run-up that starts nine days before the 24th and
 * rises, so that it begins three days before the engine's 18-24 December window and ends the day
 * before the window's last day. The last 28 days (the DAY backtest origins) are 1-28 December.
 */
function christmasDaily(seed: number): { start: string; values: number[] } {
  const start = '2023-01-02';
  const s = epochDay(start) as number;
  const next = rng(seed);
  const amp = 0.5 + next();
  const values = Array.from({ length: 1092 }, (_, t) => {
    const day = s + t;
    const d = new Date(day * DAY_MS);
    const x = Date.UTC(d.getUTCFullYear(), 11, 24) / DAY_MS;
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 1.4 : 1;
    const run = day >= x - 9 && day < x ? amp * (0.5 + (day - (x - 9)) / 9) : 0;
    return Math.round(1000 * weekend * (1 + run) + 80 * (next() + next() + next() - 1.5) * 2);
  });
  return { start, values };
}

describe('holiday class', () => {
  it('marks the days within a week of each holiday window, only for dated DAY series', () => {
    const start = '2024-11-01';
    const rows = holidayFeatures(start, 'DAY', 61);
    const cls = holidayClass('DAY', rows) as Uint8Array;
    const at = (date: string): number =>
      cls[(epochDay(date) as number) - (epochDay(start) as number)] as number;
    // Thanksgiving 2024-11-28 to Cyber Monday 12-02, 18-24 December: a week either side.
    expect(at('2024-11-20')).toBe(0);
    // Classes: 1 + the window's index (Easter 1, Thanksgiving 2, Christmas 3).
    expect(at(`2024-11-${28 - HOLIDAY_NEAR_DAYS}`)).toBe(2);
    expect(at('2024-12-09')).toBe(2);
    expect(at('2024-12-10')).toBe(0);
    expect(at('2024-12-11')).toBe(3);
    expect(at('2024-12-31')).toBe(3);
    expect(holidayClass('WEEK', holidayFeatures(start, 'WEEK', 9))).toBeNull();
    expect(holidayClass('DAY', null)).toBeNull();
    // No holiday day in the series at all: no class.
    expect(holidayClass('DAY', holidayFeatures('2024-06-01', 'DAY', 30))).toBeNull();
  });
});

describe('interval half-widths', () => {
  const n = 800;
  const next = rng(7);
  const y = Float64Array.from({ length: n }, () => 1000 + 200 * (next() - 0.5));
  const pred = Float64Array.from({ length: n }, (_, u) => (u < 3 ? NaN : 1000));
  // Holiday-class days: 20-day blocks a year apart, where errors are five times the ordinary ones.
  const holiday = new Uint8Array(n);
  for (const b of [40, 404, 768]) for (let u = b; u < b + 20 && u < n; u++) holiday[u] = 1;
  for (let u = 0; u < n; u++) if (holiday[u]) y[u] = 1000 + 5 * ((y[u] as number) - 1000);
  const at =
    (a: Float64Array) =>
    (u: number): number =>
      a[u] as number;

  it('read nothing at or after the bucket they are for', () => {
    const setup = { k: 28, unit: 28, holiday };
    for (const t of [100, 404, 410, 780]) {
      let asked = -1;
      const want = halfWidths(
        y,
        (u) => {
          asked = Math.max(asked, u);
          return pred[u] as number;
        },
        t,
        1000,
        setup,
      );
      expect(asked).toBeGreaterThanOrEqual(0);
      expect(asked).toBeLessThan(t);
      const y2 = Float64Array.from(y);
      for (let u = t; u < n; u++) y2[u] = 1e9;
      expect(halfWidths(y2, at(pred), t, 1000, setup)).toEqual(want);
      // ...and they do read the bucket just before it.
      y2[t - 1] = 1e9;
      expect(halfWidths(y2, at(pred), t, 1000, setup)).not.toEqual(want);
    }
  });

  it('extrapolate the 95% width from the 80% one when there are too few residuals to rank it', () => {
    // Nine residuals 1..9 around a level of 1000 (the relative form sees the same shape): the 80%
    // rank is the 8th, the 95% rank (ceil(10 x 0.95) = 10) exceeds 9, so not just the largest (9)
    // but 1.53 x the 80% width.
    // (A long unit: the recency weights are close to equal.)
    const yy = Float64Array.from({ length: 10 }, (_, u) => (u === 0 ? 1000 : 1010 - u));
    const pp = (u: number): number => (u === 0 ? NaN : 1000);
    const [h80, h95] = halfWidths(yy, pp, 10, 1000, { k: 5, unit: 1000, holiday: null });
    expect(h80).toBeGreaterThan(7.5);
    expect(h80).toBeLessThan(8.5);
    expect(h95 / h80).toBeCloseTo(1.959964 / 1.281552, 3);
    // With 19 residuals or more the 95% rank exists and is used as it is.
    const y19 = Float64Array.from({ length: 20 }, (_, u) => 1000 + u);
    const [a80, a95] = halfWidths(y19, pp, 20, 1000, { k: 10, unit: 10, holiday: null });
    expect(a95).toBeLessThan(1.3 * a80);
  });

  it('take holiday-class buckets from the holiday days of earlier years, ordinary ones from the recent window', () => {
    const setup = { k: 28, unit: 28, holiday };
    expect(residualReach(setup, 768)).toBe(728);
    expect(residualReach(setup, 700)).toBe(84);
    expect(residualReach({ k: 28, unit: 28, holiday: null }, 768)).toBe(84);
    // First holiday day of the third year: the 84 days before hold no holiday error, the two earlier
    // blocks do. Ordinary rule: about 80% of 100 (uniform errors of up to 100) at 80%.
    const [o80] = halfWidths(y, at(pred), 768, 1000, { k: 28, unit: 28, holiday: null });
    const [h80, h95] = halfWidths(y, at(pred), 768, 1000, setup);
    expect(o80).toBeGreaterThan(50);
    expect(o80).toBeLessThan(100);
    expect(h80).toBeGreaterThan(3 * o80);
    expect(h95).toBeGreaterThan(h80);
    // An ordinary bucket of a series with holidays, no holiday day in its window: the recent window,
    // as without them.
    expect(halfWidths(y, at(pred), 700, 1000, setup)).toEqual(
      halfWidths(y, at(pred), 700, 1000, { k: 28, unit: 28, holiday: null }),
    );
    // An ordinary bucket after a holiday block: its width comes from the ordinary days of its window
    // only, not from the holiday days' five-times errors (the class split both ways).
    const [after80] = halfWidths(y, at(pred), 440, 1000, setup);
    const [mixed80] = halfWidths(y, at(pred), 440, 1000, { k: 28, unit: 28, holiday: null });
    expect(after80).toBeGreaterThan(50);
    expect(after80).toBeLessThan(100);
    expect(mixed80).toBeGreaterThan(1.5 * after80);
    // Too few holiday residuals before t (only part of the first block): the ordinary rule.
    expect(halfWidths(y, at(pred), 45, 1000, setup)).toEqual(
      halfWidths(y, at(pred), 45, 1000, { k: 28, unit: 28, holiday: null }),
    );
  });
});

describe('recency-weighted conformal half-widths', () => {
  it('with equal weights take exactly the unweighted conformal rank ceil((r + 1) level)', () => {
    const next = rng(11);
    for (const r of [1, 2, 5, 9, 18, 19, 24, 52, 84]) {
      const sorted = Float64Array.from({ length: r }, () => next()).sort();
      for (const w of [1, 0.37]) {
        const weights = new Float64Array(r).fill(w);
        for (const level of [0.8, 0.95]) {
          const { q, ranked } = weightedConformal(sorted, weights, level);
          expect(q).toBe(conformalHalfWidth(sorted, level));
          expect(ranked).toBe(Math.ceil((r + 1) * level - 1e-9) <= r);
        }
      }
    }
    // Unequal weights: the test bucket weighs the mean weight. Residuals 1..4 weighing 1, 1, 1, 5
    // (W = 8, target 0.5 x 10 = 5): the cumulative weight reaches 5 only at the heavy 4.
    expect(weightedConformal([1, 2, 3, 4], [1, 1, 1, 5], 0.5)).toEqual({ q: 4, ranked: true });
    expect(weightedConformal([1, 2, 3, 4], [5, 1, 1, 1], 0.5)).toEqual({ q: 1, ranked: true });
  });

  it('follow a recent rise in the errors that a window of equal weights outvotes', () => {
    // k = 26 origins: 78 residuals in the window. The last 13 (the newest half-life's half) are ten
    // times the 65 before. Unweighted they are 17% of the residuals, below the 80% rank, so the
    // interval would stay at the old width; weighted by recency (half-life 26) they hold a third of
    // the weight and set the 80% width.
    const k = 26;
    const t = 100;
    const y = Float64Array.from(
      { length: t + 1 },
      (_, u) => 1000 + (u >= t - 13 ? 100 : 10) * (u % 2 ? 1 : -1),
    );
    const [h80, h95] = halfWidths(y, () => 1000, t, 1000, { k, unit: k, holiday: null });
    expect(h80).toBeCloseTo(100, 6);
    expect(h95).toBeCloseTo(100, 6);
    // The same residuals in the other order (old ones large, recent small): the old width fades.
    const z = Float64Array.from(
      { length: t + 1 },
      (_, u) => 1000 + (u >= t - 13 ? 10 : 100) * (u % 2 ? 1 : -1),
    );
    const zRecent = Float64Array.from(z);
    for (let u = 0; u < t - 78; u++) zRecent[u] = 1000 + 1e6;
    // Residuals older than the window (3k = 78 buckets) are not read at all...
    expect(halfWidths(zRecent, () => 1000, t, 1000, { k, unit: k, holiday: null })).toEqual(
      halfWidths(z, () => 1000, t, 1000, { k, unit: k, holiday: null }),
    );
    // ...and those in it are: the 80% width is the old errors' (they keep two thirds of the weight).
    expect(halfWidths(z, () => 1000, t, 1000, { k, unit: k, holiday: null })[0]).toBeCloseTo(100, 6);
  });

  it('match a plain weighted quantile, ties included', () => {
    // Integer residuals 0..9 (many ties) around a constant forecast, weights 0.5^(age / unit);
    // 12 residuals (unit 4): too few for the 95% rank, so at least 1.53 x the 80% width.
    const next = rng(5);
    for (const unit of [4, 12, 26]) {
      const t = 3 * unit + 5;
      const y = Float64Array.from({ length: t + 1 }, () => 1000 + Math.floor(10 * next()));
      const res: { e: number; w: number }[] = [];
      for (let u = t - 3 * unit; u < t; u++)
        res.push({ e: (y[u] as number) - 1000, w: 0.5 ** ((t - 1 - u) / unit) });
      const sorted = [...res].sort((a, b) => a.e - b.e);
      const total = res.reduce((a, x) => a + x.w, 0);
      const quantile = (level: number): number | null => {
        let cum = 0;
        for (const x of sorted)
          if ((cum += x.w) >= level * (total + total / res.length) * (1 - 1e-12)) return x.e;
        return null;
      };
      const q80 = quantile(0.8) as number;
      const q95 = quantile(0.95) ?? Math.max((sorted.at(-1) as { e: number }).e, (1.959964 / 1.281552) * q80);
      expect(quantile(0.95) === null).toBe(unit === 4);
      const [h80, h95] = halfWidths(y, () => 1000, t, 1000, { k: unit, unit, holiday: null });
      expect(h80).toBeCloseTo(q80, 9);
      expect(h95).toBeCloseTo(q95, 9);
    }
  });

  it('read residuals up to 3k buckets back, not further', () => {
    const k = 10;
    const t = 60;
    const y = Float64Array.from({ length: t + 1 }, (_, u) => 1000 + 10 * (u % 2 ? 1 : -1));
    const base = halfWidths(y, () => 1000, t, 1000, { k, unit: k, holiday: null });
    const far = Float64Array.from(y);
    far[t - 3 * k - 1] = 1e6;
    expect(halfWidths(far, () => 1000, t, 1000, { k, unit: k, holiday: null })).toEqual(base);
    // Ages 2k..3k-1 are in the window: raising all of them moves the 95% width.
    const old = Float64Array.from(y);
    for (let u = t - 3 * k; u < t - 2 * k; u++) old[u] = 1000 + 500;
    expect(halfWidths(old, () => 1000, t, 1000, { k, unit: k, holiday: null })[1]).toBeGreaterThan(
      base[1] * 2,
    );
  });
});

describe('calibration on a holiday the calendar windows do not fit', () => {
  it('80% intervals of the December origins hold about 80% of the outcomes', () => {
    // With the ordinary rule (residuals of the 56 days before each origin) `ets` and `auto` held
    // 0.66 of these outcomes in their 80% intervals (0.90 in the 95% ones): the run-up days before
    // the engine's window miss by several times the November errors. With the Christmas class (the
    // days around the last two Christmases): 0.81 and 0.96.
    let hits80 = 0;
    let hits95 = 0;
    let origins = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const { start, values } = christmasDaily(seed);
      for (const model of ['ets', 'auto'] as const) {
        const m = forecast({ bucketType: 'DAY', values, start }, model).metrics!;
        expect(m.origins).toBe(28);
        hits80 += m.coverage80 * m.origins;
        hits95 += m.coverage95 * m.origins;
        origins += m.origins;
      }
    }
    expect(hits80 / origins).toBeGreaterThan(0.75);
    expect(hits80 / origins).toBeLessThan(0.87);
    expect(hits95 / origins).toBeGreaterThan(0.92);
  });
});

describe('intervals of a combination whose members warm up', () => {
  /** 33 months from 2016-01: level 1000 with +-3% noise, December three times as high. */
  function shortDecember(seed: number): number[] {
    const next = rng(seed);
    return Array.from({ length: 33 }, (_, t) =>
      Math.round((t % 12 === 11 ? 3000 : 1000) * (1 + 0.06 * (next() - 0.5))),
    );
  }

  it('leave out the buckets before the seasonal members forecast, once there are enough others', () => {
    // Before month 12 seasonal naive has no forecast, so auto's prediction there comes from its
    // non-seasonal members alone, which miss the first December by about 2000. Counted as a
    // residual of auto it sets the 95% half-width (the largest of the 24 before the forecast).
    for (let seed = 1; seed <= 5; seed++) {
      const values = shortDecember(seed);
      const r = forecast({ bucketType: 'MONTH', values }, 'auto');
      const members = (r.params.members as { model: string }[] | undefined)?.map((m) => m.model) ?? [
        r.effectiveModel,
      ];
      expect(members.some((m) => m === 'seasonal_naive' || m === 'seasonal_growth')).toBe(true);
      expect(r.hi95 - r.point, `seed ${seed}`).toBeLessThan(300);
    }
  });
});

describe('a path that starts in a holiday class', () => {
  it('starts its fan from the served one-step interval', () => {
    // Cut on 14 December 2025: the next day is in the Christmas class.
    const { start, values } = christmasDaily(2);
    const cut = { bucketType: 'DAY' as const, values: values.slice(0, 1078), start };
    const served = forecast(cut, 'ets');
    const p = forecastPath(cut, 'ets', 3);
    expect(p.steps[0]!.hi80 - p.steps[0]!.point).toBeCloseTo(served.hi80 - served.point, 6);
    expect(p.steps[0]!.hi95 - p.steps[0]!.point).toBeCloseTo(served.hi95 - served.point, 6);
  });
});

describe('linear_regression intervals', () => {
  it('come from leave-one-out residuals, not from fitted values', () => {
    // Three years of weeks: level 1000, a yearly profile, +-15% noise. The regression's 52 position
    // means are fitted on two to three values each, so its in-sample residuals are a fraction of
    // its forecast errors.
    let hits = 0;
    let origins = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const next = rng(seed);
      const values = Array.from({ length: 156 }, (_, t) =>
        Math.round(1000 * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 52)) * (1 + 0.3 * (next() - 0.5))),
      );
      const m = forecast({ bucketType: 'WEEK', values }, 'linear_regression').metrics!;
      hits += m.coverage80 * m.origins;
      origins += m.origins;
    }
    // In-sample residuals: 0.65. Leave-one-out: 0.875.
    expect(hits / origins).toBeGreaterThan(0.75);
    expect(hits / origins).toBeLessThan(0.95);
  });
});

describe('backtest intervals', () => {
  it('at each origin use nothing from it on: a huge value after the last origin changes no earlier hit', () => {
    // Backtest origins [n - k, n) of the series cut at n, and the same with one value appended and
    // k + 1 origins: the fits (on [0, n - k)) and every earlier origin are the same, and the new
    // origin misses a value of 1e12. An interval that looked at a later residual (the appended one
    // would be huge) would widen and hit more often.
    const { start, values } = christmasDaily(4);
    const monthly = Array.from({ length: 40 }, (_, t) => 1000 + 300 * Math.sin(t / 2) + ((t * 37) % 11) * 20);
    const cases = [
      { series: { bucketType: 'DAY' as const, values: values.slice(0, 1075), start }, k: 20 },
      { series: { bucketType: 'MONTH' as const, values: monthly.slice(0, 33) }, k: 12 },
    ];
    for (const { series, k } of cases)
      for (const model of ['auto', 'ets', 'linear_regression', 'seasonal_naive'] as const) {
        const hits = (v: number[], origins: number): [number, number] => {
          const m = forecast({ ...series, values: v }, model, { origins, selectionOrigins: k }).metrics!;
          expect(m.origins).toBe(origins);
          return [Math.round(m.coverage80 * origins), Math.round(m.coverage95 * origins)];
        };
        const before = hits(series.values, k);
        expect(hits([...series.values, 1e12], k + 1), `${series.bucketType} ${model}`).toEqual(before);
      }
  });
});

describe('sortWithWeights', () => {
  it('sorts a prefix with its weights as a stable index sort does, ties included, whatever came before', () => {
    const next = rng(11);
    // Lengths up and down (the sort keeps views of its key buffer per length), integer values so
    // that ties are common, and one long run past the tagged-key limit (1024).
    for (const r of [78, 5, 78, 1, 0, 40, 2000, 77, 78, 300]) {
      const cap = r + 7;
      const v = Float64Array.from({ length: cap }, () => Math.floor(next() * 12) * 0.25);
      const w = Float64Array.from({ length: cap }, () => next());
      const idx = Array.from({ length: r }, (_, i) => i).sort(
        (a, b) => (v[a] as number) - (v[b] as number) || a - b,
      );
      const tail = Array.from(v.subarray(r));
      const out = new Float64Array(cap).fill(-5);
      const want = idx.map((i) => v[i] as number);
      sortWithWeights(v, w, out, r);
      expect(Array.from(v.subarray(0, r))).toEqual(want);
      // Equal values carry their weights in index order only below the limit; above it the
      // weights of a tie come in index order too (a binary search per value, first free slot).
      expect(Array.from(out.subarray(0, r))).toEqual(idx.map((i) => w[i] as number));
      // Nothing past r is touched.
      expect(Array.from(v.subarray(r))).toEqual(tail);
      expect(Array.from(out.subarray(r))).toEqual(new Array<number>(cap - r).fill(-5));
    }
  });
});

describe('sortWithHint', () => {
  it('gives what sortWithWeights gives, whatever the hint, ties and infinities included', () => {
    const next = rng(12);
    const hint = { order: new Int32Array(4), length: 0 };
    let from = 100;
    for (let round = 0; round < 200; round++) {
      // Windows sliding by one bucket (the hint then fits), jumping (it does not), shrinking.
      from += round % 17 === 0 ? 500 : round % 23 === 0 ? -300 : 1;
      const span = 1 + Math.floor(next() * 90);
      const bucket: number[] = [];
      for (let u = from; u < from + span; u++) if (next() > 0.1) bucket.push(u);
      const r = bucket.length;
      const v = Float64Array.from(bucket, () =>
        next() < 0.3 ? Math.floor(next() * 6) : next() < 0.02 ? Infinity : next() * 100,
      );
      const w = Float64Array.from(bucket, () => next());
      const v1 = Float64Array.from(v);
      const out1 = new Float64Array(r);
      sortWithWeights(v1, w, out1, r);
      const v2 = Float64Array.from(v);
      const out2 = new Float64Array(r);
      sortWithHint(v2, w, out2, r, Int32Array.from(bucket), from, hint);
      expect(Array.from(v2)).toEqual(Array.from(v1));
      expect(Array.from(out2)).toEqual(Array.from(out1));
    }
  });
});
