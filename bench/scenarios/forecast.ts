/**
 * (5) Forecast job speed and the statsforecast comparison, by running bench/forecast/run.ts (the
 * forecast engine's own benchmark; not duplicated here). The full run re-measures the 20,000-series
 * speed runs; the accuracy and statsforecast peer results (AutoETS takes ~10 minutes) come from the
 * last `make bench-forecast`, whose date is reported. BENCH_FORECAST=full reruns all of it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { round, type BenchContext } from '../lib/context.js';
import { log, root, runCommand } from '../lib/proc.js';

interface ForecastJson {
  generatedAt: string;
  secondsSingleThread: Record<string, number>;
  statsforecast: { version: string; seconds: Record<string, number> } | null;
  families: {
    family: string;
    series: number;
    models: Record<string, { wape: number; maseMedian: number }>;
  }[];
  speed: {
    series: number;
    models: number;
    wallSeconds: number;
    seriesPerSecond: number;
    cpuMsPerSeries: number;
    loadAverageAtStart: number;
  }[];
}

/** Results of the forecast scenario. */
export interface ForecastResult {
  readonly accuracyMeasuredAt: string;
  readonly series: number;
  readonly autoSeriesPerSecond: number;
  readonly autoWallSeconds: number;
  readonly autoCpuMsPerSeries: number;
  readonly allModelsSeriesPerSecond: number | null;
  readonly statsforecast: {
    version: string;
    /** Our auto vs statsforecast AutoETS: single-thread seconds on the same accuracy series. */
    timeRatioAutoVsAutoETS: number | null;
    /** WAPE ratio (ours / theirs; below 1 = ours more accurate). */
    wapeRatioAutoVsAutoETS: number | null;
    maseRatioAutoVsAutoETS: number | null;
  } | null;
}

/** Runs (or, in smoke mode, runs small) the forecast benchmark and extracts the headline numbers. */
export async function forecastScenario(ctx: BenchContext): Promise<ForecastResult> {
  const out = ctx.smoke
    ? path.join(root, '.data', 'bench', 'forecast-smoke.json')
    : path.join(root, 'bench', 'results', 'forecast.json');
  const args = ctx.smoke
    ? ['--quick', '--no-peer', '--no-real', `--out=${out}`]
    : process.env.BENCH_FORECAST === 'full'
      ? []
      : ['--speed-only'];
  if (!ctx.smoke && process.env.BENCH_FORECAST === 'full') {
    await runCommand('bash', ['bench/forecast/peer-setup.sh']);
    await runCommand('bash', ['bench/forecast/real-data.sh']);
  }
  log(`forecast: bench/forecast/run.ts ${args.join(' ')}`);
  await runCommand(process.execPath, ['--import', 'tsx', 'bench/forecast/run.ts', ...args]);
  const r = JSON.parse(await readFile(out, 'utf8')) as ForecastJson;
  const auto = r.speed[0];
  if (!auto) throw new Error('the forecast benchmark wrote no speed run');
  const all = r.families.find((f) => f.family === 'ALL');
  const ours = all?.models.auto;
  const theirs = all?.models['sf:AutoETS'];
  return {
    accuracyMeasuredAt: r.generatedAt,
    series: auto.series,
    autoSeriesPerSecond: auto.seriesPerSecond,
    autoWallSeconds: auto.wallSeconds,
    autoCpuMsPerSeries: auto.cpuMsPerSeries,
    allModelsSeriesPerSecond: r.speed[1]?.seriesPerSecond ?? null,
    statsforecast: r.statsforecast
      ? {
          version: r.statsforecast.version,
          timeRatioAutoVsAutoETS: round(
            (r.secondsSingleThread.auto ?? NaN) / (r.statsforecast.seconds.AutoETS ?? NaN),
            3,
          ),
          wapeRatioAutoVsAutoETS: ours && theirs ? round(ours.wape / theirs.wape, 3) : null,
          maseRatioAutoVsAutoETS: ours && theirs ? round(ours.maseMedian / theirs.maseMedian, 3) : null,
        }
      : null,
  };
}
