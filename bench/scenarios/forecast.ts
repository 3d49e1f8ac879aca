/**
 * (5) Forecast job speed and the statsforecast comparison, by running bench/forecast/run.ts (the
 * forecast engine's own benchmark; not duplicated here). The full run re-measures the 20,000-series
 * speed runs and redoes the statsforecast comparison from the cached peer results (their run's date is
 * reported); the accuracy results come from the last `make bench-forecast`, whose date is reported.
 * BENCH_FORECAST=full reruns all of it (statsforecast only on sample series without cached results).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { peerHeadline, type PeerSection } from '../forecast/peer.js';
import type { BenchContext } from '../lib/context.js';
import { log, root, runCommand } from '../lib/proc.js';

interface ForecastJson {
  generatedAt: string;
  secondsSingleThread: Record<string, number>;
  /** From the cached statsforecast results (bench/results/forecast-peer.json), with their own date. */
  statsforecast?: PeerSection | null;
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
  /**
   * auto vs statsforecast on the synthetic (ALL) and real (REAL) series with cached peer results:
   * ratios ours / theirs (below 1 = ours better or faster), single-thread CPU time on the same
   * series, and the date of the peer run (not of this one).
   */
  readonly statsforecast: ReturnType<typeof peerHeadline>;
  readonly statsforecastReal?: ReturnType<typeof peerHeadline>;
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
  return {
    accuracyMeasuredAt: r.generatedAt,
    series: auto.series,
    autoSeriesPerSecond: auto.seriesPerSecond,
    autoWallSeconds: auto.wallSeconds,
    autoCpuMsPerSeries: auto.cpuMsPerSeries,
    allModelsSeriesPerSecond: r.speed[1]?.seriesPerSecond ?? null,
    statsforecast: peerHeadline(r.statsforecast),
    statsforecastReal: peerHeadline(r.statsforecast, 'REAL'),
  };
}
