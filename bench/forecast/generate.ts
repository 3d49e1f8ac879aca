/**
 * Deterministic synthetic benchmark series with known structure, in families. A seeded PRNG
 * (mulberry32) makes every run produce the same series, so results are comparable across runs and
 * with the statsforecast peer check.
 */
import type { BucketType } from '../../pkg/forecast-engine/index.js';
import { easterSunday, epochDay, thanksgiving } from '../../pkg/forecast-engine/calendar.js';

/** One generated series. */
export interface BenchSeries {
  readonly family: string;
  readonly id: string;
  readonly bucketType: BucketType;
  /** bucket_start of values[0]. */
  readonly start: string;
  readonly values: number[];
}

/** A seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return Math.floor(this.uniform(lo, hi + 1));
  }
  normal(): number {
    // Box-Muller; u1 kept away from 0.
    const u1 = Math.max(this.next(), 1e-12);
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  poisson(lambda: number): number {
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > limit);
    return k - 1;
  }
}

/** Families in the benchmark, with their bucket type and history length. */
export const FAMILIES = [
  'trend',
  'seasonal_yearly',
  'seasonal_weekly',
  'seasonal_monthly',
  'intermittent',
  'level_shift',
  'short',
  'holiday_weekly',
  'holiday_daily',
  'dated_weekly',
  'dated_monthly',
] as const;
/** A benchmark family. */
export type Family = (typeof FAMILIES)[number];

const START: Record<BucketType, string> = {
  WEEK: '2023-01-02',
  DAY: '2024-01-01',
  MONTH: '2021-01-01',
  YEAR: '2000-01-01',
};

function addBuckets(start: string, bucketType: BucketType, k: number): string {
  const d = new Date(`${start}T00:00:00Z`);
  if (bucketType === 'DAY') d.setUTCDate(d.getUTCDate() + k);
  else if (bucketType === 'WEEK') d.setUTCDate(d.getUTCDate() + 7 * k);
  else if (bucketType === 'MONTH') d.setUTCMonth(d.getUTCMonth() + k);
  else d.setUTCFullYear(d.getUTCFullYear() + k);
  return d.toISOString().slice(0, 10);
}

/** A smooth yearly profile (1-3 harmonics) plus optional holiday spikes, mean about 0, amplitude ~1. */
function yearlyProfile(r: Rng, m: number, spikes: boolean): number[] {
  const harmonics = r.int(1, 3);
  const coef = Array.from({ length: harmonics }, (_, k) => ({
    a: r.uniform(0.3, 1) / (k + 1),
    phase: r.uniform(0, 2 * Math.PI),
  }));
  const p = Array.from({ length: m }, (_, i) =>
    coef.reduce((s, c, k) => s + c.a * Math.cos((2 * Math.PI * (k + 1) * i) / m + c.phase), 0),
  );
  if (spikes) {
    // Holiday weeks late in the year (Black Friday to Christmas) for weekly data.
    const at = m === 52 ? [r.int(46, 48), 50] : [m - 1];
    for (const i of at) p[i] = (p[i] as number) + r.uniform(0.5, 1.5);
  }
  const mean = p.reduce((a, b) => a + b, 0) / m;
  const max = Math.max(...p.map((v) => Math.abs(v - mean)));
  return p.map((v) => (v - mean) / max);
}

function finish(values: number[]): number[] {
  // Sales in minor units: whole numbers, never below zero.
  return values.map((v) => Math.max(0, Math.round(v)));
}

/**
 * Demand uplift of one day from holidays that move: Easter (Thursday to Sunday), US Thanksgiving
 * (Wednesday to Sunday, Black Friday the largest) and the days before Christmas (rising to the
 * 23rd). Shapes differ on purpose from the engine's windows (calendar.ts), which only say where
 * to look.
 */
function holidayUplift(day: number, e: { easter: number; tg: number; xmas: number }): number {
  const year = new Date(day * 86_400_000).getUTCFullYear();
  const es = easterSunday(year);
  const tg = thanksgiving(year);
  const x = Date.UTC(year, 11, 24) / 86_400_000;
  let u = 0;
  if (day >= es - 3 && day <= es) u += e.easter * (day === es - 1 ? 1.3 : 0.9);
  if (day >= tg - 1 && day <= tg + 3) u += e.tg * (day === tg + 1 ? 2 : day === tg ? 0.3 : 1);
  if (day >= x - 9 && day < x) u += e.xmas * (0.5 + (day - (x - 9)) / 9);
  return u;
}

/**
 * Sales of `count` buckets of `len` days from epoch day `start` for the dated families: daily rate
 * level x trend x (1 + yearly profile by day of year) x weekday factor x (1 + fixed-date events),
 * summed over each bucket's days, plus noise per bucket. `monthly`: no fixed-date events (the
 * monthly family is about month length and weekday counts) and noise per day.
 */
function datedDays(
  r: Rng,
  level: number,
  count: number,
  start: number,
  len: number,
  monthly = false,
): number[] {
  const harmonics = r.int(1, 3);
  const coef = Array.from({ length: harmonics }, (_, k) => ({
    a: r.uniform(0.1, 0.35) / (k + 1),
    phase: r.uniform(0, 2 * Math.PI),
  }));
  const dow = Array.from({ length: 7 }, (_, i) => (i >= 5 ? r.uniform(0.3, 1.2) : r.uniform(-0.15, 0.15)));
  const ev = {
    valentine: r.uniform(0.3, 1.5),
    school: r.uniform(0.2, 0.8),
    halloween: r.uniform(0.3, 1.5),
    xmas: r.uniform(1, 3),
    sale: r.uniform(0.3, 1.5),
  };
  const slope = r.uniform(-0.0002, 0.0006);
  const sd = r.uniform(0.03, 0.08);
  const out: number[] = [];
  for (let b = 0; b < count; b++) {
    let v = 0;
    for (let k = 0; k < len; k++) {
      const day = start + b * len + k;
      const date = new Date(day * 86_400_000);
      const year = date.getUTCFullYear();
      const doy = day - Date.UTC(year, 0, 1) / 86_400_000;
      const md = (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
      let season = 1;
      coef.forEach((c, h) => (season += c.a * Math.cos((2 * Math.PI * (h + 1) * doy) / 365.25 + c.phase)));
      let e = 0;
      if (!monthly) {
        if (md >= 207 && md <= 214) e += ev.valentine;
        if (md >= 815 && md <= 905) e += ev.school;
        if (md >= 1025 && md <= 1031) e += ev.halloween;
        if (md >= 1210 && md <= 1224) e += ev.xmas * (0.3 + (md - 1210) / 14);
        if (md === 1225 || md === 101) e = -1;
        if (md >= 1226 && md <= 1231) e += ev.sale;
      }
      const rate =
        level * (1 + slope * (day - start)) * season * (1 + (dow[(day + 3) % 7] as number)) * (1 + e);
      v += monthly ? rate * (1 + sd * r.normal()) : rate;
    }
    out.push(monthly ? v : v * (1 + sd * r.normal()));
  }
  return out;
}

function make(family: Family, r: Rng): { bucketType: BucketType; values: number[] } {
  const level = Math.exp(r.uniform(Math.log(2_000), Math.log(500_000)));
  switch (family) {
    case 'trend': {
      const n = 156;
      const slope = level * r.uniform(-0.004, 0.012);
      const sd = level * r.uniform(0.04, 0.2);
      return {
        bucketType: 'WEEK',
        values: finish(Array.from({ length: n }, (_, t) => level + slope * t + sd * r.normal())),
      };
    }
    case 'seasonal_yearly': {
      const n = 156;
      const m = 52;
      const prof = yearlyProfile(r, m, r.uniform() < 0.5);
      const amp = r.uniform(0.2, 0.6);
      const slope = level * r.uniform(-0.002, 0.004);
      const sd = level * r.uniform(0.04, 0.15);
      const mult = r.uniform() < 0.5;
      return {
        bucketType: 'WEEK',
        values: finish(
          Array.from({ length: n }, (_, t) => {
            const base = level + slope * t;
            const s = amp * (prof[t % m] as number);
            return (mult ? base * (1 + s) : base + level * s) + sd * r.normal();
          }),
        ),
      };
    }
    case 'seasonal_weekly': {
      const n = 364 * 2;
      const dow = Array.from({ length: 7 }, (_, i) =>
        i >= 5 ? r.uniform(0.3, 0.9) : r.uniform(-0.15, 0.15),
      );
      const slope = level * r.uniform(-0.0005, 0.001);
      const sd = level * r.uniform(0.05, 0.2);
      return {
        bucketType: 'DAY',
        values: finish(
          Array.from(
            { length: n },
            (_, t) => (level + slope * t) * (1 + (dow[t % 7] as number)) + sd * r.normal(),
          ),
        ),
      };
    }
    case 'seasonal_monthly': {
      const n = 60;
      const m = 12;
      const prof = yearlyProfile(r, m, r.uniform() < 0.5);
      const amp = r.uniform(0.15, 0.5);
      const slope = level * r.uniform(-0.005, 0.015);
      const sd = level * r.uniform(0.03, 0.12);
      return {
        bucketType: 'MONTH',
        values: finish(
          Array.from(
            { length: n },
            (_, t) => (level + slope * t) * (1 + amp * (prof[t % m] as number)) + sd * r.normal(),
          ),
        ),
      };
    }
    case 'intermittent': {
      const n = 156;
      const p = r.uniform(0.05, 0.45);
      const size = r.uniform(1, 20);
      const price = Math.round(r.uniform(500, 20_000));
      return {
        bucketType: 'WEEK',
        values: Array.from({ length: n }, () => (r.uniform() < p ? (1 + r.poisson(size)) * price : 0)),
      };
    }
    case 'level_shift': {
      const n = 156;
      const sd = level * r.uniform(0.04, 0.15);
      const shifts = r.int(1, 2);
      const at = Array.from({ length: shifts }, () => r.int(60, 140)).sort((a, b) => a - b);
      const sizes = at.map(() => (r.uniform() < 0.5 ? -1 : 1) * r.uniform(0.3, 0.8));
      return {
        bucketType: 'WEEK',
        values: finish(
          Array.from({ length: n }, (_, t) => {
            let l = level;
            at.forEach((a, i) => {
              if (t >= a) l *= 1 + (sizes[i] as number);
            });
            return l + sd * r.normal();
          }),
        ),
      };
    }
    case 'holiday_weekly':
    case 'holiday_daily': {
      const daily = family === 'holiday_daily';
      // Three years of days, so that every holiday occurs twice before the last 28 days.
      const n = daily ? 1092 : 156;
      const start = (epochDay(START[daily ? 'DAY' : 'WEEK']) as number) - (n - (daily ? 728 : 156));
      const prof = yearlyProfile(r, 52, false);
      const amp = r.uniform(0.05, 0.3);
      const dow = Array.from({ length: 7 }, (_, i) => (i >= 5 ? r.uniform(0.2, 0.7) : r.uniform(-0.1, 0.1)));
      const e = { easter: r.uniform(0.5, 2), tg: r.uniform(1, 3), xmas: r.uniform(0.3, 1.2) };
      const slope = level * r.uniform(-0.0005, 0.002);
      const sd = level * r.uniform(0.04, 0.12);
      return {
        bucketType: daily ? 'DAY' : 'WEEK',
        values: finish(
          Array.from({ length: n }, (_, t) => {
            const days = daily ? [start + t] : Array.from({ length: 7 }, (_, d) => start + 7 * t + d);
            let v = 0;
            for (const day of days) {
              const week = Math.floor((day - start) / 7) % 52;
              const base = (level / (daily ? 1 : 7)) * (1 + (slope * (day - start)) / level / 7);
              v +=
                base *
                (1 + amp * (prof[week] as number)) *
                (1 + (dow[(day + 3) % 7] as number)) *
                (1 + holidayUplift(day, e));
            }
            return v + sd * r.normal();
          }),
        ),
      };
    }
    case 'dated_weekly': {
      // Seven years of weeks (two 53-week years among them) of a daily rate set by the calendar
      // date: a smooth yearly profile by day of year, a weekday pattern and sharp fixed-date events
      // (Valentine's week, back to school, Halloween, the Christmas run-up, closed on 25 December and
      // 1 January, the post-Christmas sale). A 52-week ring drifts 1.25 days a year against them.
      const n = 364;
      const start = (epochDay(START.WEEK) as number) - (n - 156) * 7;
      return { bucketType: 'WEEK', values: finish(datedDays(r, level, n, start, 7)) };
    }
    case 'dated_monthly': {
      // Six years of months of a daily rate: month totals differ by month length (28/29/30/31
      // days) and by how many of each weekday the month holds (4 or 5 Saturdays).
      const n = 72;
      const first = new Date(`${START.MONTH}T00:00:00Z`);
      first.setUTCMonth(first.getUTCMonth() - (n - 60));
      const y0 = first.getUTCFullYear();
      const m0 = first.getUTCMonth();
      const bounds = Array.from({ length: n + 1 }, (_, t) => Date.UTC(y0, m0 + t, 1) / 86_400_000);
      const daily = datedDays(
        r,
        level / 30,
        (bounds[n] as number) - (bounds[0] as number),
        bounds[0] as number,
        1,
        true,
      );
      const values = Array.from({ length: n }, (_, t) => {
        let v = 0;
        for (let d = bounds[t] as number; d < (bounds[t + 1] as number); d++)
          v += daily[d - (bounds[0] as number)] as number;
        return v;
      });
      return { bucketType: 'MONTH', values: finish(values) };
    }
    case 'short': {
      const n = r.int(20, 100);
      const slope = level * r.uniform(-0.005, 0.01);
      const sd = level * r.uniform(0.05, 0.25);
      return {
        bucketType: 'WEEK',
        values: finish(Array.from({ length: n }, (_, t) => level + slope * t + sd * r.normal())),
      };
    }
  }
}

/** Generates `perFamily` series of every family from a seed; same seed, same series. */
export function generateBench(perFamily: number, seed = 20251125): BenchSeries[] {
  const out: BenchSeries[] = [];
  FAMILIES.forEach((family, f) => {
    const r = new Rng(seed + 1000 * f);
    for (let i = 0; i < perFamily; i++) {
      const { bucketType, values } = make(family, r);
      // All series of a bucket type end on the same bucket, as in a real export.
      // (holiday_daily is longer: it starts a year earlier and ends on the same day)
      const fullLength = bucketType === 'DAY' ? 728 : bucketType === 'MONTH' ? 60 : 156;
      out.push({
        family,
        id: `${family}-${String(i).padStart(4, '0')}`,
        bucketType,
        start: addBuckets(START[bucketType], bucketType, fullLength - values.length),
        values,
      });
    }
  });
  return out;
}

/** Weekly series (156 points) for the speed run: a deterministic mix of the weekly families. */
export function generateSpeedSeries(count: number, seed = 7): number[][] {
  const weekly: Family[] = ['trend', 'seasonal_yearly', 'intermittent', 'level_shift'];
  const r = new Rng(seed);
  return Array.from({ length: count }, (_, i) => make(weekly[i % weekly.length] as Family, r).values);
}

/** Renders series of one bucket type as the forecast:eval CSV. */
export function toCsv(series: readonly BenchSeries[]): string {
  const lines = ['merchant,category,bucket_start,total_sales'];
  for (const s of series) {
    s.values.forEach((v, t) => {
      lines.push(`${s.id},c1,${addBuckets(s.start, s.bucketType, t)},${(v / 100).toFixed(2)}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
