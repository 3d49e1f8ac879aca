/**
 * Forecast benchmark (not a test): accuracy by family on deterministic synthetic series, the
 * 20,000-series speed run on two worker threads, and the statsforecast peer check under the same
 * rolling-origin protocol. Writes bench/results/forecast.json and prints Markdown tables.
 *
 * usage: npx tsx bench/forecast/run.ts [--quick] [--no-peer] [--no-real] [--no-speed] [--no-paths] [--no-nowcast] [--speed-only] [--peer-only] [--paths-only] [--nowcast-only] [--no-dates] [--out=FILE]
 *   [--per-family=N] [--real-every=N] [--peer-per-family=N]
 * (--peer-per-family: statsforecast runs on a stratified sample of N series of every family, default
 * 25, and only on the sample series without cached results in bench/results/forecast-peer.json
 * (peer.ts); --no-peer never runs it. Either way the comparison uses every series with cached peer
 * results, so rerunning our models does not rerun statsforecast. --peer-only redoes just that
 * comparison, with the current engine, in the existing results file; --speed-only redoes it too.)
 * (--per-family: synthetic series per family, default 150, 30 with --quick; --real-every: keep every
 * Nth real series, default 1, 5 with --quick)
 * (--no-real: synthetic families only; otherwise the real series of real.ts are scored too, from the
 * files bench/forecast/real-data.sh installs)
 * (--families=a,b: only these synthetic or real families, e.g. for a quick before/after)
 * (--out: results file instead of bench/results/forecast.json; bench/run.ts --smoke uses it)
 * (--series-out=FILE: also every model's score per series, the input of compare.ts, which prints a
 * before/after table with bootstrap confidence intervals over series)
 * (multi-step interval coverage of auto's paths, paths.ts, under the "paths" key: --path-per-family=N
 * series per family, default 40, 6 with --quick; --path-per-family-day=N for the DAY families,
 * default 12, 2 with --quick; --path-origins=N origins per series, default 2, 1 with --quick;
 * --path-origins-day=N origins per DAY series, default 6, 1 with --quick, --path-day-spacing=D days
 * apart, default 61;
 * --no-paths skips it; --paths-only redoes just that section in the results file, or writes a file
 * holding only it when there is none)
 * (nowcasts of the period in progress on the daily series, nowcast.ts, under the "nowcast" key:
 * --no-nowcast skips it, --nowcast-only redoes just that section)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MODEL_CATALOG,
  createForecastPool,
  scoreSeries,
  summarizeScores,
  type ModelName,
  type ScoreSummary,
  type SeriesScore,
} from '../../pkg/forecast-engine/index.js';
import { FAMILIES, generateBench, generateSpeedSeries, toCsv, type BenchSeries } from './generate.js';
import {
  PEER_BAR,
  PEER_MODELS,
  PEER_PROTOCOL,
  cachedFor,
  comparePeer,
  loadCache,
  measuredRange,
  runPeer,
  type OursTimed,
  type PeerCache,
  type PeerSection,
} from './peer.js';
import { REAL_FAMILIES, loadRealSeries } from './real.js';
import {
  pathCoverage,
  pathTable,
  samplePathCases,
  type PathSampleOptions,
  type PathSection,
} from './paths.js';
import { nowcastSection, nowcastTable, type NowcastRow } from './nowcast.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = new Set(process.argv.slice(2).filter((a) => !a.includes('=')));
const outArg = process.argv.slice(2).find((a) => a.startsWith('--out='));
const quick = args.has('--quick');
const intArg = (name: string): number | null => {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : null;
};
const PER_FAMILY = intArg('per-family') ?? (quick ? 30 : 150);
/** Keep every REAL_EVERY-th real series (1: all; --quick: 5). */
const REAL_EVERY = intArg('real-every') ?? (quick ? 5 : 1);
/** --no-dates: series without their start date (no calendar effects), for comparison. */
const NO_DATES = args.has('--no-dates');
const SPEED_SERIES = quick ? 2_000 : 20_000;
const MODELS: ModelName[] = [
  'auto',
  'seasonal_naive',
  'seasonal_growth',
  'naive',
  'ets',
  'theta',
  'ensemble',
  'holt_winters_additive',
  'croston_sba',
  'tsb',
  'linear_regression',
];
if (process.env.CATCAST_BENCH_MODELS)
  MODELS.splice(0, MODELS.length, ...(process.env.CATCAST_BENCH_MODELS.split(',') as ModelName[]));
const PEER_PER_FAMILY = intArg('peer-per-family') ?? 25;
/** The sample of the multi-step coverage section (paths.ts). */
const PATH_SAMPLE: PathSampleOptions = {
  perFamily: intArg('path-per-family') ?? (quick ? 6 : 40),
  perFamilyDay: intArg('path-per-family-day') ?? (quick ? 2 : 12),
  origins: intArg('path-origins') ?? (quick ? 1 : 2),
  // Six origins two months apart: the DAY rows cover the year, not only the fortnights before the
  // series' end (28 December), which was all they measured before 7 December.
  originsDay: intArg('path-origins-day') ?? (quick ? 1 : 6),
  daySpacing: intArg('path-day-spacing') ?? 61,
};
/** --families=a,b: score only these families (synthetic or real), for quick experiments. */
const famArg = process.argv.slice(2).find((a) => a.startsWith('--families='));
const ONLY: ReadonlySet<string> | null = famArg
  ? new Set(famArg.slice('--families='.length).split(','))
  : null;
const selected = (s: BenchSeries): boolean => ONLY === null || ONLY.has(s.family);
const log = (msg: string): void => void process.stderr.write(`bench-forecast: ${msg}\n`);

const r4 = (x: number | null): number | null =>
  x === null || !Number.isFinite(x) ? null : Number(x.toFixed(4));
const div = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : a / b;

/** Keeps ours and the peers' per-series scores, grouped by family. */
type Scores = Map<string, Map<string, SeriesScore[]>>;
function push(scores: Scores, family: string, model: string, s: SeriesScore): void {
  let f = scores.get(family);
  if (!f) scores.set(family, (f = new Map<string, SeriesScore[]>()));
  let l = f.get(model);
  if (!l) f.set(model, (l = []));
  l.push(s);
}
/** Pseudo-families pooling several: ALL (synthetic), REAL (real series). */
const POOLS: Record<string, readonly string[]> = { ALL: FAMILIES, REAL: REAL_FAMILIES };
function summary(scores: Scores, family: string, model: string): ScoreSummary {
  const pool = POOLS[family];
  const list = pool
    ? pool.flatMap((f) => scores.get(f)?.get(model) ?? [])
    : (scores.get(family)?.get(model) ?? []);
  return summarizeScores(list);
}

/** Per series (by id): its family and every model's score, for --series-out. */
type SeriesScores = Map<string, { family: string; models: Record<string, SeriesScore> }>;

function accuracy(series: readonly BenchSeries[]): {
  scores: Scores;
  seconds: Record<string, number>;
  bySeries: SeriesScores;
} {
  const scores: Scores = new Map();
  const seconds: Record<string, number> = {};
  const bySeries: SeriesScores = new Map();
  for (const model of MODELS) {
    const t0 = performance.now();
    for (const s of series) {
      const score = scoreSeries(
        { bucketType: s.bucketType, values: s.values, ...(NO_DATES ? {} : { start: s.start }) },
        model,
      );
      push(scores, s.family, model, score);
      let e = bySeries.get(s.id);
      if (!e) bySeries.set(s.id, (e = { family: s.family, models: {} }));
      e.models[model] = score;
    }
    seconds[model] = (performance.now() - t0) / 1000;
    log(`accuracy ${model}: ${seconds[model]?.toFixed(1)} s`);
  }
  return { scores, seconds, bySeries };
}

/** Our models timed against the peer on the same series (one thread). */
const PEER_OURS: ModelName[] = ['auto', 'ets', 'theta', 'seasonal_naive'];
/** Ours vs statsforecast's same-named method, for the peer check. */
const PEER_PAIRS: [ModelName, (typeof PEER_MODELS)[number]][] = [
  ['ets', 'AutoETS'],
  ['theta', 'AutoTheta'],
  ['seasonal_naive', 'SeasonalNaive'],
];

/** Our input for a series, as the accuracy run gives it (with its start date unless --no-dates). */
const peerInput = (s: BenchSeries) => ({
  bucketType: s.bucketType,
  values: s.values,
  ...(NO_DATES ? {} : { start: s.start }),
});

/**
 * Compares our models with the cached peer scores of every series of this run that has them. Our side
 * is re-scored here series by series to time it on exactly those series (single thread, CPU time).
 */
function peerCompare(
  series: readonly BenchSeries[],
  cache: PeerCache,
  families: readonly string[],
): PeerSection | null {
  const cached = cachedFor(cache, series);
  const range = measuredRange(cached);
  if (!range) {
    log('no cached statsforecast results for these series: no peer comparison');
    return null;
  }
  const compared = series.filter((s) => cached.has(s.id));
  // One untimed pass first, so that JIT compilation is not charged to the timed one (the peer warms
  // up statsforecast the same way).
  for (const model of PEER_OURS) for (const s of compared) scoreSeries(peerInput(s), model);
  const ours = new Map<ModelName, Map<string, OursTimed>>();
  const oursCpuSeconds: Record<string, number> = {};
  for (const model of PEER_OURS) {
    const m = new Map<string, OursTimed>();
    let total = 0;
    for (const s of compared) {
      const c0 = process.cpuUsage();
      const score = scoreSeries(peerInput(s), model);
      const c = process.cpuUsage(c0);
      const cpuSeconds = (c.user + c.system) / 1e6;
      total += cpuSeconds;
      m.set(s.id, { family: s.family, score, cpuSeconds });
    }
    ours.set(model, m);
    oursCpuSeconds[model] = Number(total.toFixed(3));
  }
  const peerCpuSeconds: Record<string, number> = {};
  for (const e of cached.values())
    for (const [model, score] of Object.entries(e.models))
      peerCpuSeconds[model] = (peerCpuSeconds[model] ?? 0) + score.cpuSeconds;
  const rows = comparePeer(ours.get('auto') as Map<string, OursTimed>, cached, families, POOLS);
  // The peer check: our ets/theta/seasonal_naive against statsforecast's, as rows of the same shape.
  const check = PEER_PAIRS.flatMap(([mine]) =>
    comparePeer(ours.get(mine) as Map<string, OursTimed>, cached, ['ALL', 'REAL'], POOLS).map((r) => ({
      ...r,
      family: `${r.family}:${mine}`,
    })),
  );
  const versions = [...new Set([...cached.values()].map((e) => e.statsforecast))].sort();
  log(
    `peer comparison on ${compared.length} series with cached statsforecast results (${range.first} .. ${range.last})`,
  );
  return {
    version: versions.join(', '),
    measuredAt: range,
    engine: Object.fromEntries(
      PEER_OURS.map((m) => [m, MODEL_CATALOG.find((x) => x.name === m)?.modelVersion ?? '?']),
    ),
    series: compared.length,
    protocol: PEER_PROTOCOL,
    oursCpuSeconds,
    peerCpuSeconds: Object.fromEntries(
      Object.entries(peerCpuSeconds).map(([k, v]) => [k, Number(v.toFixed(3))]),
    ),
    rows: [...rows, ...check],
  };
}

function peerTables(p: PeerSection): string[] {
  const out: string[] = [];
  const ms = (cpu: number | undefined, n: number): string =>
    cpu === undefined ? '–' : ((cpu * 1000) / n).toFixed(1);
  // Older forecast.json files have no intervals.
  const ci = (x: readonly [number, number] | null | undefined): string =>
    x ? `${x[0].toFixed(3)}–${x[1].toFixed(3)}` : '–';
  out.push(
    `\n### auto vs statsforecast ${p.version} (${p.series} series with cached peer results, measured ${p.measuredAt.first.slice(0, 16)} .. ${p.measuredAt.last.slice(0, 16)}; ours: ${Object.entries(
      p.engine,
    )
      .map(([m, v]) => `${m} ${v}`)
      .join(', ')}; same protocol; CPU time, one thread each)\n`,
  );
  out.push(
    `| family | series | auto WAPE | best sf WAPE | model | ratio | 95% CI | auto median MASE | best sf MASE | model | ratio | 95% CI | auto CPU ms/series | ${PEER_BAR.join(' / ')} CPU ms/series | auto / fastest | ahead |`,
  );
  out.push('|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|');
  for (const r of p.rows.filter((x) => !x.family.includes(':'))) {
    out.push(
      `| ${r.family} | ${r.series} | ${fmt(r.auto.wape)} | ${fmt(r.bestWape?.value)} | ${r.bestWape?.model ?? '–'} | ${fmt(r.bestWape?.ratio)} | ${ci(r.wapeRatioCi)} | ${fmt(r.auto.maseMedian)} | ${fmt(r.bestMase?.value)} | ${r.bestMase?.model ?? '–'} | ${fmt(r.bestMase?.ratio)} | ${ci(r.maseRatioCi)} | ${ms(r.auto.cpuSeconds, r.series)} | ${PEER_BAR.map((m) => ms(r.peers[m]?.cpuSeconds, r.peers[m]?.series ?? 1)).join(' / ')} | ${fmt(r.timeRatioVsFastest?.ratio)} | ${r.ahead ? 'yes' : 'no'} |`,
    );
  }
  out.push("\n### Peer check: our model vs statsforecast's same method, same series, one thread each\n");
  out.push(
    '| pool:ours | sf model | series | ours WAPE | sf WAPE | ratio | ours MASE | sf MASE | ratio | ours CPU s | sf CPU s | time ratio |',
  );
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of p.rows.filter((x) => x.family.includes(':'))) {
    const theirs = PEER_PAIRS.find(([mine]) => r.family.endsWith(`:${mine}`))?.[1];
    const t = theirs ? r.peers[theirs] : undefined;
    // Only where statsforecast's method forecast every series of the row.
    if (!theirs || !t || t.series !== r.series) continue;
    out.push(
      `| ${r.family} | ${theirs} | ${r.series} | ${fmt(r.auto.wape)} | ${fmt(t.wape)} | ${fmt(div(r.auto.wape, t.wape))} | ${fmt(r.auto.maseMedian)} | ${fmt(t.maseMedian)} | ${fmt(div(r.auto.maseMedian, t.maseMedian))} | ${fmt(r.auto.cpuSeconds, 3)} | ${fmt(t.cpuSeconds, 3)} | ${fmt(div(r.auto.cpuSeconds, t.cpuSeconds), 3)} |`,
    );
  }
  return out;
}

interface SpeedRun {
  readonly series: number;
  readonly models: number;
  readonly threads: number;
  readonly wallSeconds: number;
  readonly seriesPerSecond: number;
  readonly cpuSeconds: number;
  readonly cpuMsPerSeries: number;
  /** CPU time per series x series / 2 threads: the wall time on two otherwise idle cores. */
  readonly projectedIdleWallSeconds: number;
  readonly loadAverageAtStart: number;
  readonly failed: number;
}

async function speed(models: ModelName[]): Promise<SpeedRun> {
  const series = generateSpeedSeries(SPEED_SERIES);
  const requests = series.map((values, i) => ({
    key: String(i),
    series: { bucketType: 'WEEK' as const, values },
    models,
  }));
  const pool = createForecastPool({ threads: 2, chunkSize: 128 });
  try {
    await pool.forecastMany(requests.slice(0, 256)); // warm both workers' JIT
    const load = loadavg()[0] as number;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const replies = await pool.forecastMany(requests);
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const failed = replies.filter((r) => r.error !== null).length;
    const out: SpeedRun = {
      series: requests.length,
      models: models.length,
      threads: pool.threads,
      wallSeconds: Number(wall.toFixed(2)),
      seriesPerSecond: Math.round(requests.length / wall),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      cpuMsPerSeries: Number(((cpu.user + cpu.system) / 1000 / requests.length).toFixed(3)),
      projectedIdleWallSeconds: Number(((cpu.user + cpu.system) / 1e6 / pool.threads).toFixed(2)),
      loadAverageAtStart: Number(load.toFixed(2)),
      failed,
    };
    log(`speed ${models.join(',')}: ${JSON.stringify(out)}`);
    return out;
  } finally {
    await pool.close();
  }
}

const fmt = (x: number | null | undefined, d = 3): string =>
  x === null || x === undefined ? '–' : x.toFixed(d);

/**
 * Redoes the statsforecast comparison of a results file against the current engine from the cached
 * peer results (our side costs seconds), so a results file written without it still gets it.
 */
async function refreshPeerSection(result: { statsforecast?: PeerSection | null }): Promise<void> {
  const cache = await loadCache();
  if (Object.keys(cache.series).length === 0) return;
  const synthetic = generateBench(PER_FAMILY);
  let real: BenchSeries[] = [];
  try {
    real = args.has('--no-real') ? [] : loadRealSeries();
  } catch (e) {
    log(`peer comparison without the real series: ${(e as Error).message}`);
  }
  result.statsforecast =
    peerCompare([...synthetic, ...real], cache, familiesOf(real)) ?? result.statsforecast;
  if (result.statsforecast) process.stdout.write(`${peerTables(result.statsforecast).join('\n')}\n`);
}

/** --speed-only: reruns the speed runs (and the peer comparison) and updates them in the results file. */
async function speedOnly(): Promise<void> {
  const path = resultsPath();
  const result = JSON.parse(await readFile(path, 'utf8')) as {
    speed: SpeedRun[];
    targets: Record<string, boolean | null>;
    statsforecast?: PeerSection | null;
  };
  await refreshPeerSection(result);
  result.speed = [await speed(['auto']), await speed(SPEED_ALL)];
  const first = result.speed[0] as SpeedRun;
  result.targets.speed20kWithin60s = first.series >= 20_000 && first.wallSeconds <= 60;
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${speedTable(result.speed).join('\n')}\n`);
}

/** --peer-only: redoes only the statsforecast comparison in the results file (cached peer results). */
async function peerOnly(): Promise<void> {
  const path = resultsPath();
  const result = JSON.parse(await readFile(path, 'utf8')) as { statsforecast?: PeerSection | null };
  await refreshPeerSection(result);
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
}

const SPEED_ALL: ModelName[] = ['auto', 'seasonal_naive', 'ets', 'theta', 'ensemble'];

function speedTable(runs: readonly SpeedRun[]): string[] {
  const out = ['\n### Speed: weekly series, 156 points, backtests included, 2 worker threads\n'];
  out.push('| models | series | wall s | series/s | CPU ms/series | CPU s / 2 threads | load avg at start |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  runs.forEach((s, i) => {
    out.push(
      `| ${i === 0 ? 'auto' : SPEED_ALL.join(' + ')} | ${s.series} | ${s.wallSeconds} | ${s.seriesPerSecond} | ${s.cpuMsPerSeries} | ${s.projectedIdleWallSeconds} | ${s.loadAverageAtStart} |`,
    );
  });
  return out;
}

/** The rows of the tables: every synthetic family, ALL, and the real families present with REAL. */
function familiesOf(real: readonly BenchSeries[]): string[] {
  return [
    ...FAMILIES.filter((f) => ONLY === null || ONLY.has(f)),
    'ALL',
    ...(real.length > 0 ? [...REAL_FAMILIES.filter((f) => real.some((s) => s.family === f)), 'REAL'] : []),
  ];
}

/** Where results are written (and, with --speed-only, read from). */
function resultsPath(): string {
  return outArg ? outArg.slice('--out='.length) : join(root, 'bench', 'results', 'forecast.json');
}

/** The multi-step coverage section (paths.ts) of `auto` on the sample of `series`. */
function pathSection(series: readonly BenchSeries[], families: readonly string[]): PathSection {
  return pathCoverage(
    samplePathCases(series, PATH_SAMPLE),
    'auto',
    families,
    POOLS,
    PATH_SAMPLE,
    !NO_DATES,
    log,
  );
}

/** Replaces one section (`key`) of the results file, keeping the others; creates the file when there is none. */
async function replaceSection(key: string, value: unknown): Promise<void> {
  const path = resultsPath();
  let result: Record<string, unknown> = {};
  try {
    result = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    log(`${path} does not exist yet: it will hold the ${key} section only`);
  }
  result[key] = value;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
}

/** --nowcast-only: redoes only the nowcast section (the "nowcast" key) of the results file. */
async function nowcastOnly(): Promise<void> {
  const rows = nowcastRows(
    generateBench(PER_FAMILY).filter(selected),
    args.has('--no-real') ? [] : loadRealSeries().filter(selected),
  );
  await replaceSection('nowcast', rows);
  process.stdout.write(`${nowcastTable(rows).join('\n')}\n`);
}

/** The nowcast section (nowcast.ts) over the daily series: synthetic DAY families and the real store_d. */
function nowcastRows(synthetic: readonly BenchSeries[], real: readonly BenchSeries[]): NowcastRow[] {
  const t0 = Date.now();
  const rows = nowcastSection([...synthetic, ...real].filter((s) => s.bucketType === 'DAY'));
  log(`nowcasts: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return rows;
}

/** --paths-only: redoes only the multi-step coverage section (the "paths" key) of the results file. */
async function pathsOnly(): Promise<void> {
  const synthetic = generateBench(PER_FAMILY).filter(selected);
  const real = args.has('--no-real')
    ? []
    : loadRealSeries()
        .filter((_, i) => i % REAL_EVERY === 0)
        .filter(selected);
  const section = pathSection([...synthetic, ...real], familiesOf(real));
  await replaceSection('paths', section);
  process.stdout.write(`${pathTable(section).join('\n')}\n`);
}

async function main(): Promise<void> {
  if (args.has('--paths-only')) return pathsOnly();
  if (args.has('--nowcast-only')) return nowcastOnly();
  if (args.has('--speed-only')) return speedOnly();
  if (args.has('--peer-only')) return peerOnly();
  const dataDir = join(root, '.data', 'bench', 'forecast');
  await mkdir(dataDir, { recursive: true });
  const synthetic = generateBench(PER_FAMILY).filter(selected);
  const real = args.has('--no-real')
    ? []
    : loadRealSeries()
        .filter((_, i) => i % REAL_EVERY === 0)
        .filter(selected);
  const series = [...synthetic, ...real];
  for (const bt of ['WEEK', 'DAY', 'MONTH'] as const) {
    await writeFile(
      join(dataDir, `${bt.toLowerCase()}.csv`),
      toCsv(synthetic.filter((s) => s.bucketType === bt)),
    );
    if (real.some((s) => s.bucketType === bt))
      await writeFile(
        join(dataDir, `real-${bt.toLowerCase()}.csv`),
        toCsv(real.filter((s) => s.bucketType === bt)),
      );
  }
  log(
    `${synthetic.length} synthetic series (${PER_FAMILY} per family), ${real.length} real; CSVs for forecast:eval in ${dataDir}`,
  );

  const { scores, seconds, bySeries } = accuracy(series);
  const seriesOut = process.argv.slice(2).find((a) => a.startsWith('--series-out='));
  if (seriesOut) {
    const file = seriesOut.slice('--series-out='.length);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(
      file,
      `${JSON.stringify({ generatedAt: new Date().toISOString(), dates: !NO_DATES, series: Object.fromEntries(bySeries) })}\n`,
    );
    log(`per-series scores in ${file}`);
  }
  const peerCache = await loadCache();
  if (!args.has('--no-peer')) await runPeer(peerCache, series, PEER_PER_FAMILY, dataDir);
  const speedRuns = args.has('--no-speed')
    ? []
    : [await speed(['auto']), await speed(['auto', 'seasonal_naive', 'ets', 'theta', 'ensemble'])];

  const families = familiesOf(real);
  const paths = args.has('--no-paths') ? null : pathSection(series, families);
  const nowcast = args.has('--no-nowcast') ? null : nowcastRows(series, []);
  const peerSection = peerCompare(series, peerCache, families);
  const famRows = families.map((family) => {
    const a = summary(scores, family, 'auto');
    const sn = summary(scores, family, 'seasonal_naive');
    const row: Record<string, unknown> = {
      family,
      series: a.series,
      wapeRatio: r4(div(a.wape, sn.wape)),
      maseMedianRatio: r4(div(a.maseMedian, sn.maseMedian)),
      models: Object.fromEntries(
        MODELS.map((m) => {
          const s = summary(scores, family, m);
          const sn = summary(scores, family, 'seasonal_naive');
          return [
            m,
            {
              wape: r4(s.wape),
              maseMedian: r4(s.maseMedian),
              smape: r4(s.smape),
              coverage80: r4(s.coverage80),
              coverage95: r4(s.coverage95),
              wapeRatioToSeasonalNaive: r4(div(s.wape, sn.wape)),
              maseMedianRatioToSeasonalNaive: r4(div(s.maseMedian, sn.maseMedian)),
            },
          ];
        }),
      ),
    };
    return row;
  });
  const overall = famRows.find((r) => r.family === 'ALL') as { wapeRatio: number; maseMedianRatio: number };
  const worst = famRows.filter((r) => r.family !== 'ALL' && r.family !== 'REAL') as {
    family: string;
    wapeRatio: number;
    maseMedianRatio: number;
  }[];
  const targets = {
    overallImprovementAtLeast15pct: overall.wapeRatio <= 0.85 && overall.maseMedianRatio <= 0.85,
    noFamilyLosesMoreThan2pct: worst.every((r) => r.wapeRatio <= 1.02 && r.maseMedianRatio <= 1.02),
    speed20kWithin60s: speedRuns[0] ? speedRuns[0].series >= 20_000 && speedRuns[0].wallSeconds <= 60 : null,
  };
  const result = {
    generatedAt: new Date().toISOString(),
    quick,
    machine: { cpus: cpus().length, node: process.version },
    protocol:
      'rolling origin, one step ahead, last k origins (WEEK 26, DAY 28, MONTH 12; at most half the series); parameters fitted once before the first origin, state rolled forward',
    perFamily: PER_FAMILY,
    families: famRows,
    secondsSingleThread: Object.fromEntries(
      Object.entries(seconds).map(([k, v]) => [k, Number(v.toFixed(2))]),
    ),
    statsforecast: peerSection,
    paths,
    nowcast,
    speed: speedRuns,
    targets,
  };
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await mkdir(dirname(resultsPath()), { recursive: true });
  await writeFile(resultsPath(), `${JSON.stringify(result, null, 2)}\n`);

  // Markdown report.
  const out: string[] = [];
  out.push(`### Forecast accuracy: auto vs seasonal_naive (${series.length} series, WAPE / median MASE)\n`);
  out.push(
    '| family | series | auto WAPE | SN WAPE | ratio | auto MASE | SN MASE | ratio | auto cover 80% | auto cover 95% |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const family of families) {
    const a = summary(scores, family, 'auto');
    const sn = summary(scores, family, 'seasonal_naive');
    out.push(
      `| ${family} | ${a.series} | ${fmt(a.wape)} | ${fmt(sn.wape)} | ${fmt(div(a.wape, sn.wape))} | ${fmt(a.maseMedian)} | ${fmt(sn.maseMedian)} | ${fmt(div(a.maseMedian, sn.maseMedian))} | ${fmt(a.coverage80, 2)} | ${fmt(a.coverage95, 2)} |`,
    );
  }
  const cols = [...MODELS];
  out.push('\n### All models (WAPE / median MASE)\n');
  out.push(`| family | ${cols.join(' | ')} |`);
  out.push(`|---|${cols.map(() => '---:').join('|')}|`);
  for (const family of families) {
    out.push(
      `| ${family} | ${cols
        .map((m) => {
          const s = summary(scores, family, m);
          return `${fmt(s.wape)} / ${fmt(s.maseMedian)}`;
        })
        .join(' | ')} |`,
    );
  }
  out.push('\n### Ratio to seasonal_naive (WAPE / median MASE; below 1 is better)\n');
  out.push(`| family | ${cols.join(' | ')} |`);
  out.push(`|---|${cols.map(() => '---:').join('|')}|`);
  for (const family of families) {
    const sn = summary(scores, family, 'seasonal_naive');
    out.push(
      `| ${family} | ${cols
        .map((m) => {
          const s = summary(scores, family, m);
          return `${fmt(div(s.wape, sn.wape), 2)} / ${fmt(div(s.maseMedian, sn.maseMedian), 2)}`;
        })
        .join(' | ')} |`,
    );
  }
  if (peerSection) out.push(...peerTables(peerSection));
  if (paths) out.push(...pathTable(paths));
  if (nowcast) out.push(...nowcastTable(nowcast));
  if (speedRuns.length > 0) out.push(...speedTable(speedRuns));
  out.push(`\nTargets: ${JSON.stringify(targets)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
