/**
 * Calendar effects for weekly and daily series: holidays whose date (and therefore whose week or
 * day position within the season) moves from year to year. A fixed season of 52 weeks (or a
 * 7-day week) cannot hold them: Easter falls anywhere from 22 March to 25 April, US Thanksgiving
 * and the shopping days after it move within a week, and the Christmas run-up shifts by a weekday
 * every year and by a whole week position in 53-week years.
 *
 * The engine takes the date of the first bucket as an optional input. From it each bucket gets one
 * feature per holiday window: the share of the window's days that fall inside the bucket (WEEK:
 * split into the bucket where an occurrence starts and the buckets after it, splitWeekColumns). The
 * multiplicative effect of each window is estimated on the fitting window only, by least squares
 * (ml-regression) of each holiday bucket's ratio to its local level (nearby buckets without a
 * holiday, on the same weekday for DAY) on its features. The models then see the series divided by
 * its calendar factor 1 + sum(effect x feature), and their forecasts are multiplied back: the
 * season they learn is the one without the moving holidays, and the holidays land on the right
 * bucket of the year being forecast.
 *
 * Two more calendar facts a fixed season misses, also from the start date:
 * - WEEK: 52 weeks are 364 days, so a date drifts through the 52-week ring by a day a year (two
 *   across 29 February) and a whole position after a 53-week year. The seasonal baselines look
 *   back one calendar year instead (yearBack: the same dates one year earlier span buckets t - 52
 *   and t - 53).
 * - MONTH: trading days. A month's sales depend on its length and on how many weekend days it
 *   holds; estimateTradingDays turns that into a factor per month, applied like the holiday factor.
 */
import { leastSquares } from './least-squares.js';
import { f64, scratchF64 } from './scratch.js';
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
  /**
   * WEEK: two multiplicative effects per holiday window, for the bucket where an occurrence starts
   * and for the buckets after it (splitWeekColumns); DAY: one per day of every window (0: none
   * estimated). MONTH: the
   * month-length exponent and the Saturday and Sunday coefficients (estimateTradingDays).
   */
  readonly effects: readonly number[];
  /** The factor of every bucket t in [0, n] (holidays: 1 + sum(effect x feature)); length n + 1. */
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
 * One-sided normal quantile of the joint test the holiday effects must pass before any is applied:
 * the sum of the windows' squared t statistics against the chi-square quantile with one degree of
 * freedom per estimated column, at 1% (z = 2.326). Each column is also shrunk on its own (zero below
 * t = 2), but with ten windows split in two that lets a spurious effect through on about one series
 * in four without holidays (38 of the 150 synthetic `trend` series); the joint test rejects them
 * where the holiday buckets as a whole do not stand out. Measured (bench/forecast/README.md, section
 * "Selection against statsforecast"): `trend` -0.6%, `level_shift` -1.0% WAPE for `auto`, the
 * holiday families unchanged.
 */
export const JOINT_TEST_Z = 2.326;

/**
 * Upper quantile of the chi-square distribution with df degrees of freedom at the one-sided normal
 * quantile z (Wilson-Hilferty: accurate to a few per cent of the quantile from one degree of freedom).
 */
export function chiSquareQuantile(df: number, z: number): number {
  const v = 2 / (9 * df);
  return df * Math.max(0, 1 - v + z * Math.sqrt(v)) ** 3;
}

/**
 * WEEK: each window's share column split in two, the bucket where an occurrence starts and the
 * buckets after it, so each gets its own effect. With one column the effect is spread by share of
 * days, and a window whose days do not all sell alike puts its uplift where it is not: Thanksgiving
 * to Cyber Monday in weeks from Monday puts 4/5 of the window in the Thanksgiving week and 1/5
 * (Cyber Monday) in the next, and one effect fitted to a Thanksgiving week of 2.5x raised the week
 * after by 1.4x as well; Good Friday to Easter Monday and 18-24 December spill the same way.
 * Measured (bench/forecast/README.md, "auto vs the best single model, holiday_weekly"): auto
 * -14.6% WAPE on holiday_weekly, -3.3% on dated_weekly.
 */
export function splitWeekColumns(x: readonly Float64Array[]): Float64Array[] {
  const w = x[0]?.length ?? 0;
  return x.map((row, t) => {
    const out = new Float64Array(2 * w);
    const prev = t > 0 ? (x[t - 1] as Float64Array) : null;
    for (let j = 0; j < w; j++) {
      const later = prev !== null && (prev[j] as number) > 0;
      out[2 * j + (later ? 1 : 0)] = row[j] as number;
    }
    return out;
  });
}

/**
 * splitWeekColumns of a feature array, kept per array: the candidate sets of one series (and the
 * series sharing a calendar) estimate from the same features. Neither is ever written.
 */
const splits = new WeakMap<readonly Float64Array[], Float64Array[]>();
function splitOf(features: readonly Float64Array[]): Float64Array[] {
  let x = splits.get(features);
  if (!x) splits.set(features, (x = splitWeekColumns(features)));
  return x;
}

/**
 * Estimates the multiplicative holiday effects on y[0..fitEnd) and returns the calendar factor of
 * every bucket [0, n]; null when no window occurs often enough to estimate (the series is then
 * modelled unadjusted). WEEK: two effects per window (splitWeekColumns), each estimated once the
 * window has occurred MIN_OCCURRENCES times.
 */
export function estimateCalendar(
  y: Float64Array,
  features: readonly Float64Array[],
  fitEnd: number,
  bucketType: BucketType,
): CalendarEffects | null {
  if ((features[0]?.length ?? 0) === 0) return null;
  const split = bucketType === 'WEEK';
  const x = split ? splitOf(features) : features;
  const w = x[0]?.length ?? 0;
  // Sparse series: a ratio to a local level of a few sales is noise, not a holiday effect.
  let zeros = 0;
  for (let t = 0; t < fitEnd; t++) if (!((y[t] as number) > 0)) zeros++;
  if (zeros > SPARSE_SHARE * fitEnd) return null;
  // Whether each bucket of the fitting window holds a holiday (read up to eight times per bucket).
  const isHoliday = new Uint8Array(fitEnd);
  for (let t = 0; t < fitEnd; t++) {
    const row = x[t] as Float64Array;
    for (let j = 0; j < row.length; j++)
      if ((row[j] as number) > 0) {
        isHoliday[t] = 1;
        break;
      }
  }
  const holiday = (t: number): boolean => isHoliday[t] === 1;
  // Local level: nearby buckets without a holiday (the same weekday for DAY).
  const step = bucketType === 'DAY' ? 7 : 1;
  const reach = bucketType === 'DAY' ? 3 : 4;
  const rows: Float64Array[] = [];
  const target: number[] = [];
  const occurrences = new Array<number>(w).fill(0);
  // Noise of an ordinary bucket against its local level, for the effects' standard errors.
  let noise = 0;
  let noiseCount = 0;
  for (let t = 0; t < fitEnd; t++) {
    let sum = 0;
    let cnt = 0;
    for (let j = 1; j <= reach; j++) {
      // Before, then after (the order of the sum).
      const before = t - j * step;
      if (before >= 0 && before < fitEnd && !holiday(before)) {
        sum += y[before] as number;
        cnt++;
      }
      const after = t + j * step;
      if (after >= 0 && after < fitEnd && !holiday(after)) {
        sum += y[after] as number;
        cnt++;
      }
    }
    if (cnt < 2 || !(sum > 0)) continue;
    if (!holiday(t)) {
      const d = (y[t] as number) / (sum / cnt) - 1;
      noise += d * d;
      noiseCount++;
      continue;
    }
    // Read only (the rows are shared with splitOf's cache).
    const row = x[t] as Float64Array;
    rows.push(row);
    target.push((y[t] as number) / (sum / cnt) - 1);
    for (let j = 0; j < row.length; j++) {
      const v = row[j] as number;
      if (v > 0) occurrences[j] = (occurrences[j] as number) + v;
    }
  }
  // A split column counts the occurrences of its whole window; it needs a bucket of its own too.
  const whole = (j: number): number =>
    split
      ? (occurrences[j - (j % 2)] as number) + (occurrences[j - (j % 2) + 1] as number)
      : (occurrences[j] as number);
  const usable = occurrences.map((o, j) => o > 0 && whole(j) >= MIN_OCCURRENCES - 1e-9);
  if (!usable.some(Boolean) || noiseCount < 10) return null;
  const sigma = Math.sqrt(noise / noiseCount);
  const cols = usable.flatMap((u, j) => (u ? [j] : []));
  const effects = new Array<number>(w).fill(0);
  try {
    // ml-regression's least squares (least-squares.ts) on the usable columns.
    const p = cols.length;
    const design = new Float64Array(rows.length * p);
    rows.forEach((r, i) => cols.forEach((j, q) => (design[i * p + q] = r[j] as number)));
    const weights = leastSquares(design, rows.length, p, target, false, false).weights;
    // Each effect's t statistic against the noise of ordinary buckets.
    const tStats = cols.map((j, i) => {
      const b = weights[i] as number;
      let sxx = 0;
      for (const r of rows) sxx += (r[j] as number) ** 2;
      return b / (sigma / Math.sqrt(sxx) + 1e-12);
    });
    // Jointly: holiday buckets that do not stand out as a whole get no effects (JOINT_TEST_Z).
    let chi2 = 0;
    for (const t of tStats) if (Number.isFinite(t)) chi2 += t * t;
    if (chi2 < chiSquareQuantile(cols.length, JOINT_TEST_Z)) return null;
    cols.forEach((j, i) => {
      const b = weights[i] as number;
      // Shrunk toward none by its t statistic (positive-part, zero below t = 2): an effect the
      // occurrences do not agree on is not applied.
      const tStat = tStats[i] as number;
      const keep = Math.max(0, 1 - 4 / (tStat * tStat));
      effects[j] = Number.isFinite(b) ? Math.min(MAX_EFFECT, Math.max(-0.8, b * keep)) : 0;
    });
  } catch {
    return null;
  }
  if (effects.every((e) => e === 0)) return null;
  const factor = f64(x.length);
  for (let t = 0; t < x.length; t++) {
    let f = 1;
    const row = x[t] as Float64Array;
    for (let j = 0; j < w; j++) f += (effects[j] as number) * (row[j] as number);
    factor[t] = Math.max(0.2, f);
  }
  return { effects, factor };
}

/**
 * Everything the engine derives from a series' start date, per bucket [0, count): what the
 * calendar factors are estimated from, and for WEEK where the same dates one year earlier lie.
 */
export interface CalendarFeatures {
  readonly bucketType: BucketType;
  /**
   * WEEK and DAY: the holiday features of {@link holidayFeatures}. MONTH: the month's number of
   * days, Saturdays and Sundays (trading days). null for YEAR.
   */
  readonly rows: readonly Float64Array[] | null;
  /**
   * WEEK only: the share of the seven dates one calendar year before bucket t (t's dates minus one
   * year: 365 days back, 366 across a 29 February) that fall into bucket t - 53; the rest fall into
   * bucket t - 52. 1/7 most years, 2/7 across a leap day.
   */
  readonly yearBack: Float64Array | null;
  /**
   * WEEK only: each bucket's position in the year, by the date of its middle day: the week of the
   * year counted from 1 July (days since 1 July / 7, 0..51, the last also holding the 53rd week of
   * a 53-week year), rotated so that 0 is the week around 1 January. The seasonal models index
   * their season by it, so a position stays on the same dates (within a week) instead of drifting
   * through the 52-week ring a day a year.
   */
  readonly seasonIndex: Int32Array | null;
}

/**
 * Fewest weeks of fitting data before the seasonal models index their season by calendar position:
 * six years, over which the 52-week ring drifts 7.5 days, more than a bucket. Over shorter windows
 * the ring misplaces a date by less than a bucket, while a position repeated in a 53-week year
 * puts consecutive years a week apart; measured on the benchmark (bench/forecast/README.md), the
 * positions cost 3% on the real weekly store_w (209 weeks) and gain on the seven-year dated_weekly
 * family. Decided per fit on its own fitting window (like every parameter), so a backtest origin's
 * models do not depend on how long the series grows later.
 */
export const MIN_POSITION_WEEKS = 313;

/** Calendar features of buckets [0, count) of a series starting on `start`; null when it is not a date. */
export function calendarFeatures(
  start: string,
  bucketType: BucketType,
  count: number,
): CalendarFeatures | null {
  const s = epochDay(start);
  if (s === null) return null;
  if (bucketType === 'MONTH')
    return { bucketType, rows: monthFeatures(s, count), yearBack: null, seasonIndex: null };
  const rows = holidayFeatures(start, bucketType, count);
  let yearBack: Float64Array | null = null;
  let seasonIndex: Int32Array | null = null;
  if (bucketType === 'WEEK') {
    seasonIndex = new Int32Array(count);
    for (let t = 0; t < count; t++) {
      // Weeks of the year counted from 1 July, so that the position holding two weeks in a
      // 53-week year is the last week of June (quiet in retail) rather than the last week of
      // December; rotated by 26 so that position 0 is the turn of the year.
      const mid = s + 7 * t + 3;
      const yr = new Date(mid * DAY_MS).getUTCFullYear();
      const july = dayOf(yr, 7, 1) <= mid ? dayOf(yr, 7, 1) : dayOf(yr - 1, 7, 1);
      seasonIndex[t] = (Math.min(51, Math.floor((mid - july) / 7)) + 26) % 52;
    }
  }
  if (bucketType === 'WEEK') {
    yearBack = new Float64Array(count);
    for (let t = 0; t < count; t++) {
      const day = s + 7 * t;
      const d = new Date(day * DAY_MS);
      const before = dayOf(d.getUTCFullYear() - 1, d.getUTCMonth() + 1, d.getUTCDate());
      yearBack[t] = (day - before - 364) / 7;
    }
  }
  return { bucketType, rows, yearBack, seasonIndex };
}

/** The features of the first `count` buckets (the calendar of a shorter series from the same start). */
export function sliceCalendar(c: CalendarFeatures, count: number): CalendarFeatures {
  return {
    bucketType: c.bucketType,
    rows: c.rows ? c.rows.slice(0, count) : null,
    yearBack: c.yearBack ? c.yearBack.subarray(0, count) : null,
    seasonIndex: c.seasonIndex ? c.seasonIndex.subarray(0, count) : null,
  };
}

/** [days, Saturdays, Sundays] of each month [0, count) from the month holding epoch day s. */
function monthFeatures(s: number, count: number): Float64Array[] {
  const d = new Date(s * DAY_MS);
  const y0 = d.getUTCFullYear();
  const m0 = d.getUTCMonth();
  return Array.from({ length: count }, (_, t) => {
    const a = Date.UTC(y0, m0 + t, 1) / DAY_MS;
    const b = Date.UTC(y0, m0 + t + 1, 1) / DAY_MS;
    const row = new Float64Array(3);
    row[0] = b - a;
    // Weekday of epoch day e: (e + 3) % 7, 0 = Monday (1970-01-01 was a Thursday).
    for (let e = a; e < b; e++) {
      const wd = (e + 3) % 7;
      if (wd === 5) row[1] = (row[1] as number) + 1;
      else if (wd === 6) row[2] = (row[2] as number) + 1;
    }
    return row;
  });
}

/** Mean month length (days) of the Gregorian calendar. */
const MEAN_MONTH = 365.2425 / 12;
/** Fewest pairs of months before an effect is estimated (else it is none). */
const MIN_PAIRS = 12;
/** Largest weekend coefficient applied (a Saturday share 1/7 above normal moves the month by e^(3/7)). */
const MAX_WEEKEND = 3;

/**
 * Least squares (ml-regression, with an intercept: least-squares.ts) of z[0..rows) on the w columns of x
 * (row-major); returns each coefficient shrunk toward 0 by its t statistic (positive part of
 * 1 - 4/t^2: zero below t = 2), clamped to [lo, hi]; w zeros with fewer than MIN_PAIRS rows or a
 * singular fit.
 */
function shrunkCoefficients(
  x: Float64Array,
  z: Float64Array,
  rows: number,
  w: number,
  lo: number,
  hi: number,
): number[] {
  const out = new Array<number>(w).fill(0);
  if (rows < MIN_PAIRS) return out;
  try {
    const reg = leastSquares(x, rows, w, z, true, true);
    const tStats = reg.tStats as Float64Array;
    for (let j = 0; j < w; j++) {
      const b = reg.weights[j] as number;
      const tStat = tStats[j] as number;
      const keep = Number.isFinite(tStat) ? Math.max(0, 1 - 4 / (tStat * tStat)) : 0;
      out[j] = Number.isFinite(b) ? Math.min(hi, Math.max(lo, b * keep)) : 0;
    }
  } catch {
    out.fill(0);
  }
  return out;
}

/** The pairs of estimateTradingDays (reused buffers, scratch.ts). */
const tradingX = scratchF64();
const tradingZ = scratchF64();

/** What estimateTradingDays reads of a month calendar, per month t (computed once per calendar). */
interface TradingCalendar {
  /** log(days(t) / days(t - 1)), t >= 1. */
  readonly logDays1: Float64Array;
  /** log(days(t) / days(t - 12)), t >= 12. */
  readonly logDays12: Float64Array;
  /** Change of the Saturday and of the Sunday share from a year before, t >= 12. */
  readonly sat12: Float64Array;
  readonly sun12: Float64Array;
  /** days(t) / MEAN_MONTH, and the Saturday and Sunday shares less 1/7. */
  readonly length: Float64Array;
  readonly sat: Float64Array;
  readonly sun: Float64Array;
}
const tradingCalendars = new WeakMap<readonly Float64Array[], TradingCalendar>();
function tradingCalendar(rows: readonly Float64Array[]): TradingCalendar {
  let c = tradingCalendars.get(rows);
  if (c) return c;
  const n = rows.length;
  const days = (t: number): number => (rows[t] as Float64Array)[0] as number;
  const share = (t: number, j: number): number => ((rows[t] as Float64Array)[j] as number) / days(t);
  c = {
    logDays1: new Float64Array(n),
    logDays12: new Float64Array(n),
    sat12: new Float64Array(n),
    sun12: new Float64Array(n),
    length: new Float64Array(n),
    sat: new Float64Array(n),
    sun: new Float64Array(n),
  };
  for (let t = 0; t < n; t++) {
    if (t >= 1) c.logDays1[t] = Math.log(days(t) / days(t - 1));
    if (t >= 12) {
      c.logDays12[t] = Math.log(days(t) / days(t - 12));
      c.sat12[t] = share(t, 1) - share(t - 12, 1);
      c.sun12[t] = share(t, 2) - share(t - 12, 2);
    }
    c.length[t] = days(t) / MEAN_MONTH;
    c.sat[t] = share(t, 1) - 1 / 7;
    c.sun[t] = share(t, 2) - 1 / 7;
  }
  tradingCalendars.set(rows, c);
  return c;
}

/**
 * What estimateTradingDays reads of a series: its log ratios to the month before and to the same
 * month a year before (where both months are positive). A caller that estimates several fitting
 * windows of one series (the engine's candidate sets) passes one memo for all of them.
 */
export interface TradingMemo {
  y?: Float64Array;
  logY1?: Float64Array;
  logY12?: Float64Array;
}
function logRatiosOf(y: Float64Array, memo: TradingMemo): { logY1: Float64Array; logY12: Float64Array } {
  if (memo.y !== y || !memo.logY1 || !memo.logY12) {
    const n = y.length;
    const logY1 = new Float64Array(n);
    const logY12 = new Float64Array(n);
    for (let t = 1; t < n; t++) {
      if ((y[t] as number) > 0 && (y[t - 1] as number) > 0)
        logY1[t] = Math.log((y[t] as number) / (y[t - 1] as number));
      if (t >= 12 && (y[t] as number) > 0 && (y[t - 12] as number) > 0)
        logY12[t] = Math.log((y[t] as number) / (y[t - 12] as number));
    }
    memo.y = y;
    memo.logY1 = logY1;
    memo.logY12 = logY12;
  }
  return { logY1: memo.logY1, logY12: memo.logY12 };
}

/**
 * Trading-day factors of a monthly series: a month's sales can scale with its length (28 to 31
 * days) and with how many of its days fall on a weekend (a 31-day month holds 4 or 5 Saturdays).
 * The factor of month t is (days / mean month length)^c x exp(bSat (Saturdays / days - 1/7) + bSun
 * (Sundays / days - 1/7)), estimated on y[0..fitEnd) by least squares (ml-regression), each
 * coefficient shrunk by its t statistic like the holiday effects (zero below t = 2):
 * - c in [0, 1] from each month's log ratio to the month before on the log ratio of their lengths
 *   (with an intercept). Series whose months do not scale with their length (a profile by month
 *   index) get c = 0: dividing them by the length would add a February dip the data do not have.
 * - bSat and bSun from each month's log ratio to the same month one year earlier, less c times the
 *   log ratio of their lengths, on the change of its weekend shares (with an intercept for growth).
 * Null for sparse series (more than 30% zero months). The calendar's logs and shares are computed
 * once per calendar, the series' log ratios once per memo (TradingMemo).
 */
export function estimateTradingDays(
  y: Float64Array,
  rows: readonly Float64Array[],
  fitEnd: number,
  memo: TradingMemo = {},
): CalendarEffects | null {
  if (rows.length === 0) return null;
  let zeros = 0;
  for (let t = 0; t < fitEnd; t++) if (!((y[t] as number) > 0)) zeros++;
  if (fitEnd === 0 || zeros > SPARSE_SHARE * fitEnd) return null;
  const cal = tradingCalendar(rows);
  const { logY1, logY12 } = logRatiosOf(y, memo);
  // Each regression's pairs: the months t in [lag, fitEnd) where y[t] and y[t - lag] are positive,
  // their rows of x (1 or 2 columns) and their targets z; the second regression reuses the buffers.
  const x = tradingX(2 * fitEnd);
  const z = tradingZ(fitEnd);
  let count = 0;
  for (let t = 1; t < fitEnd; t++) {
    if (!((y[t] as number) > 0 && (y[t - 1] as number) > 0)) continue;
    x[count] = cal.logDays1[t] as number;
    z[count++] = logY1[t] as number;
  }
  const c = shrunkCoefficients(x, z, count, 1, 0, 1)[0] as number;
  count = 0;
  for (let t = 12; t < fitEnd; t++) {
    if (!((y[t] as number) > 0 && (y[t - 12] as number) > 0)) continue;
    x[2 * count] = cal.sat12[t] as number;
    x[2 * count + 1] = cal.sun12[t] as number;
    z[count++] = (logY12[t] as number) - c * (cal.logDays12[t] as number);
  }
  const [sat, sun] = shrunkCoefficients(x, z, count, 2, -MAX_WEEKEND, MAX_WEEKEND) as [number, number];
  if (c === 0 && sat === 0 && sun === 0) return null;
  const factor = f64(rows.length);
  // Where sat and sun are 0 (either sign) the exponential is exp(+-0) = 1 exactly, and x 1 changes
  // nothing: it is left out.
  const weekend = sat !== 0 || sun !== 0;
  for (let t = 0; t < rows.length; t++) {
    const scale = (cal.length[t] as number) ** c;
    factor[t] = weekend
      ? scale * Math.exp(sat * (cal.sat[t] as number) + sun * (cal.sun[t] as number))
      : scale;
  }
  return { effects: [c, sat, sun], factor };
}

/**
 * The calendar factors of a dated series on its fitting window: holiday effects for WEEK and DAY,
 * trading days for MONTH (memo: see TradingMemo); null when there are none.
 */
export function estimateCalendarFactors(
  y: Float64Array,
  cal: CalendarFeatures,
  fitEnd: number,
  memo: TradingMemo = {},
): CalendarEffects | null {
  if (!cal.rows) return null;
  if (cal.bucketType === 'MONTH') return estimateTradingDays(y, cal.rows, fitEnd, memo);
  return estimateCalendar(y, cal.rows, fitEnd, cal.bucketType);
}
