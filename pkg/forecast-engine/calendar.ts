/**
 * Calendar effects for weekly and daily series: holidays whose date (and therefore whose week or
 * day position within the season) moves from year to year. A fixed season of 52 weeks (or a
 * 7-day week) cannot hold them: Easter falls anywhere from 22 March to 25 April, US Thanksgiving
 * and the shopping days after it move within a week, and the Christmas run-up shifts by a weekday
 * every year and by a whole week position in 53-week years.
 *
 * The engine takes the date of the first bucket as an optional input. From it each bucket gets one
 * feature per holiday window: the share of the window's days that fall inside the bucket. The
 * multiplicative effect of each window is estimated on the fitting window only, by least squares
 * (ml-regression) of each holiday bucket's ratio to its local level (nearby buckets without a
 * holiday, on the same weekday for DAY) on its features. The models then see the series divided by
 * its calendar factor 1 + sum(effect x feature), and their forecasts are multiplied back: the
 * season they learn is the one without the moving holidays, and the holidays land on the right
 * bucket of the year being forecast.
 */
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import type { BucketType } from './types.js';

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a YYYY-MM-DD date; null when it is not a valid calendar date. */
export function epochDay(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

const dayOf = (y: number, month: number, d: number): number => Date.UTC(y, month - 1, d) / DAY_MS;

/** Easter Sunday (Gregorian, anonymous computus) as an epoch day. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(year, month, day);
}

/** US Thanksgiving (fourth Thursday of November) as an epoch day. */
export function thanksgiving(year: number): number {
  const nov1 = dayOf(year, 11, 1);
  // 1970-01-01 was a Thursday: epoch day 0 has weekday offset 0 from Thursday.
  const toThursday = (((0 - nov1) % 7) + 7) % 7;
  return nov1 + toThursday + 21;
}

/** The holiday windows, each a run of days per year: [first day, number of days]. */
export const HOLIDAY_WINDOWS: readonly {
  readonly name: string;
  readonly days: (y: number) => [number, number];
}[] = [
  // Good Friday to Easter Monday.
  { name: 'easter', days: (y) => [easterSunday(y) - 2, 4] },
  // Thanksgiving, Black Friday, the weekend and Cyber Monday.
  { name: 'thanksgiving', days: (y) => [thanksgiving(y), 5] },
  // The last shopping week before Christmas (fixed dates, moving weekday and week position).
  { name: 'christmas', days: (y) => [dayOf(y, 12, 18), 7] },
];

/** Calendar factors and what they were estimated from. */
export interface CalendarEffects {
  /** Multiplicative effect per holiday window (0: none estimated). */
  readonly effects: readonly number[];
  /** factor[t] = 1 + sum(effect x feature) for t in [0, n]; length n + 1. */
  readonly factor: Float64Array;
}

/**
 * Features of buckets [0, count). WEEK: one column per window, the share of its days inside the
 * bucket. DAY: one column per day of every window (Black Friday is not Thanksgiving), 1 on that day.
 */
export function holidayFeatures(start: string, bucketType: BucketType, count: number): Float64Array[] | null {
  if (bucketType !== 'WEEK' && bucketType !== 'DAY') return null;
  const s = epochDay(start);
  if (s === null) return null;
  const daily = bucketType === 'DAY';
  const len = daily ? 1 : 7;
  const end = s + len * count;
  const firstYear = new Date(s * DAY_MS).getUTCFullYear();
  const lastYear = new Date(end * DAY_MS).getUTCFullYear();
  const widths = HOLIDAY_WINDOWS.map((w) => w.days(firstYear)[1]);
  const cols = daily ? widths.reduce((a, b) => a + b, 0) : HOLIDAY_WINDOWS.length;
  const x = Array.from({ length: count }, () => new Float64Array(cols));
  let col0 = 0;
  HOLIDAY_WINDOWS.forEach((w, j) => {
    for (let year = firstYear; year <= lastYear; year++) {
      const [first, days] = w.days(year);
      for (let d = first; d < first + days; d++) {
        if (d < s || d >= end) continue;
        const row = x[Math.floor((d - s) / len)] as Float64Array;
        const c = daily ? col0 + (d - first) : j;
        row[c] = (row[c] as number) + (daily ? 1 : 1 / days);
      }
    }
    col0 += widths[j] as number;
  });
  return x;
}

/** Fewest occurrences of a window in the fitting data before its effect is estimated. */
const MIN_OCCURRENCES = 2;
/** Share of zero buckets above which no effects are estimated (the engine's intermittent share is 0.3). */
const SPARSE_SHARE = 0.3;
/** Largest effect applied: a factor of at most 1 + MAX_EFFECT. */
const MAX_EFFECT = 3;

/**
 * Estimates the multiplicative holiday effects on y[0..fitEnd) and returns the calendar factor of
 * every bucket [0, n]; null when no window occurs often enough to estimate (the series is then
 * modelled unadjusted).
 */
export function estimateCalendar(
  y: Float64Array,
  x: readonly Float64Array[],
  fitEnd: number,
  bucketType: BucketType,
): CalendarEffects | null {
  const w = x[0]?.length ?? 0;
  if (w === 0) return null;
  // Sparse series: a ratio to a local level of a few sales is noise, not a holiday effect.
  let zeros = 0;
  for (let t = 0; t < fitEnd; t++) if (!((y[t] as number) > 0)) zeros++;
  if (zeros > SPARSE_SHARE * fitEnd) return null;
  const holiday = (t: number): boolean => (x[t] as Float64Array).some((v) => v > 0);
  // Local level: nearby buckets without a holiday (the same weekday for DAY).
  const step = bucketType === 'DAY' ? 7 : 1;
  const reach = bucketType === 'DAY' ? 3 : 4;
  const rows: number[][] = [];
  const target: number[][] = [];
  const occurrences = new Array<number>(w).fill(0);
  // Noise of an ordinary bucket against its local level, for the effects' standard errors.
  let noise = 0;
  let noiseCount = 0;
  for (let t = 0; t < fitEnd; t++) {
    const isHoliday = holiday(t);
    let sum = 0;
    let cnt = 0;
    for (let j = 1; j <= reach; j++)
      for (const u of [t - j * step, t + j * step])
        if (u >= 0 && u < fitEnd && !holiday(u)) {
          sum += y[u] as number;
          cnt++;
        }
    if (cnt < 2 || !(sum > 0)) continue;
    if (!isHoliday) {
      const d = (y[t] as number) / (sum / cnt) - 1;
      noise += d * d;
      noiseCount++;
      continue;
    }
    const row = Array.from(x[t] as Float64Array);
    rows.push(row);
    target.push([(y[t] as number) / (sum / cnt) - 1]);
    row.forEach((v, j) => {
      if (v > 0) occurrences[j] = (occurrences[j] as number) + v;
    });
  }
  const usable = occurrences.map((o) => o >= MIN_OCCURRENCES - 1e-9);
  if (!usable.some(Boolean) || noiseCount < 10) return null;
  const sigma = Math.sqrt(noise / noiseCount);
  const cols = usable.flatMap((u, j) => (u ? [j] : []));
  const effects = new Array<number>(w).fill(0);
  try {
    const reg = new MultivariateLinearRegression(
      rows.map((r) => cols.map((j) => r[j] as number)),
      target,
      { intercept: false, statistics: false },
    );
    cols.forEach((j, i) => {
      const b = (reg.weights[i] as number[])[0] as number;
      // Shrunk toward none by its t statistic against the noise of ordinary buckets (positive-part,
      // zero below t = 2): an effect the occurrences do not agree on is not applied.
      let sxx = 0;
      for (const r of rows) sxx += (r[j] as number) ** 2;
      const tStat = b / (sigma / Math.sqrt(sxx) + 1e-12);
      const keep = Math.max(0, 1 - 4 / (tStat * tStat));
      effects[j] = Number.isFinite(b) ? Math.min(MAX_EFFECT, Math.max(-0.8, b * keep)) : 0;
    });
  } catch {
    return null;
  }
  if (effects.every((e) => e === 0)) return null;
  const factor = new Float64Array(x.length);
  for (let t = 0; t < x.length; t++) {
    let f = 1;
    const row = x[t] as Float64Array;
    for (let j = 0; j < w; j++) f += (effects[j] as number) * (row[j] as number);
    factor[t] = Math.max(0.2, f);
  }
  return { effects, factor };
}
