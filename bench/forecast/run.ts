/**
 * Forecast benchmark (not a test): accuracy by family on deterministic synthetic series, the
 * 20,000-series speed run on two worker threads, and the statsforecast peer check under the same
 * rolling-origin protocol. Writes bench/results/forecast.json and prints Markdown tables.
 *
 * usage: npx tsx bench/forecast/run.ts [--quick] [--no-peer] [--no-real] [--no-speed] [--speed-only] [--no-dates] [--out=FILE]
 *   [--per-family=N] [--real-every=N]
 * (--per-family: synthetic series per family, default 150, 30 with --quick; --real-every: keep every
 * Nth real series, default 1, 5 with --quick)
 * (--no-real: synthetic families only; otherwise the real series of real.ts are scored too, from the
 * files bench/forecast/real-data.sh installs)
 * (--out: results file instead of bench/results/forecast.json; bench/run.ts --smoke uses it)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createForecastPool,
  defaultOrigins,
  scoreSeries,
  seasonLength,
  summarizeScores,
  type ErrorSums,
  type ModelName,
  type ScoreSummary,
  type SeriesScore,
} from '../../pkg/forecast-engine/index.js';
import { FAMILIES, generateBench, generateSpeedSeries, toCsv, type BenchSeries } from './generate.js';
import { REAL_FAMILIES, loadRealSeries } from './real.js';

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
const PEERS = ['AutoETS', 'AutoTheta', 'AutoARIMA', 'SeasonalNaive', 'Theta'] as const;
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

function accuracy(series: readonly BenchSeries[]): { scores: Scores; seconds: Record<string, number> } {
  const scores: Scores = new Map();
  const seconds: Record<string, number> = {};
  for (const model of MODELS) {
    const t0 = performance.now();
    for (const s of series)
      push(
        scores,
        s.family,
        model,
        scoreSeries(
          { bucketType: s.bucketType, values: s.values, ...(NO_DATES ? {} : { start: s.start }) },
          model,
        ),
      );
    seconds[model] = (performance.now() - t0) / 1000;
    log(`accuracy ${model}: ${seconds[model]?.toFixed(1)} s`);
  }
  return { scores, seconds };
}

async function peer(
  series: readonly BenchSeries[],
  scores: Scores,
  dir: string,
): Promise<{ version: string; seconds: Record<string, number> } | null> {
  const venv = join(
    process.env.CATCAST_CACHE_DIR ?? join(process.env.HOME ?? '/root', '.cache', 'catcast'),
    'venv-statsforecast',
  );
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    log(`no statsforecast venv at ${venv}: run "make bench-forecast" (it installs it) or pass --no-peer`);
    return null;
  }
  const lines = ['unique_id,ds,y'];
  const groups: Record<string, { m: number; k: number }> = {};
  for (const s of series) {
    s.values.forEach((v, t) => lines.push(`${s.id},${t},${v}`));
    groups[s.id] = {
      m: seasonLength(s.bucketType),
      k: Math.min(defaultOrigins(s.bucketType), Math.floor(s.values.length / 2)),
    };
  }
  const input = join(dir, 'peer-input.csv');
  const groupsPath = join(dir, 'peer-groups.json');
  const output = join(dir, 'peer-output.csv');
  const timings = join(dir, 'peer-timings.json');
  await writeFile(input, `${lines.join('\n')}\n`);
  await writeFile(groupsPath, JSON.stringify(groups));
  log(`statsforecast: running ${PEERS.join(', ')}`);
  await promisify(execFile)(
    python,
    [join(root, 'bench', 'forecast', 'statsforecast_peer.py'), input, groupsPath, output, timings],
    {
      maxBuffer: 64 << 20,
    },
  );
  const byId = new Map(series.map((s) => [s.id, s]));
  const preds = new Map<string, Map<number, Record<string, number>>>();
  const [header, ...rows] = (await readFile(output, 'utf8')).trim().split('\n');
  const cols = (header ?? '').split(',');
  for (const row of rows) {
    const f = row.split(',');
    const id = f[cols.indexOf('unique_id')] as string;
    const ds = Number(f[cols.indexOf('ds')]);
    const rec: Record<string, number> = {};
    for (const p of PEERS) rec[p] = f[cols.indexOf(p)] === '' ? NaN : Number(f[cols.indexOf(p)]);
    let m = preds.get(id);
    if (!m) preds.set(id, (m = new Map<number, Record<string, number>>()));
    m.set(ds, rec);
  }
  for (const [id, m] of preds) {
    const s = byId.get(id) as BenchSeries;
    const n = s.values.length;
    const k = (groups[id] as { k: number }).k;
    const scale = maseScaleOf(s.values, seasonLength(s.bucketType), n - k);
    for (const p of PEERS) {
      const sums: ErrorSums = { count: 0, absError: 0, absActual: 0, smape: 0, hits80: 0, hits95: 0 };
      for (let t = n - k; t < n; t++) {
        const raw = m.get(t)?.[p];
        if (raw === undefined || Number.isNaN(raw)) continue;
        // Clamped at 0 like ours (sales are never negative); this can only help the peer.
        const f = Math.max(0, raw);
        const a = s.values[t] as number;
        const e = Math.abs(a - f);
        sums.count++;
        sums.absError += e;
        sums.absActual += Math.abs(a);
        sums.smape += Math.abs(a) + f === 0 ? 0 : (2 * e) / (Math.abs(a) + f);
      }
      push(scores, s.family, `sf:${p}`, {
        sums,
        mase: sums.count > 0 && scale > 0 ? sums.absError / sums.count / scale : null,
      });
    }
  }
  return JSON.parse(await readFile(timings, 'utf8')) as { version: string; seconds: Record<string, number> };
}

function maseScaleOf(y: readonly number[], m: number, end: number): number {
  const lag = m > 1 && end > m ? m : 1;
  if (end <= lag) return NaN;
  let s = 0;
  for (let t = lag; t < end; t++) s += Math.abs((y[t] as number) - (y[t - lag] as number));
  return s / (end - lag);
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

/** --speed-only: reruns the speed runs and updates them in the existing results file. */
async function speedOnly(): Promise<void> {
  const path = resultsPath();
  const result = JSON.parse(await readFile(path, 'utf8')) as {
    speed: SpeedRun[];
    targets: Record<string, boolean | null>;
  };
  result.speed = [await speed(['auto']), await speed(SPEED_ALL)];
  const first = result.speed[0] as SpeedRun;
  result.targets.speed20kWithin60s = first.series >= 20_000 && first.wallSeconds <= 60;
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${speedTable(result.speed).join('\n')}\n`);
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

/** Where results are written (and, with --speed-only, read from). */
function resultsPath(): string {
  return outArg ? outArg.slice('--out='.length) : join(root, 'bench', 'results', 'forecast.json');
}

async function main(): Promise<void> {
  if (args.has('--speed-only')) return speedOnly();
  const dataDir = join(root, '.data', 'bench', 'forecast');
  await mkdir(dataDir, { recursive: true });
  const synthetic = generateBench(PER_FAMILY);
  const real = args.has('--no-real') ? [] : loadRealSeries().filter((_, i) => i % REAL_EVERY === 0);
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

  const { scores, seconds } = accuracy(series);
  const peerInfo = args.has('--no-peer') ? null : await peer(series, scores, dataDir);
  const speedRuns = args.has('--no-speed')
    ? []
    : [await speed(['auto']), await speed(['auto', 'seasonal_naive', 'ets', 'theta', 'ensemble'])];

  const families = [
    ...FAMILIES,
    'ALL',
    ...(real.length > 0 ? [...REAL_FAMILIES.filter((f) => real.some((s) => s.family === f)), 'REAL'] : []),
  ];
  const famRows = families.map((family) => {
    const a = summary(scores, family, 'auto');
    const sn = summary(scores, family, 'seasonal_naive');
    const row: Record<string, unknown> = {
      family,
      series: a.series,
      wapeRatio: r4(div(a.wape, sn.wape)),
      maseMedianRatio: r4(div(a.maseMedian, sn.maseMedian)),
      models: Object.fromEntries(
        [...MODELS, ...(peerInfo ? PEERS.map((p) => `sf:${p}`) : [])].map((m) => {
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
    statsforecast: peerInfo,
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
  const cols = [...MODELS, ...(peerInfo ? PEERS.map((p) => `sf:${p}`) : [])];
  out.push(`\n### All models (WAPE / median MASE; sf: = statsforecast ${peerInfo?.version ?? 'not run'})\n`);
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
  if (peerInfo) {
    const pairs: [string, ModelName, string][] = [
      ['AutoETS', 'ets', 'AutoETS'],
      ['Theta', 'theta', 'Theta'],
      ['SeasonalNaive', 'seasonal_naive', 'SeasonalNaive'],
    ];
    out.push('\n### Peer check: same series, same protocol, one thread each\n');
    out.push(
      '| model | ours WAPE | sf WAPE | WAPE ratio | ours MASE | sf MASE | ours s | sf s | time ratio |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [label, ours, theirs] of pairs) {
      const a = summary(scores, 'ALL', ours);
      const b = summary(scores, 'ALL', `sf:${theirs}`);
      const so = seconds[ours] ?? null;
      const st = peerInfo.seconds[theirs] ?? null;
      out.push(
        `| ${label} | ${fmt(a.wape)} | ${fmt(b.wape)} | ${fmt(div(a.wape, b.wape))} | ${fmt(a.maseMedian)} | ${fmt(b.maseMedian)} | ${fmt(so, 1)} | ${fmt(st, 1)} | ${fmt(div(so, st), 2)} |`,
      );
    }
    const a = summary(scores, 'ALL', 'auto');
    const b = summary(scores, 'ALL', 'sf:AutoETS');
    out.push(
      `| auto vs AutoETS | ${fmt(a.wape)} | ${fmt(b.wape)} | ${fmt(div(a.wape, b.wape))} | ${fmt(a.maseMedian)} | ${fmt(b.maseMedian)} | ${fmt(seconds.auto ?? null, 1)} | ${fmt(peerInfo.seconds.AutoETS ?? null, 1)} | ${fmt(div(seconds.auto ?? null, peerInfo.seconds.AutoETS ?? null), 2)} |`,
    );
  }
  if (peerInfo) {
    const autos = ['AutoETS', 'AutoTheta', 'AutoARIMA'];
    out.push(
      '\n### auto vs the best statsforecast Auto* model of each family (same series, same protocol)\n',
    );
    out.push(
      '| family | auto WAPE | best sf WAPE | model | ratio | auto MASE | best sf MASE | model | ratio |',
    );
    out.push('|---|---:|---:|---|---:|---:|---:|---|---:|');
    for (const family of families) {
      const a = summary(scores, family, 'auto');
      // A peer that did not forecast every series of the row (AutoARIMA: monthly only) is left out.
      const sf = autos
        .map((p) => ({ p, s: summary(scores, family, `sf:${p}`) }))
        .filter((x) => x.s.series === a.series);
      if (sf.length === 0) continue;
      const bw = sf.reduce((x, y) => ((y.s.wape ?? Infinity) < (x.s.wape ?? Infinity) ? y : x));
      const bm = sf.reduce((x, y) => ((y.s.maseMedian ?? Infinity) < (x.s.maseMedian ?? Infinity) ? y : x));
      out.push(
        `| ${family} | ${fmt(a.wape)} | ${fmt(bw.s.wape)} | ${bw.p} | ${fmt(div(a.wape, bw.s.wape))} | ${fmt(a.maseMedian)} | ${fmt(bm.s.maseMedian)} | ${bm.p} | ${fmt(div(a.maseMedian, bm.s.maseMedian))} |`,
      );
    }
    const sfSeconds = autos.map((p) => `${p} ${fmt(peerInfo.seconds[p] ?? null, 1)} s`).join(', ');
    out.push(`\nSingle-thread time on these series: auto ${fmt(seconds.auto ?? null, 1)} s; ${sfSeconds}.`);
  }
  if (speedRuns.length > 0) out.push(...speedTable(speedRuns));
  out.push(`\nTargets: ${JSON.stringify(targets)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
