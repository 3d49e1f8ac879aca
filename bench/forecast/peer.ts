/**
 * The statsforecast peer of the forecast benchmark, with its results cached apart from ours.
 *
 * statsforecast (AutoETS, AutoTheta, AutoARIMA, MSTL, SeasonalNaive, Theta; statsforecast_peer.py)
 * costs tens of minutes of CPU on a large sample, and its numbers do not depend on our engine, so each
 * series' peer scores are kept in bench/results/forecast-peer.json under a key that hashes the protocol,
 * the bucket type, the season length, the origin count and the values. A benchmark run scores our
 * models and compares them with the cached peer scores of every series whose key still matches; the
 * peer only runs on the sample series that have no matching entry (`--peer-per-family`, stratified).
 *
 * usage: npx tsx bench/forecast/peer.ts [--per-family=N] [--ingest=DIR]
 *   (runs the peer on the missing series of the stratified sample and updates the cache; --ingest reads
 *   the output directory of a statsforecast_peer.py run started by hand instead)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  defaultOrigins,
  seasonLength,
  summarizeScores,
  type SeriesScore,
} from '../../pkg/forecast-engine/index.js';
import { bootstrapInterval, sampleMedian } from './bootstrap.js';
import type { BenchSeries } from './generate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every statsforecast model the peer runs. */
export const PEER_MODELS = ['AutoETS', 'AutoTheta', 'AutoARIMA', 'MSTL', 'SeasonalNaive', 'Theta'] as const;
export type PeerModel = (typeof PEER_MODELS)[number];
/** The models `auto` is held against (#18 item 8): the best of them per row is the bar. */
export const PEER_BAR = ['AutoETS', 'AutoTheta', 'AutoARIMA', 'MSTL'] as const;

/** Changing anything here (or in how a score is computed) invalidates every cached entry. */
export const PEER_PROTOCOL =
  'cross_validation(h=1, step_size=1, n_windows=k, refit=False), k = min(WEEK 26 | DAY 28 | MONTH 12, floor(n/2)); forecasts clamped at 0; MASE scale = in-sample seasonal-naive MAE before the first origin; v2';

/** The default results file. */
export const PEER_CACHE_PATH = join(root, 'bench', 'results', 'forecast-peer.json');

/** One model's accuracy on one series, and the CPU time it took (its group's time / group size). */
export interface PeerScore {
  readonly count: number;
  readonly absError: number;
  readonly absActual: number;
  readonly smape: number;
  readonly mase: number | null;
  readonly cpuSeconds: number;
}

/** The cached peer results of one series. */
export interface PeerEntry {
  /** {@link seriesKey} of the series the scores belong to. */
  readonly key: string;
  readonly family: string;
  /** When the peer run that produced the scores finished. */
  readonly measuredAt: string;
  readonly statsforecast: string;
  readonly models: Partial<Record<PeerModel, PeerScore>>;
}

/** One peer run (for the record: sizes and machine load). */
export interface PeerRunInfo {
  readonly at: string;
  readonly statsforecast: string;
  readonly series: number;
  readonly cpuSeconds: Partial<Record<PeerModel, number>>;
  readonly loadAverageAtStart: number | null;
}

export interface PeerCache {
  readonly format: 1;
  readonly protocol: string;
  readonly runs: PeerRunInfo[];
  readonly series: Record<string, PeerEntry>;
}

export function emptyCache(): PeerCache {
  return { format: 1, protocol: PEER_PROTOCOL, runs: [], series: {} };
}

/** On disk a score is a tuple (the file holds thousands of them): see {@link PeerScore}'s fields. */
type StoredScore = [
  count: number,
  absError: number,
  absActual: number,
  smape: number,
  mase: number | null,
  cpuSeconds: number,
];
const sig = (x: number): number => Number(x.toPrecision(7));

/** Parses a cache file; one written under another protocol or format reads as empty (every entry stale). */
export function parseCache(text: string): PeerCache {
  const raw = JSON.parse(text) as {
    format?: unknown;
    protocol?: unknown;
    runs?: PeerRunInfo[];
    series?: Record<string, Omit<PeerEntry, 'models'> & { models: Record<string, StoredScore> }>;
  };
  if (raw.format !== 1 || raw.protocol !== PEER_PROTOCOL || typeof raw.series !== 'object' || !raw.series)
    return emptyCache();
  const series: Record<string, PeerEntry> = {};
  for (const [id, e] of Object.entries(raw.series)) {
    const models: Partial<Record<PeerModel, PeerScore>> = {};
    for (const [m, [count, absError, absActual, smape, mase, cpuSeconds]] of Object.entries(e.models))
      models[m as PeerModel] = { count, absError, absActual, smape, mase, cpuSeconds };
    series[id] = { ...e, models };
  }
  return { format: 1, protocol: PEER_PROTOCOL, runs: raw.runs ?? [], series };
}

export async function loadCache(path = PEER_CACHE_PATH): Promise<PeerCache> {
  return existsSync(path) ? parseCache(await readFile(path, 'utf8')) : emptyCache();
}

/** Writes the cache: one line per series, sorted by id, so reruns produce small diffs. */
export async function saveCache(cache: PeerCache, path = PEER_CACHE_PATH): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const lines = Object.entries(cache.series)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, e]) => {
      const models = Object.fromEntries(
        Object.entries(e.models).map(([m, x]) => [
          m,
          [
            x.count,
            sig(x.absError),
            sig(x.absActual),
            sig(x.smape),
            x.mase === null ? null : sig(x.mase),
            sig(x.cpuSeconds),
          ],
        ]),
      );
      return `  ${JSON.stringify(id)}: ${JSON.stringify({ ...e, models })}`;
    });
  const head = JSON.stringify(
    { format: cache.format, protocol: cache.protocol, runs: cache.runs },
    null,
    1,
  ).slice(0, -2);
  await writeFile(path, `${head},\n "series": {\n${lines.join(',\n')}\n }\n}\n`);
}

/** Backtest origins of a series under the shared protocol. */
export function originsOf(s: Pick<BenchSeries, 'bucketType' | 'values'>): number {
  return Math.min(defaultOrigins(s.bucketType), Math.floor(s.values.length / 2));
}

/** Identifies a series' peer scores: protocol, bucket type, season, origins and every value. */
export function seriesKey(s: Pick<BenchSeries, 'bucketType' | 'values'>): string {
  return createHash('sha256')
    .update(
      `${PEER_PROTOCOL}\n${s.bucketType}\n${seasonLength(s.bucketType)}\n${originsOf(s)}\n${s.values.join(',')}`,
    )
    .digest('hex')
    .slice(0, 20);
}

/**
 * An order of 0..n-1 whose every prefix is spread evenly over the range (0, n/2, n/4, 3n/4, ...), so
 * the first N of a family are a stratified sample of it whatever N is.
 */
export function spreadOrder(n: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (let step = n; out.length < n; step = Math.max(1, Math.floor(step / 2))) {
    for (let i = 0; i < n; i += step)
      if (!seen.has(i)) {
        seen.add(i);
        out.push(i);
      }
    if (step === 1) break;
  }
  return out;
}

/** The first `perFamily` series of every family in {@link spreadOrder}, with their batch (rank / 25). */
export function peerSample(
  series: readonly BenchSeries[],
  perFamily: number,
): { series: BenchSeries; batch: number }[] {
  const byFamily = new Map<string, BenchSeries[]>();
  for (const s of series) {
    let l = byFamily.get(s.family);
    if (!l) byFamily.set(s.family, (l = []));
    l.push(s);
  }
  const out: { series: BenchSeries; batch: number }[] = [];
  for (const list of byFamily.values())
    spreadOrder(list.length)
      .slice(0, perFamily)
      .forEach((i, rank) => out.push({ series: list[i] as BenchSeries, batch: Math.floor(rank / 25) }));
  return out;
}

/** The cached entries that still belong to these series (same key), by series id. */
export function cachedFor(cache: PeerCache, series: readonly BenchSeries[]): Map<string, PeerEntry> {
  const out = new Map<string, PeerEntry>();
  for (const s of series) {
    const e = cache.series[s.id];
    if (e && e.key === seriesKey(s)) out.set(s.id, e);
  }
  return out;
}

function maseScale(y: readonly number[], m: number, end: number): number {
  const lag = m > 1 && end > m ? m : 1;
  if (end <= lag) return NaN;
  let sum = 0;
  for (let t = lag; t < end; t++) sum += Math.abs((y[t] as number) - (y[t - lag] as number));
  return sum / (end - lag);
}

/**
 * Scores one-step forecasts (index of the forecast bucket -> value) of the last k buckets the same
 * way our models are scored: clamped at 0, pooled sums, MASE on the seasonal-naive scale of the
 * history before the first origin. Null when no origin has a forecast.
 */
export function scoreForecasts(
  s: Pick<BenchSeries, 'bucketType' | 'values'>,
  forecasts: ReadonlyMap<number, number>,
): Omit<PeerScore, 'cpuSeconds'> | null {
  const n = s.values.length;
  const k = originsOf(s);
  let count = 0;
  let absError = 0;
  let absActual = 0;
  let smape = 0;
  for (let t = n - k; t < n; t++) {
    const raw = forecasts.get(t);
    if (raw === undefined || !Number.isFinite(raw)) continue;
    // Clamped at 0 like ours (sales are never negative); this can only help the peer.
    const f = Math.max(0, raw);
    const a = s.values[t] as number;
    const e = Math.abs(a - f);
    count++;
    absError += e;
    absActual += Math.abs(a);
    smape += Math.abs(a) + f === 0 ? 0 : (2 * e) / (Math.abs(a) + f);
  }
  if (count === 0) return null;
  const scale = maseScale(s.values, seasonLength(s.bucketType), n - k);
  return { count, absError, absActual, smape, mase: scale > 0 ? absError / count / scale : null };
}

/** One line of statsforecast_peer.py's timings.jsonl. */
export interface PeerTiming {
  readonly family: string;
  readonly model: string;
  readonly ids: readonly string[];
  readonly cpuSeconds: number;
}

/**
 * Adds a peer run's output to the cache: for every (group, model) that finished, each series of the
 * group gets its score and an equal share of the group's CPU time. Returns the number of series
 * updated. Series not in `series` (or with a changed key) are ignored.
 */
export function ingestRun(
  cache: PeerCache,
  series: readonly BenchSeries[],
  forecastsCsv: string,
  timingsJsonl: string,
  run: { at: string; statsforecast: string; loadAverageAtStart: number | null },
): number {
  const byId = new Map(series.map((s) => [s.id, s]));
  const fc = new Map<string, Map<number, number>>(); // `${model}\t${id}` -> ds -> forecast
  const [header, ...rows] = forecastsCsv.trim().split('\n');
  const cols = (header ?? '').split(',');
  const [iId, iModel, iDs, iF] = ['unique_id', 'model', 'ds', 'forecast'].map((c) => cols.indexOf(c));
  if ([iId, iModel, iDs, iF].some((i) => i === undefined || i < 0))
    throw new Error(`peer forecasts: unexpected header "${header}"`);
  for (const row of rows) {
    const f = row.split(',');
    const key = `${f[iModel as number]}\t${f[iId as number]}`;
    let m = fc.get(key);
    if (!m) fc.set(key, (m = new Map<number, number>()));
    const v = f[iF as number];
    m.set(Number(f[iDs as number]), v === '' || v === undefined ? NaN : Number(v));
  }
  const updated = new Set<string>();
  const cpu: Partial<Record<PeerModel, number>> = {};
  const fresh = new Map<string, PeerEntry>();
  for (const line of timingsJsonl.split('\n')) {
    if (line.trim() === '') continue;
    const t = JSON.parse(line) as PeerTiming;
    const model = t.model as PeerModel;
    if (!PEER_MODELS.includes(model) || t.ids.length === 0) continue;
    cpu[model] = (cpu[model] ?? 0) + t.cpuSeconds;
    for (const id of t.ids) {
      const s = byId.get(id);
      if (!s) continue;
      const score = scoreForecasts(s, fc.get(`${model}\t${id}`) ?? new Map<number, number>());
      if (!score) continue;
      const key = seriesKey(s);
      // A run adds its models to what an earlier run cached for the same series and statsforecast
      // version (a model rerun alone replaces only that model); anything else starts afresh.
      let e = fresh.get(id);
      if (!e) {
        const old = cache.series[id];
        const keep = old && old.key === key && old.statsforecast === run.statsforecast ? old.models : {};
        fresh.set(
          id,
          (e = {
            key,
            family: s.family,
            measuredAt: run.at,
            statsforecast: run.statsforecast,
            models: { ...keep },
          }),
        );
      }
      // Rounded as saved, so what a run compares is what a later run reads back.
      (e.models as Record<string, PeerScore>)[model] = {
        count: score.count,
        absError: sig(score.absError),
        absActual: sig(score.absActual),
        smape: sig(score.smape),
        mase: score.mase === null ? null : sig(score.mase),
        cpuSeconds: sig(t.cpuSeconds / t.ids.length),
      };
      updated.add(id);
    }
  }
  for (const [id, e] of fresh) cache.series[id] = e;
  if (updated.size > 0)
    cache.runs.push({
      at: run.at,
      statsforecast: run.statsforecast,
      series: updated.size,
      cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Number(v.toFixed(2))])),
      loadAverageAtStart: run.loadAverageAtStart,
    });
  return updated.size;
}

const log = (msg: string): void => void process.stderr.write(`bench-forecast peer: ${msg}\n`);

/** Where peer-setup.sh puts the venv. */
export function peerPython(): string {
  return join(
    process.env.CATCAST_CACHE_DIR ?? join(process.env.HOME ?? '/root', '.cache', 'catcast'),
    'venv-statsforecast',
    'bin',
    'python',
  );
}

/**
 * Whether a cached entry has every model that runs on all series (AutoETS, AutoTheta, AutoARIMA); an
 * entry from an interrupted run lacks some and its series is run again. (MSTL, SeasonalNaive and Theta
 * legitimately have no forecast on some series.)
 */
export function isComplete(e: PeerEntry | undefined): boolean {
  return (
    e !== undefined &&
    (['AutoETS', 'AutoTheta', 'AutoARIMA'] as const).every((m) => e.models[m] !== undefined)
  );
}

/** Reads a statsforecast_peer.py output directory into the cache. */
export async function ingestDir(
  cache: PeerCache,
  series: readonly BenchSeries[],
  dir: string,
  loadAverageAtStart: number | null,
): Promise<number> {
  const version = JSON.parse(await readFile(join(dir, 'version.json'), 'utf8')) as { version: string };
  const timings = existsSync(join(dir, 'timings.jsonl'))
    ? await readFile(join(dir, 'timings.jsonl'), 'utf8')
    : '';
  return ingestRun(cache, series, await readFile(join(dir, 'forecasts.csv'), 'utf8'), timings, {
    at: new Date().toISOString(),
    statsforecast: version.version,
    loadAverageAtStart,
  });
}

/**
 * Runs statsforecast on the sample series that have no cached scores and adds them to the cache
 * (saved). `jobs` processes of one thread each share the series (the time of each model on each
 * series is its own process's CPU time, so the split does not change the timings). Returns the
 * number of series run; null when the venv is missing.
 */
export async function runPeer(
  cache: PeerCache,
  series: readonly BenchSeries[],
  perFamily: number,
  workDir: string,
  cachePath = PEER_CACHE_PATH,
  jobs = 1,
): Promise<number | null> {
  const python = peerPython();
  if (!existsSync(python)) {
    log(
      `no statsforecast venv (${python}): run bench/forecast/peer-setup.sh; using cached peer results only`,
    );
    return null;
  }
  const cached = cachedFor(cache, series);
  const todo = peerSample(series, perFamily).filter((x) => !isComplete(cached.get(x.series.id)));
  if (todo.length === 0) {
    log(`every sample series (${perFamily} per family) has cached peer results`);
    return 0;
  }
  const parts = Math.max(1, Math.min(jobs, todo.length));
  const load = loadavg()[0] ?? null;
  log(
    `statsforecast on ${todo.length} series without cached results (${PEER_MODELS.join(', ')}), ${parts} process${parts > 1 ? 'es' : ''} of 1 thread`,
  );
  const dirs = await Promise.all(
    Array.from({ length: parts }, (_, j) =>
      runPeerPart(
        python,
        todo.filter((_, i) => i % parts === j),
        join(workDir, parts > 1 ? `peer-${j + 1}` : 'peer'),
      ),
    ),
  );
  let n = 0;
  for (const dir of dirs)
    n += await ingestDir(cache, series, dir, load === null ? null : Number(load.toFixed(2)));
  await saveCache(cache, cachePath);
  return n;
}

/** One statsforecast_peer.py process over `todo`, writing into `dir` (made fresh); returns `dir`. */
async function runPeerPart(
  python: string,
  todo: readonly { series: BenchSeries; batch: number }[],
  dir: string,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  // A fresh output directory: statsforecast_peer.py appends to it.
  for (const f of ['forecasts.csv', 'timings.jsonl', 'version.json', 'input.csv', 'groups.json'])
    await rm(join(dir, f), { force: true });
  const lines = ['unique_id,ds,y'];
  const groups: Record<string, { m: number; k: number; family: string; batch: number }> = {};
  for (const { series: s, batch } of todo) {
    s.values.forEach((v, t) => lines.push(`${s.id},${t},${v}`));
    groups[s.id] = { m: seasonLength(s.bucketType), k: originsOf(s), family: s.family, batch };
  }
  await writeFile(join(dir, 'input.csv'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'groups.json'), JSON.stringify(groups));
  await promisify(execFile)(
    python,
    [
      join(root, 'bench', 'forecast', 'statsforecast_peer.py'),
      join(dir, 'input.csv'),
      join(dir, 'groups.json'),
      dir,
    ],
    { maxBuffer: 64 << 20 },
  );
  return dir;
}

/** Our side of one compared series: the score from the accuracy run and the single-thread CPU time. */
export interface OursTimed {
  readonly family: string;
  readonly score: SeriesScore;
  readonly cpuSeconds: number;
}

export interface PeerModelSummary {
  readonly series: number;
  readonly wape: number | null;
  readonly maseMedian: number | null;
  readonly cpuSeconds: number;
}

/** One row of the comparison: `auto` against the best statsforecast model of {@link PEER_BAR}. */
export interface PeerComparisonRow {
  readonly family: string;
  readonly series: number;
  readonly auto: { wape: number | null; maseMedian: number | null; cpuSeconds: number };
  readonly peers: Partial<Record<PeerModel, PeerModelSummary>>;
  /** The bar model with the lowest pooled WAPE (among those that forecast every series of the row). */
  readonly bestWape: { model: PeerModel; value: number | null; ratio: number | null } | null;
  readonly bestMase: { model: PeerModel; value: number | null; ratio: number | null } | null;
  /** auto's CPU time / the fastest bar model's (the strictest reading of "a tenth of their time"). */
  readonly timeRatioVsFastest: { model: PeerModel; ratio: number | null } | null;
  /** auto's CPU time / the best-WAPE model's. */
  readonly timeRatioVsBestWape: number | null;
  /** At or below the best on pooled WAPE and median MASE, in at most a tenth of the fastest's time. */
  readonly ahead: boolean;
  /**
   * 95% bootstrap intervals (series resampled, 2,000 draws, seeded) of the two accuracy ratios
   * against the same best models: how far the row's sample can tell `auto` from them. An interval
   * that holds 1 means the sample does not separate the two.
   */
  readonly wapeRatioCi: [number, number] | null;
  readonly maseRatioCi: [number, number] | null;
}

const div = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : a / b;

/**
 * Compares `auto` with the peer on the series both have, per family and per pool (ALL, REAL).
 * `ours` and `peer` are keyed by series id; only ids in both count.
 */
export function comparePeer(
  ours: ReadonlyMap<string, OursTimed>,
  peer: ReadonlyMap<string, PeerEntry>,
  families: readonly string[],
  pools: Readonly<Record<string, readonly string[]>>,
): PeerComparisonRow[] {
  const rows: PeerComparisonRow[] = [];
  for (const family of families) {
    const members = new Set(pools[family] ?? [family]);
    const ids = [...ours.keys()].filter((id) => peer.has(id) && members.has(ours.get(id)?.family ?? ''));
    if (ids.length === 0) continue;
    const o = ids.map((id) => ours.get(id) as OursTimed);
    const a = summarizeScores(o.map((x) => x.score));
    const autoCpu = o.reduce((t, x) => t + x.cpuSeconds, 0);
    const peers: Partial<Record<PeerModel, PeerModelSummary>> = {};
    for (const model of PEER_MODELS) {
      const scores = ids.map((id) => peer.get(id)?.models[model]).filter((x) => x !== undefined);
      if (scores.length === 0) continue;
      const s = summarizeScores(
        scores.map((x) => ({
          sums: {
            count: x.count,
            absError: x.absError,
            absActual: x.absActual,
            smape: x.smape,
            hits80: 0,
            hits95: 0,
          },
          mase: x.mase,
        })),
      );
      peers[model] = {
        series: scores.length,
        wape: s.wape,
        maseMedian: s.maseMedian,
        cpuSeconds: scores.reduce((t, x) => t + x.cpuSeconds, 0),
      };
    }
    const full = PEER_BAR.filter((m) => peers[m]?.series === ids.length);
    const pick = (
      f: (p: PeerModelSummary) => number | null,
      ourValue: number | null,
    ): { model: PeerModel; value: number | null; ratio: number | null } | null => {
      let best: PeerModel | null = null;
      for (const m of full) {
        const v = f(peers[m] as PeerModelSummary);
        const b = best === null ? null : f(peers[best] as PeerModelSummary);
        if (v !== null && (b === null || v < b)) best = m;
      }
      if (best === null) return null;
      const value = f(peers[best] as PeerModelSummary);
      return { model: best, value, ratio: div(ourValue, value) };
    };
    const bestWape = pick((p) => p.wape, a.wape);
    const bestMase = pick((p) => p.maseMedian, a.maseMedian);
    const fastest = full.reduce<PeerModel | null>(
      (x, m) =>
        x === null || (peers[m] as PeerModelSummary).cpuSeconds < (peers[x] as PeerModelSummary).cpuSeconds
          ? m
          : x,
      null,
    );
    const timeRatioVsFastest = fastest
      ? { model: fastest, ratio: div(autoCpu, (peers[fastest] as PeerModelSummary).cpuSeconds) }
      : null;
    const timeRatioVsBestWape = bestWape
      ? div(autoCpu, (peers[bestWape.model] as PeerModelSummary).cpuSeconds)
      : null;
    const scoreOf = (id: string, model: PeerModel | undefined): PeerScore | undefined =>
      model ? peer.get(id)?.models[model] : undefined;
    const wapeRatioCi = bestWape
      ? bootstrapInterval(ids.length, (sample) => {
          let ae = 0;
          let aa = 0;
          let be = 0;
          let ba = 0;
          for (const i of sample) {
            const mine = (o[i] as OursTimed).score.sums;
            const theirs = scoreOf(ids[i] as string, bestWape.model) as PeerScore;
            if (mine.count > 0) {
              ae += mine.absError;
              aa += mine.absActual;
            }
            if (theirs.count > 0) {
              be += theirs.absError;
              ba += theirs.absActual;
            }
          }
          return aa > 0 && ba > 0 && be > 0 ? ae / aa / (be / ba) : null;
        })
      : null;
    const maseRatioCi = bestMase
      ? bootstrapInterval(ids.length, (sample) => {
          const mine = sampleMedian(sample, (i) => (o[i] as OursTimed).score.mase);
          const theirs = sampleMedian(sample, (i) => scoreOf(ids[i] as string, bestMase.model)?.mase ?? null);
          return mine === null || theirs === null || theirs === 0 ? null : mine / theirs;
        })
      : null;
    // No MASE (all-intermittent rows have a zero scale) counts as a tie on MASE.
    const maseOk = bestMase === null || bestMase.ratio === null || bestMase.ratio <= 1;
    rows.push({
      family,
      series: ids.length,
      auto: { wape: a.wape, maseMedian: a.maseMedian, cpuSeconds: autoCpu },
      peers,
      bestWape,
      bestMase,
      timeRatioVsFastest,
      timeRatioVsBestWape,
      ahead:
        bestWape !== null &&
        bestWape.ratio !== null &&
        bestWape.ratio <= 1 &&
        maseOk &&
        timeRatioVsFastest !== null &&
        timeRatioVsFastest.ratio !== null &&
        timeRatioVsFastest.ratio <= 0.1,
      wapeRatioCi,
      maseRatioCi,
    });
  }
  return rows;
}

/** The oldest and newest peer run among the entries used. */
export function measuredRange(peer: ReadonlyMap<string, PeerEntry>): { first: string; last: string } | null {
  const dates = [...peer.values()].map((e) => e.measuredAt).sort();
  return dates.length === 0 ? null : { first: dates[0] as string, last: dates[dates.length - 1] as string };
}

/** The peer section of bench/results/forecast.json (what bench/scenarios/forecast.ts reads). */
export interface PeerSection {
  readonly version: string;
  /** Dates of the peer runs whose cached scores were compared (not the date of our run). */
  readonly measuredAt: { first: string; last: string };
  readonly series: number;
  /** Model versions of our side (the engine the comparison was scored with). */
  readonly engine: Record<string, string>;
  readonly protocol: string;
  /** Single-thread CPU seconds on the compared series: ours (timed in this run) and the peer's. */
  readonly oursCpuSeconds: Record<string, number>;
  readonly peerCpuSeconds: Partial<Record<PeerModel, number>>;
  readonly rows: PeerComparisonRow[];
}

/** The headline of a peer section for BENCHMARKS.md: one pooled row (ALL by default). */
export function peerHeadline(
  section: PeerSection | null | undefined,
  family = 'ALL',
): {
  version: string;
  measuredAt: string;
  series: number;
  wapeRatioAutoVsAutoETS: number | null;
  maseRatioAutoVsAutoETS: number | null;
  timeRatioAutoVsAutoETS: number | null;
  wapeRatioAutoVsBest: number | null;
  maseRatioAutoVsBest: number | null;
  timeRatioAutoVsFastest: number | null;
} | null {
  // A results file from before the cache has { version, seconds } here: no comparison to show.
  const row = Array.isArray(section?.rows) ? section.rows.find((r) => r.family === family) : undefined;
  if (!section || !row) return null;
  const ets = row.peers.AutoETS;
  const r3 = (x: number | null): number | null => (x === null ? null : Number(x.toFixed(3)));
  return {
    version: section.version,
    measuredAt: section.measuredAt.last,
    series: row.series,
    wapeRatioAutoVsAutoETS: r3(div(row.auto.wape, ets?.wape ?? null)),
    maseRatioAutoVsAutoETS: r3(div(row.auto.maseMedian, ets?.maseMedian ?? null)),
    timeRatioAutoVsAutoETS: r3(div(row.auto.cpuSeconds, ets?.cpuSeconds ?? null)),
    wapeRatioAutoVsBest: r3(row.bestWape?.ratio ?? null),
    maseRatioAutoVsBest: r3(row.bestMase?.ratio ?? null),
    timeRatioAutoVsFastest: r3(row.timeRatioVsFastest?.ratio ?? null),
  };
}

async function cli(): Promise<void> {
  const argv = process.argv.slice(2);
  const val = (name: string): string | undefined =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const { generateBench } = await import('./generate.js');
  const { loadRealSeries } = await import('./real.js');
  const series = [...generateBench(150), ...loadRealSeries()];
  const cache = await loadCache();
  const ingest = val('ingest');
  if (ingest) {
    const n = await ingestDir(cache, series, ingest, null);
    await saveCache(cache);
    log(`ingested ${n} series from ${ingest}; ${Object.keys(cache.series).length} cached`);
    return;
  }
  const n = await runPeer(
    cache,
    series,
    Number(val('per-family') ?? 25),
    join(root, '.data', 'bench', 'forecast'),
  );
  log(`ran the peer on ${n ?? 0} series; ${Object.keys(cache.series).length} cached`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await cli();
