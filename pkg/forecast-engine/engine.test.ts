import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  forecast,
  ForecastInputError,
  forecastMany,
  forecastModels,
  MODEL_CATALOG,
  MODEL_NAMES,
  type ModelName,
} from './index.js';
import { EtsFitter } from './models/ets.js';
import { fixtureSeries } from './testdata/series.js';

describe('catalog', () => {
  it('lists every model once with a semver and a description', () => {
    expect(MODEL_CATALOG.map((m) => m.name)).toEqual([...MODEL_NAMES]);
    for (const m of MODEL_CATALOG) {
      expect(m.modelVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(m.description.length).toBeGreaterThan(10);
    }
  });
});

describe('backtest', () => {
  it('matches hand-computed metrics for naive on a yearly series', () => {
    // n = 6, origins 2: fit on [10, 12, 11, 13]; one-step forecasts 13 (actual 15) and 15 (actual 14).
    const r = forecast({ bucketType: 'YEAR', values: [10, 12, 11, 13, 15, 14] }, 'naive', { origins: 2 });
    expect(r.point).toBe(14);
    const m = r.metrics;
    expect(m?.origins).toBe(2);
    expect(m?.mae).toBeCloseTo(1.5, 12);
    expect(m?.mase).toBeCloseTo(1.5 / (5 / 3), 12); // scale: mean |diff| of the fitting window
    expect(m?.wape).toBeCloseTo(3 / 29, 12);
    expect(m?.smape).toBeCloseTo((4 / 28 + 2 / 29) / 2, 12);
    // Intervals at each origin from the 2 residuals before it: both hit.
    expect(m?.coverage80).toBe(1);
    // Next bucket: residuals of the 3 x 3 years before it (YEAR's unit is 3 buckets), so all 5
    // (forecasts 10, 12, 11, 13, 15 for 12, 11, 13, 15, 14): absolute 2, 1, 2, 2, 1, weighing
    // 0.5^(age / 3) (the newest 1). The 80% point is where the weights of the sorted residuals reach
    // 0.8 x (W + W / 5) = 0.96 W: the largest of each form; absolute 2, relative to forecast + a tenth
    // of the mean level (75 / 6 / 10 = 1.25) 2 / (10 + 1.25). The half-width is their mean, the
    // relative one rescaled to 14 + 1.25.
    const half = (2 + (2 / (10 + 1.25)) * (14 + 1.25)) / 2;
    expect(r.lo80).toBeCloseTo(14 - half, 9);
    expect(r.hi80).toBeCloseTo(14 + half, 9);
    // YEAR has no season: seasonal_naive is naive, so the ratios are 1.
    expect(m?.maseRatioToSeasonalNaive).toBe(1);
  });

  it('auto is scored out of sample and names its pick or its weighted members', () => {
    const [series] = fixtureSeries();
    const r = forecast(series!, 'auto');
    expect(r.model).toBe('auto');
    if (r.effectiveModel === 'auto') {
      const members = r.params.members as { model: string; weight: number }[];
      expect(members.length).toBeGreaterThan(1);
      expect(members.reduce((a, m) => a + m.weight, 0)).toBeCloseTo(1, 5);
    } else expect(r.params.selected).toBe(r.effectiveModel);
    expect(r.metrics?.origins).toBe(26);
    expect(r.fallbackFrom).toBeNull();
  });

  it("auto's forecast at a backtest origin does not depend on the value it forecasts", () => {
    // The last origin of a series forecasts its last value. Scored out of sample, the model auto
    // picks there (and so its forecast p) is fixed before that value is known. Setting the value to
    // 0 and then to far above anything forecast gives that origin's absolute error as p and as
    // high - p: both must name the same p. Choosing with the origin's own value (in sample) ranks
    // the candidates by error + p for 0 and by error - p for `high`, and somewhere the picks differ.
    // Checked at the last 12 cut points of each seasonal fixture series (the dated ones too: their
    // calendar factors must come from the fitting window only).
    const k = 12;
    const selectionOrigins = 6;
    let checked = 0;
    for (const series of fixtureSeries().filter((s) => s.values.length >= 48)) {
      for (let n = series.values.length - 11; n <= series.values.length; n++) {
        const values = Array.from(series.values).slice(0, n);
        const scored = (v: number[], origins: number) =>
          forecast({ ...series, values: v }, 'auto', { origins, selectionOrigins }).metrics!;
        // The errors of the first k-1 origins: the same fits and choices, without the last origin.
        const before = scored(values.slice(0, n - 1), k - 1);
        expect(before.origins).toBe(k - 1);
        const lastError = (v: number): number => {
          const m = scored([...values.slice(0, n - 1), v], k);
          expect(m.origins).toBe(k);
          return m.mae * k - before.mae * (k - 1);
        };
        const high = 100 * Math.max(...values);
        const fromLow = lastError(0); // forecasts are never negative: |0 - p| = p
        const fromHigh = high - lastError(high); // p far below high: |high - p| = high - p
        expect(fromHigh, `${series.bucketType} series cut at ${n}`).toBeCloseTo(fromLow, 3);
        checked++;
      }
    }
    expect(checked).toBe(72);
  });

  it('ensemble reports its three members', () => {
    const [series] = fixtureSeries();
    const r = forecast(series!, 'ensemble');
    expect(r.effectiveModel).toBe('ensemble');
    expect(r.params.members).toHaveLength(3);
  });

  it('every model on a clean seasonal series beats or ties seasonal naive where it should', () => {
    const [series] = fixtureSeries();
    const results = forecastModels(series!, ['holt_winters_additive', 'ets', 'auto']);
    for (const r of results) expect(r.metrics?.maseRatioToSeasonalNaive).toBeLessThan(1);
  });
});

describe('fallbacks', () => {
  it.each([
    { model: 'holt_winters_additive', values: 60, want: 'holt', reason: /needs 104 values/ },
    { model: 'seasonal_naive', values: 40, want: 'naive', reason: /one full season/ },
    { model: 'ets', values: 60, want: 'ets', reason: /seasonal forms not fitted: needs 104 values/ },
    { model: 'linear_regression', values: 60, want: 'linear_regression', reason: /seasonal dummies dropped/ },
    {
      model: 'holt_winters_multiplicative',
      values: 160,
      zeros: true,
      want: 'holt_winters_additive',
      reason: /positive/,
    },
  ] as { model: ModelName; values: number; want: ModelName; reason: RegExp; zeros?: boolean }[])(
    '$model on $values weekly values falls back to $want',
    ({ model, values, want, reason, zeros }) => {
      const y = Array.from({ length: values }, (_, t) =>
        zeros && t % 9 === 0 ? 0 : 100 + 20 * Math.sin(t / 3),
      );
      const r = forecast({ bucketType: 'WEEK', values: y }, model);
      expect(r.effectiveModel).toBe(want);
      expect(r.fallbackFrom).toBe(model);
      expect(r.fallbackReason).toMatch(reason);
    },
  );

  it('a single value still gets a forecast without metrics', () => {
    const r = forecast({ bucketType: 'MONTH', values: [7] }, 'auto');
    expect(r.point).toBe(7);
    expect(r.metrics).toBeNull();
  });

  it.each([
    { values: [], message: /empty/ },
    { values: [1, NaN], message: /index 1/ },
  ])('rejects bad input $values', ({ values, message }) => {
    expect(() => forecast({ bucketType: 'WEEK', values }, 'naive')).toThrow(ForecastInputError);
    expect(() => forecast({ bucketType: 'WEEK', values }, 'naive')).toThrow(message);
  });

  it('rejects bad options and unknown models', () => {
    expect(() => forecast({ bucketType: 'WEEK', values: [1, 2] }, 'naive', { origins: 0 })).toThrow(
      /origins/,
    );
    expect(() => forecast({ bucketType: 'WEEK', values: [1, 2] }, 'nope' as ModelName)).toThrow(
      /unknown model/,
    );
  });
});

describe('properties', () => {
  it('forecasts and interval bounds are never negative and are ordered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1000, max: 5000 }), { minLength: 1, maxLength: 70 }),
        fc.constantFrom<'WEEK' | 'MONTH' | 'DAY' | 'YEAR'>('WEEK', 'MONTH', 'DAY', 'YEAR'),
        (values, bucketType) => {
          for (const r of forecastModels({ bucketType, values }, MODEL_NAMES)) {
            expect(r.point).toBeGreaterThanOrEqual(0);
            expect(r.lo95).toBeGreaterThanOrEqual(0);
            expect(r.lo95).toBeLessThanOrEqual(r.lo80);
            expect(r.lo80).toBeLessThanOrEqual(r.point);
            expect(r.point).toBeLessThanOrEqual(r.hi80);
            expect(r.hi80).toBeLessThanOrEqual(r.hi95);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('sharing fits does not change a model: one model alone equals the same model in a batch', () => {
    for (const s of fixtureSeries()) {
      const together = forecastModels(s, MODEL_NAMES);
      MODEL_NAMES.forEach((name, i) =>
        expect(canonicalJson(forecast(s, name))).toBe(canonicalJson(together[i])),
      );
    }
  });

  it('forecastMany replies in order and reports a bad series without failing the batch', () => {
    const [a] = fixtureSeries();
    const replies = forecastMany([
      { key: 'a', series: a!, models: ['ses'] },
      { key: 'bad', series: { bucketType: 'WEEK', values: [] }, models: ['ses'] },
    ]);
    expect(replies.map((r) => r.key)).toEqual(['a', 'bad']);
    expect(replies[0]?.results?.[0]?.model).toBe('ses');
    expect(replies[1]?.error).toMatch(/empty/);
  });
});

describe('refit on the whole history, honest backtests', () => {
  it("backtests never see an origin's future: changing the newest value moves only the last origin's error", () => {
    for (const s of fixtureSeries()) {
      const base = Array.from(s.values);
      const n = base.length;
      // Far above any forecast, so the last origin's error is (value - forecast) in both cases and
      // the two totals differ by exactly the change when the forecast at that origin is the same.
      const a = forecastModels({ ...s, values: [...base.slice(0, n - 1), 1e7] }, MODEL_NAMES);
      const b = forecastModels({ ...s, values: [...base.slice(0, n - 1), 2e7] }, MODEL_NAMES);
      a.forEach((ra, i) => {
        const rb = b[i]!;
        const ma = ra.metrics!;
        const mb = rb.metrics!;
        expect(mb.origins).toBe(ma.origins);
        expect(Math.abs(mb.mae * mb.origins - ma.mae * ma.origins - 1e7), ra.model).toBeLessThan(1e-3);
      });
    }
  });

  it('the served forecast is fitted on the whole history: its parameters follow the newest buckets', () => {
    const [s] = fixtureSeries();
    const base = Array.from(s!.values);
    const n = base.length;
    const k = 26;
    // Same history before the origins; the newest k buckets (the origins) jump by 60%.
    const shifted = base.map((v, t) => (t >= n - k ? v * 1.6 : v));
    for (const model of ['ses', 'theta', 'holt'] as const) {
      const a = forecast({ ...s!, values: base }, model);
      const b = forecast({ ...s!, values: shifted }, model);
      // A fit on [0, n - k) only would give identical parameters.
      expect(canonicalJson(b.params), model).not.toBe(canonicalJson(a.params));
    }
    // And the served point is that whole-history fit's: SES refitted on all n values.
    const fit = new EtsFitter({ y: Float64Array.from(shifted), m: 52, fitEnd: n }).ses();
    expect(forecast({ ...s!, values: shifted }, 'ses').point).toBeCloseTo(fit.pred[n] as number, 9);
  });
});

describe('reproducibility', () => {
  it('gives byte-identical output in two separate processes', async () => {
    const run = promisify(execFile);
    const script = fileURLToPath(new URL('./testdata/print-forecasts.ts', import.meta.url));
    const [a, b] = await Promise.all([
      run(process.execPath, ['--import', 'tsx', script], { maxBuffer: 64 << 20 }),
      run(process.execPath, ['--import', 'tsx', script], { maxBuffer: 64 << 20 }),
    ]);
    expect(a.stdout.length).toBeGreaterThan(1000);
    expect(a.stdout).toBe(b.stdout);
    // And the same as in this process.
    expect(a.stdout).toBe(canonicalJson(fixtureSeries().map((s) => forecastModels(s, MODEL_NAMES))));
  }, 60_000);
});
