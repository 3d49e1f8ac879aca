import { describe, expect, it } from 'vitest';
import {
  chiSquareQuantile,
  easterSunday,
  epochDay,
  estimateCalendar,
  holidayFeatures,
  splitWeekColumns,
  thanksgiving,
} from './calendar.js';
import { forecast, ForecastInputError, forecastPath, inputHash } from './index.js';
import { rng } from './testdata/rng.js';

const iso = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** Weekly sales from Monday 2022-01-03: level 1000 +-5% noise, doubled in the week holding Easter Sunday. */
function easterWeekly(weeks: number, seed = 1): { start: string; values: number[] } {
  const start = '2022-01-03';
  const s = epochDay(start) as number;
  const next = rng(seed);
  const values = Array.from({ length: weeks }, (_, t) => {
    const from = s + 7 * t;
    const year = new Date(from * 86_400_000).getUTCFullYear();
    const e = easterSunday(year);
    const easter = e >= from && e < from + 7;
    return Math.round(1000 * (1 + (next() - 0.5) * 0.1) * (easter ? 2 : 1));
  });
  return { start, values };
}

describe('holiday dates', () => {
  it.each([
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2038, '2038-04-25'],
  ])('Easter %i is %s', (year, want) => {
    expect(iso(easterSunday(year))).toBe(want);
  });

  it.each([
    [2023, '2023-11-23'],
    [2024, '2024-11-28'],
    [2025, '2025-11-27'],
  ])('Thanksgiving %i is %s', (year, want) => {
    expect(iso(thanksgiving(year))).toBe(want);
  });

  it('rejects dates that are not on the calendar', () => {
    expect(epochDay('2024-02-29')).not.toBeNull();
    expect(epochDay('2023-02-29')).toBeNull();
    expect(epochDay('2024-1-05')).toBeNull();
  });
});

describe('holiday features', () => {
  it('splits a window over the weeks it falls in, and follows Easter from March to April', () => {
    // Weeks from Monday 2024-01-01: Good Friday 2024-03-29 to Easter Monday 2024-04-01 straddle
    // the weeks of 03-25 (3 days) and 04-01 (1 day).
    const x = holidayFeatures('2024-01-01', 'WEEK', 70) as Float64Array[];
    const w = (date: string): number => ((epochDay(date) as number) - (epochDay('2024-01-01') as number)) / 7;
    expect(x[w('2024-03-25')]![0]).toBeCloseTo(0.75, 12);
    expect(x[w('2024-04-01')]![0]).toBeCloseTo(0.25, 12);
    // 2025: Good Friday 04-18 to Easter Monday 04-21, again two weeks, three weeks later in the year.
    expect(x[w('2025-04-14')]![0]).toBeCloseTo(0.75, 12);
    expect(x[w('2025-04-21')]![0]).toBeCloseTo(0.25, 12);
    // Every window's shares add up to 1 per year it is whole in.
    const total = x.reduce((a, row) => a + row[0]!, 0);
    expect(total).toBeCloseTo(2, 12);
  });

  it('gives DAY one column per day of each window, and nothing for MONTH', () => {
    const x = holidayFeatures('2024-11-25', 'DAY', 10) as Float64Array[];
    // Thanksgiving 2024-11-28 is index 3; Black Friday index 4, on different columns.
    const col = (t: number): number => x[t]!.findIndex((v) => v === 1);
    expect(col(3)).toBeGreaterThanOrEqual(0);
    expect(col(4)).toBe(col(3) + 1);
    expect(x[0]!.every((v) => v === 0)).toBe(true);
    expect(holidayFeatures('2024-01-01', 'MONTH', 10)).toBeNull();
  });
});

describe('estimateCalendar', () => {
  it('finds the Easter uplift only from the fitting window, and none in pure noise', () => {
    const { start, values } = easterWeekly(180);
    const y = Float64Array.from(values);
    const x = holidayFeatures(start, 'WEEK', y.length + 1) as Float64Array[];
    const c = estimateCalendar(y, x, y.length, 'WEEK');
    expect(c).not.toBeNull();
    // The Easter Sunday week doubles; every other effect (Thanksgiving, Christmas) is none.
    const easterWeek = ((epochDay('2024-03-25') as number) - (epochDay(start) as number)) / 7;
    expect(c!.factor[easterWeek]).toBeGreaterThan(1.8);
    expect(c!.factor[easterWeek]).toBeLessThan(2.2);
    expect(c!.effects.slice(2).every((e) => e === 0)).toBe(true);
    // Before the second Easter there is one occurrence only: nothing is estimated.
    const w2023 = ((epochDay('2023-04-03') as number) - (epochDay(start) as number)) / 7;
    expect(estimateCalendar(y, x, w2023 - 1, 'WEEK')).toBeNull();
    const next = rng(9);
    const noise = Float64Array.from({ length: 180 }, () => 1000 * (1 + (next() - 0.5) * 0.1));
    const n = estimateCalendar(noise, x, noise.length, 'WEEK');
    for (const e of n?.effects ?? []) expect(Math.abs(e)).toBeLessThan(0.05);
  });
});

describe('the joint test of the holiday effects', () => {
  it('approximates the chi-square quantiles it compares with', () => {
    // 99% quantiles: 6.635 (1 df), 23.209 (10), 37.566 (20).
    expect(chiSquareQuantile(1, 2.326)).toBeGreaterThan(6.635 * 0.97);
    expect(chiSquareQuantile(1, 2.326)).toBeLessThan(6.635 * 1.03);
    expect(chiSquareQuantile(10, 2.326)).toBeCloseTo(23.209, 0);
    expect(chiSquareQuantile(20, 2.326)).toBeCloseTo(37.566, 0);
  });

  it('applies no effects to weekly noise, where each window alone would pass one on some series', () => {
    // Three years of weekly noise (+-15%) without holidays. With the per-window shrinkage alone 13 of
    // these 60 series got an effect on some window (a t statistic above 2 by chance among 20).
    const x = holidayFeatures('2022-01-03', 'WEEK', 157) as Float64Array[];
    let withEffects = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const next = rng(seed);
      const y = Float64Array.from({ length: 156 }, () => 1000 * (1 + (next() - 0.5) * 0.3));
      if (estimateCalendar(y, x, y.length, 'WEEK') !== null) withEffects++;
    }
    expect(withEffects).toBe(0);
  });

  it('still finds a real holiday effect in the same noise', () => {
    const x = holidayFeatures('2022-01-03', 'WEEK', 157) as Float64Array[];
    const s = epochDay('2022-01-03') as number;
    const next = rng(14);
    const y = Float64Array.from({ length: 156 }, (_, t) => {
      const from = s + 7 * t;
      const e = easterSunday(new Date(from * 86_400_000).getUTCFullYear());
      return 1000 * (1 + (next() - 0.5) * 0.3) * (e >= from && e < from + 7 ? 1.8 : 1);
    });
    const c = estimateCalendar(y, x, y.length, 'WEEK');
    expect(c).not.toBeNull();
    const easter2024 = ((epochDay('2024-03-25') as number) - s) / 7;
    expect(c!.factor[easter2024]).toBeGreaterThan(1.4);
  });
});

describe('estimateCalendar on weeks a window straddles', () => {
  // Weekly sales from Monday 2022-01-03, level 1000 +-5%: the week holding Thanksgiving (Thursday
  // to Sunday) sells 2.5x; Cyber Monday, the last day of the engine's window, falls in the next week
  // and sells as usual.
  function thanksgivingWeekly(weeks: number): { start: string; values: number[] } {
    const start = '2022-01-03';
    const s = epochDay(start) as number;
    const next = rng(4);
    const values = Array.from({ length: weeks }, (_, t) => {
      const from = s + 7 * t;
      const tg = thanksgiving(new Date(from * 86_400_000).getUTCFullYear());
      const uplift = tg >= from && tg < from + 7 ? 2.5 : 1;
      return Math.round(1000 * (1 + (next() - 0.5) * 0.1) * uplift);
    });
    return { start, values };
  }

  it('gives the week after a holiday its own effect instead of a share of the holiday week’s', () => {
    const { start, values } = thanksgivingWeekly(156);
    const y = Float64Array.from(values);
    const x = holidayFeatures(start, 'WEEK', y.length + 1) as Float64Array[];
    // Fitted on 2022-2024 (three Thanksgivings); 2024's Thanksgiving week starts 2024-11-25.
    const week = (date: string): number => ((epochDay(date) as number) - (epochDay(start) as number)) / 7;
    const c = estimateCalendar(y, x, y.length, 'WEEK');
    expect(c).not.toBeNull();
    expect(c!.factor[week('2024-11-25')]).toBeGreaterThan(2.3);
    expect(c!.factor[week('2024-11-25')]).toBeLessThan(2.7);
    // One effect per window spread by share of days would raise the Cyber Monday week by ~1.35x.
    expect(Math.abs(c!.factor[week('2024-12-02')]! - 1)).toBeLessThan(0.05);
  });

  it('splits each WEEK window into the bucket an occurrence starts in and the buckets after it', () => {
    const x = holidayFeatures('2024-01-01', 'WEEK', 70) as Float64Array[];
    const s = splitWeekColumns(x);
    const w = (date: string): number => ((epochDay(date) as number) - (epochDay('2024-01-01') as number)) / 7;
    // Easter 2024: Good Friday to Sunday in the week of 03-25 (its first column), Easter Monday in
    // the week of 04-01 (its second).
    expect(s[w('2024-03-25')]![0]).toBeCloseTo(0.75, 12);
    expect(s[w('2024-03-25')]![1]).toBe(0);
    expect(s[w('2024-04-01')]![0]).toBe(0);
    expect(s[w('2024-04-01')]![1]).toBeCloseTo(0.25, 12);
    expect(s[0]!.length).toBe(2 * x[0]!.length);
  });
});

describe('calendar effects in the engine', () => {
  it('forecasts the moved Easter week from dates, and leaves undated series and their hash alone', () => {
    const { start, values } = easterWeekly(171);
    // The next bucket (index 171) is the week of Monday 2025-04-14, which holds Easter 2025.
    expect(iso((epochDay(start) as number) + 7 * 171)).toBe('2025-04-14');
    const dated = forecast({ bucketType: 'WEEK', values, start }, 'ets');
    const undated = forecast({ bucketType: 'WEEK', values }, 'ets');
    expect(dated.point).toBeGreaterThan(1.6 * undated.point);
    expect(dated.point).toBeLessThan(2.4 * 1000);
    // The hash covers the date only when it is given.
    expect(undated.inputHash).toBe(
      inputHash({
        bucketType: 'WEEK',
        values,
        model: 'ets',
        modelVersion: undated.modelVersion,
        origins: 26,
        selectionOrigins: 26,
      }),
    );
    expect(dated.inputHash).not.toBe(undated.inputHash);
    expect(forecast({ bucketType: 'WEEK', values, start }, 'ets')).toEqual(dated);
  });

  it('applies the effects along a path: step 1 is the dated one-step forecast, the Easter week lands on its step', () => {
    const { start, values } = easterWeekly(171);
    for (const model of ['ets', 'auto'] as const) {
      // Step 1 (index 171) holds Easter 2025, as above.
      const dated = forecastPath({ bucketType: 'WEEK', values, start }, model, 13);
      expect(dated.steps[0]!.point, model).toBeCloseTo(
        forecast({ bucketType: 'WEEK', values, start }, model).point,
        9,
      );
      expect(dated.steps[0]!.point, model).toBeGreaterThan(1.6 * dated.steps[2]!.point);
      expect(forecastPath({ bucketType: 'WEEK', values, start }, model, 13)).toEqual(dated);
    }
    // Ten weeks earlier Easter is step 11 of the path (the week of 2025-04-14 again).
    const early = values.slice(0, 161);
    const dated = forecastPath({ bucketType: 'WEEK', values: early, start }, 'ets', 13);
    const undated = forecastPath({ bucketType: 'WEEK', values: early }, 'ets', 13);
    expect(dated.steps[10]!.point).toBeGreaterThan(1.6 * dated.steps[9]!.point);
    expect(undated.steps[10]!.point).toBeLessThan(1.3 * undated.steps[9]!.point);
    expect(dated.inputHash).not.toBe(undated.inputHash);
  });

  it('rejects a start that is not a date', () => {
    expect(() => forecast({ bucketType: 'WEEK', values: [1, 2, 3], start: '2024-13-01' }, 'naive')).toThrow(
      ForecastInputError,
    );
  });
});
