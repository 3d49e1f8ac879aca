import { describe, expect, it } from 'vitest';
import { calendarFeatures, epochDay, estimateTradingDays } from './calendar.js';
import { canonicalJson, forecast, forecastModels, forecastPath, MODEL_NAMES } from './index.js';
import { fitSeasonalNaive } from './models/baselines.js';
import { rng } from './testdata/rng.js';

const DAY_MS = 86_400_000;
const weekIndex = (start: string, monday: string): number =>
  ((epochDay(monday) as number) - (epochDay(start) as number)) / 7;

/**
 * Weekly sales from Monday 2019-01-07: 1,000 a day, plus 20,000 on every 31 October. Halloween
 * 2021 is a Sunday (the last day of the week of 2021-10-25) and Halloween 2022 a Monday (the
 * first day of the week of 2022-10-31): 53 weeks apart, so the 52-week lag misses it.
 */
function halloweenWeekly(weeks: number): { start: string; values: number[] } {
  const start = '2019-01-07';
  const s = epochDay(start) as number;
  const values = Array.from({ length: weeks }, (_, t) => {
    let v = 0;
    for (let d = s + 7 * t; d < s + 7 * t + 7; d++) {
      const date = new Date(d * DAY_MS);
      v += 1000 + (date.getUTCMonth() === 9 && date.getUTCDate() === 31 ? 20_000 : 0);
    }
    return v;
  });
  return { start, values };
}

describe('52 vs 53-week years (WEEK)', () => {
  it('places the dates one calendar year back: one day into bucket t - 53, two across 29 February', () => {
    const start = '2023-01-02';
    const c = calendarFeatures(start, 'WEEK', 120);
    expect(c?.rows).not.toBeNull();
    const yb = c!.yearBack!;
    // 2023-06-05 - 1 year = 2022-06-05: 365 days back, one day before bucket t - 52 starts.
    expect(yb[weekIndex(start, '2023-06-05')]).toBeCloseTo(1 / 7, 12);
    // 2024-03-04 - 1 year = 2023-03-04: 366 days back (29 February between).
    expect(yb[weekIndex(start, '2024-03-04')]).toBeCloseTo(2 / 7, 12);
    // 2024-02-26 - 1 year = 2023-02-26: 365 days (the leap day comes after the bucket start).
    expect(yb[weekIndex(start, '2024-02-26')]).toBeCloseTo(1 / 7, 12);
    expect(calendarFeatures('2023-01-01', 'MONTH', 12)?.yearBack).toBeNull();
    expect(calendarFeatures('2023-01-01', 'DAY', 12)?.yearBack).toBeNull();
  });

  it('seasonal naive looks one calendar year back when the fixed date moved a week position', () => {
    const { start, values } = halloweenWeekly(200);
    const t = weekIndex(start, '2022-10-31');
    const y = Float64Array.from(values.slice(0, t));
    const yearBack = calendarFeatures(start, 'WEEK', t + 1)!.yearBack!;
    const dated = fitSeasonalNaive({ y, m: 52, fitEnd: t, yearBack }).pred[t] as number;
    const plain = fitSeasonalNaive({ y, m: 52, fitEnd: t }).pred[t] as number;
    // 52 weeks back is the week after Halloween 2021 (7,000); the same dates a year back hold one
    // day of the week of 2021-10-25 (27,000): 6/7 x 7,000 + 1/7 x 27,000.
    expect(plain).toBe(7000);
    expect(dated).toBeCloseTo(7000 * (6 / 7) + 27_000 / 7, 6);
    // Through the engine, with the start date (and reproducibly).
    const series = { bucketType: 'WEEK' as const, values: values.slice(0, t), start };
    const f = forecast(series, 'seasonal_naive');
    expect(f.point).toBeCloseTo(dated, 6);
    expect(forecast({ bucketType: 'WEEK', values: values.slice(0, t) }, 'seasonal_naive').point).toBe(7000);
    expect(forecast(series, 'seasonal_naive')).toEqual(f);
  });
});

/**
 * Monthly sales from a daily rate from 2019-01-01: a smooth yearly profile by day of year, and
 * Saturdays selling three times a weekday. Months differ by length and by their 4 or 5 Saturdays.
 * noise: +-noise relative per month (deterministic).
 */
function dailyRateMonthly(
  months: number,
  noise: number,
  seed = 3,
): { start: string; values: number[]; truth: number[] } {
  const next = rng(seed);
  const truth: number[] = [];
  for (let t = 0; t < months + 12; t++) {
    const a = Date.UTC(2019, t, 1) / DAY_MS;
    const b = Date.UTC(2019, t + 1, 1) / DAY_MS;
    let v = 0;
    for (let d = a; d < b; d++) {
      const doy = d - Date.UTC(new Date(d * DAY_MS).getUTCFullYear(), 0, 1) / DAY_MS;
      v += 100 * (1 + 0.2 * Math.cos((2 * Math.PI * doy) / 365.25)) * ((d + 3) % 7 === 5 ? 3 : 1);
    }
    truth.push(v);
  }
  const values = truth.slice(0, months).map((v) => Math.round(v * (1 + noise * (2 * next() - 1))));
  return { start: '2019-01-01', values, truth };
}

describe('trading days (MONTH)', () => {
  it('estimates month length and the Saturday uplift, and nothing for a profile by month index', () => {
    const { start, values } = dailyRateMonthly(60, 0.01);
    const y = Float64Array.from(values);
    const rows = calendarFeatures(start, 'MONTH', 61)!.rows!;
    // Features: 2019-03 has 31 days, 5 Saturdays, 5 Sundays; 2019-02 28, 4, 4.
    expect(Array.from(rows[1]!)).toEqual([28, 4, 4]);
    expect(Array.from(rows[2]!)).toEqual([31, 5, 5]);
    const c = estimateTradingDays(y, rows, 60);
    expect(c).not.toBeNull();
    const [len, sat, sun] = c!.effects as [number, number, number];
    // Month-to-month ratios also carry the yearly profile and the weekend shares, so the length
    // exponent comes out below its true 1 (0.66 here), but well above none.
    expect(len).toBeGreaterThan(0.5);
    expect(len).toBeLessThanOrEqual(1);
    // Saturdays at 3x a weekday: log(1 + 2 s) per Saturday share s, about 2 / (1 + 2/7) = 1.56.
    expect(sat).toBeGreaterThan(1);
    expect(sat).toBeLessThan(2.2);
    expect(Math.abs(sun)).toBeLessThan(0.5);
    // A series seasonal by month index (no days in it) gets no factors at all.
    const next = rng(5);
    const indexed = Float64Array.from(
      { length: 60 },
      (_, t) => 9000 * (1 + 0.3 * Math.cos((2 * Math.PI * t) / 12)) * (1 + 0.02 * (next() - 0.5)),
    );
    expect(estimateTradingDays(indexed, rows, 60)).toBeNull();
  });

  it('forecasts months with 5 Saturdays and short Februaries from the start date', () => {
    const { start, values, truth } = dailyRateMonthly(84, 0.01);
    let dated = 0;
    let undated = 0;
    // One-step forecasts of the months 2024-01 .. 2024-12 (a leap February among them).
    for (let n = 60; n < 72; n++) {
      for (const model of ['seasonal_naive', 'ets'] as const) {
        const d = forecast({ bucketType: 'MONTH', values: values.slice(0, n), start }, model);
        const u = forecast({ bucketType: 'MONTH', values: values.slice(0, n) }, model);
        dated += Math.abs(d.point - truth[n]!);
        undated += Math.abs(u.point - truth[n]!);
      }
    }
    expect(dated).toBeLessThan(0.5 * undated);
  });

  it('applies the factors along a path, and is reproducible', () => {
    const { start, values } = dailyRateMonthly(62, 0.01);
    const series = { bucketType: 'MONTH' as const, values, start };
    for (const model of ['ets', 'auto'] as const) {
      const path = forecastPath(series, model, 12);
      expect(path.steps[0]!.point, model).toBeCloseTo(forecast(series, model).point, 9);
      expect(forecastPath(series, model, 12)).toEqual(path);
    }
    // The next month is 2024-03 (31 days, 5 Saturdays), the one after 2024-04 (30 days, 4).
    const path = forecastPath(series, 'seasonal_naive', 2);
    expect(path.steps[0]!.point).toBeGreaterThan(1.1 * path.steps[1]!.point);
    expect(canonicalJson(forecastModels(series, MODEL_NAMES))).toBe(
      canonicalJson(forecastModels({ ...series, values: [...values] }, MODEL_NAMES)),
    );
  });
});

describe('calendar positions of the seasonal models (WEEK)', () => {
  it('follows t % 52 except for one repeated position (late June) in a 53-week year', () => {
    // Mondays from 2019-12-30 (middle day 2020-01-02: position 0) for eight years.
    const idx = calendarFeatures('2019-12-30', 'WEEK', 420)!.seasonIndex!;
    expect(idx[0]).toBe(0);
    const repeats: number[] = [];
    for (let t = 1; t < 420; t++) {
      if (idx[t] === idx[t - 1]) repeats.push(t);
      else expect(idx[t], `week ${t}`).toBe((idx[t - 1]! + 1) % 52);
    }
    // The week of 2022-06-27 (middle day 06-30, 364 days after 1 July 2021) shares the position of
    // the week before: from then on the turn of the year is position 0 again, not 51.
    expect(repeats).toEqual([weekIndex('2019-12-30', '2022-06-27')]);
    expect(idx[repeats[0]!]).toBe(25);
    expect(idx[weekIndex('2019-12-30', '2023-01-02')]).toBe(0);
    expect(calendarFeatures('2019-12-30', 'MONTH', 12)?.seasonIndex).toBeNull();
  });

  it('keeps a fixed-date peak on its position across 53-week years', () => {
    // Eight years of weeks: 1,000 a day, 2,000 a day from 20 October to 2 November, +-3% noise.
    // On the 52-week ring the peak drifts by 10 days over the years, so profile models (seasonal
    // dummies, theta's decomposition) average it out of place.
    const start = '2018-01-01';
    const s = epochDay(start) as number;
    const next = rng(4);
    const values = Array.from({ length: 416 }, (_, t) => {
      let v = 0;
      for (let d = s + 7 * t; d < s + 7 * t + 7; d++) {
        const date = new Date(d * DAY_MS);
        const md = (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
        v += md >= 1020 && md <= 1102 ? 2000 : 1000;
      }
      return Math.round(v * (1 + 0.06 * (next() - 0.5)));
    });
    for (const model of ['linear_regression', 'theta'] as const) {
      const dated = forecast({ bucketType: 'WEEK', values, start }, model, { origins: 52 }).metrics!;
      const undated = forecast({ bucketType: 'WEEK', values }, model, { origins: 52 }).metrics!;
      expect(dated.mae, model).toBeLessThan(0.75 * undated.mae);
    }
    // A path uses the same positions as the one-step forecast (both fit on all 416 weeks).
    const series = { bucketType: 'WEEK' as const, values, start };
    const path = forecastPath(series, 'ets', 4);
    expect(path.steps[0]!.point).toBeCloseTo(forecast(series, 'ets').point, 9);
  });
});
