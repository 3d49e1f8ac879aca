/**
 * Nowcasts of the period in progress (pkg/forecast-engine nowcast.ts), scored on the daily series:
 * each is summed into weeks (Monday to Sunday) and calendar months; for each of the last 26 weeks
 * and 12 months, `auto` forecasts the period from the whole periods before it (nothing from the
 * period itself), and at checkpoints inside the period (after 1..6 days of a week; 3, 7, 14, 21
 * and 27 days of a month) three figures for the period's total are scored against what it sold:
 *
 * - `forecast`: the forecast made before the period began, unchanged (what the UI showed before);
 * - `pace`: sales so far divided by the share of a period sold by then (the "on pace for" figure of
 *   many dashboards), the share estimated as the nowcast estimates it;
 * - `nowcast`: sales so far + (1 − share) × forecast, with its interval widened by the spread of
 *   the recent periods' shares (what forecast-api serves).
 *
 * Share: the mean of the pooled share of the previous NOWCAST_RECENT_PERIODS periods and that of
 * the same period a year earlier (52 weeks, 12 months), as forecast-api computes it; the partial
 * last day counts whole here (the checkpoints fall at day boundaries).
 */
import {
  NOWCAST_RECENT_PERIODS,
  elapsedShare,
  forecast,
  nowcast,
  shareSpread,
  type ElapsedSums,
} from '../../pkg/forecast-engine/index.js';
import type { BenchSeries } from './generate.js';

/** One whole period of a daily series. */
interface Period {
  /** Index of its first day in the series. */
  readonly start: number;
  readonly length: number;
  readonly total: number;
}

type Kind = 'WEEK' | 'MONTH';

const TARGETS: Record<Kind, number> = { WEEK: 26, MONTH: 12 };
const CHECKPOINTS: Record<Kind, readonly number[]> = { WEEK: [1, 2, 3, 4, 5, 6], MONTH: [3, 7, 14, 21, 27] };
const YEAR_BACK: Record<Kind, number> = { WEEK: 52, MONTH: 12 };
const DAY_MS = 86_400_000;

const epochDay = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const isoDay = (d: number) => new Date(d * DAY_MS).toISOString().slice(0, 10);

function sum(v: readonly number[], from: number, to: number): number {
  let t = 0;
  for (let i = from; i < to; i++) t += v[i] ?? 0;
  return t;
}

/** The whole weeks (Monday first) or calendar months of a daily series, and the first one's date. */
export function wholePeriods(s: BenchSeries, kind: Kind): { periods: Period[]; start: string } {
  const d0 = epochDay(s.start);
  const periods: Period[] = [];
  let i = 0;
  if (kind === 'WEEK') {
    i = (7 - ((new Date(d0 * DAY_MS).getUTCDay() + 6) % 7)) % 7;
    for (let j = i; j + 7 <= s.values.length; j += 7)
      periods.push({ start: j, length: 7, total: sum(s.values, j, j + 7) });
    return { periods, start: isoDay(d0 + i) };
  }
  while (i < s.values.length && new Date((d0 + i) * DAY_MS).getUTCDate() !== 1) i++;
  const start = isoDay(d0 + i);
  for (;;) {
    const dt = new Date((d0 + i) * DAY_MS);
    const length = Date.UTC(dt.getUTCFullYear(), dt.getUTCMonth() + 1, 1) / DAY_MS - (d0 + i);
    if (i + length > s.values.length) break;
    periods.push({ start: i, length, total: sum(s.values, i, i + length) });
    i += length;
  }
  return { periods, start };
}

/** Running sums of one family × bucket type × checkpoint × method. */
export interface NowcastSums {
  count: number;
  absError: number;
  absActual: number;
  hits80: number;
  hits95: number;
}

/** One row of the nowcast table. */
export interface NowcastRow {
  readonly family: string;
  readonly bucketType: Kind;
  /** Days of the period elapsed. */
  readonly day: number;
  readonly periods: number;
  readonly wapeForecast: number | null;
  readonly wapePace: number | null;
  readonly wapeNowcast: number | null;
  readonly coverage80: number | null;
  readonly coverage95: number | null;
}

const empty = (): NowcastSums => ({ count: 0, absError: 0, absActual: 0, hits80: 0, hits95: 0 });

/** Scores one daily series (see the module comment) into `sums`, keyed family|kind|day|method. */
export function scoreNowcasts(s: BenchSeries, kind: Kind, sums: Map<string, NowcastSums>): void {
  const { periods, start } = wholePeriods(s, kind);
  const recent = NOWCAST_RECENT_PERIODS[kind];
  const back = YEAR_BACK[kind];
  const add = (key: string, y: number, p: number, lo80 = p, hi80 = p, lo95 = p, hi95 = p) => {
    let t = sums.get(key);
    if (!t) sums.set(key, (t = empty()));
    t.count++;
    t.absError += Math.abs(y - p);
    t.absActual += Math.abs(y);
    if (y >= lo80 && y <= hi80) t.hits80++;
    if (y >= lo95 && y <= hi95) t.hits95++;
  };
  for (let t = Math.max(periods.length - TARGETS[kind], back + 1); t < periods.length; t++) {
    const f = forecast({ bucketType: kind, values: periods.slice(0, t).map((p) => p.total), start }, 'auto');
    const target = periods[t]!;
    for (const day of CHECKPOINTS[kind]) {
      if (day >= target.length) continue;
      const soFar = sum(s.values, target.start, target.start + day);
      const part = (from: number, days: number): ElapsedSums => ({
        elapsed: sum(s.values, from, from + Math.min(day, days)),
        total: sum(s.values, from, from + days),
      });
      const pooled = (parts: readonly ElapsedSums[]): ElapsedSums =>
        parts.reduce((a, b) => ({ elapsed: a.elapsed + b.elapsed, total: a.total + b.total }), {
          elapsed: 0,
          total: 0,
        });
      const ref = (k: number) => part(periods[t - k]!.start, periods[t - k]!.length);
      const recentRefs = Array.from({ length: recent }, (_, k) => ref(k + 1));
      const share = elapsedShare(pooled(recentRefs), ref(back));
      const spread = shareSpread(recentRefs.filter((r) => r.total > 0).map((r) => r.elapsed / r.total));
      const key = (m: string) => `${s.family}|${kind}|${day}|${m}`;
      add(key('forecast'), target.total, f.point, f.lo80, f.hi80, f.lo95, f.hi95);
      if (share === null) continue;
      add(key('pace'), target.total, share > 0 ? soFar / share : f.point);
      const n = nowcast(soFar, share, f, spread);
      add(key('nowcast'), target.total, n.point, n.lo80, n.hi80, n.lo95, n.hi95);
    }
  }
}

/** Rows of the nowcast table over every daily series of `series`, pooled per family. */
export function nowcastSection(series: readonly BenchSeries[]): NowcastRow[] {
  const sums = new Map<string, NowcastSums>();
  for (const s of series) {
    if (s.bucketType !== 'DAY') continue;
    scoreNowcasts(s, 'WEEK', sums);
    scoreNowcasts(s, 'MONTH', sums);
  }
  const wape = (t: NowcastSums | undefined) => (t && t.absActual > 0 ? t.absError / t.absActual : null);
  const rows: NowcastRow[] = [];
  const keys = [...new Set([...sums.keys()].map((k) => k.split('|').slice(0, 3).join('|')))];
  for (const k of keys) {
    const [family, kind, day] = k.split('|') as [string, Kind, string];
    const n = sums.get(`${k}|nowcast`);
    rows.push({
      family,
      bucketType: kind,
      day: Number(day),
      periods: sums.get(`${k}|forecast`)?.count ?? 0,
      wapeForecast: wape(sums.get(`${k}|forecast`)),
      wapePace: wape(sums.get(`${k}|pace`)),
      wapeNowcast: wape(n),
      coverage80: n && n.count > 0 ? n.hits80 / n.count : null,
      coverage95: n && n.count > 0 ? n.hits95 / n.count : null,
    });
  }
  const order = (r: NowcastRow) =>
    `${r.family}|${r.bucketType === 'WEEK' ? 0 : 1}|${String(r.day).padStart(2, '0')}`;
  return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** The nowcast table as markdown lines. */
export function nowcastTable(rows: readonly NowcastRow[]): string[] {
  const f = (v: number | null, d = 4) => (v === null ? '–' : v.toFixed(d));
  const out = [
    '\n### Nowcasts of the period in progress (WAPE of the period total; coverage of the nowcast interval)\n',
    '| family | bucket | day | periods | forecast | pace | nowcast | nowcast / forecast | cover 80% | cover 95% |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows)
    out.push(
      `| ${r.family} | ${r.bucketType} | ${r.day} | ${r.periods} | ${f(r.wapeForecast)} | ${f(r.wapePace)} | ${f(r.wapeNowcast)} | ${f(r.wapeNowcast !== null && r.wapeForecast ? r.wapeNowcast / r.wapeForecast : null, 3)} | ${f(r.coverage80, 3)} | ${f(r.coverage95, 3)} |`,
    );
  return out;
}
