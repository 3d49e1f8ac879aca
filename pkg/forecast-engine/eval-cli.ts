/**
 * The forecast:eval command: reads a CSV of bucketed sales, backtests each model on every series and
 * prints one JSON object to stdout (progress goes to stderr). Exit codes: 0 ok, 2 bad arguments or input.
 */
import { parseArgs } from 'node:util';
import { defaultOrigins, isModelName } from './catalog.js';
import { CsvInputError, parseSeriesCsv } from './csv.js';
import { ForecastInputError } from './engine.js';
import { scoreSeries, summarizeScores, type SeriesScore } from './evaluate.js';
import { MODEL_NAMES, type BucketType, type ModelName } from './types.js';

/** What the command needs from its process. */
export interface EvalIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly readFile: (path: string) => Promise<string>;
  /** Monotonic clock in milliseconds. @default performance.now */
  readonly now?: () => number;
}

const USAGE =
  'usage: forecast:eval --input series.csv --bucket-type WEEK|MONTH|DAY|YEAR [--origins N] [--models auto,seasonal_naive,...]';

class UsageError extends Error {}

const round = (x: number | null, digits = 6): number | null =>
  x === null || !Number.isFinite(x) ? null : Number(x.toPrecision(digits));

/** Runs the evaluation command with the given arguments; resolves to the process exit code. */
export async function runForecastEval(argv: readonly string[], io: EvalIo): Promise<number> {
  const now = io.now ?? (() => performance.now());
  let bucketType: BucketType;
  let origins: number | undefined;
  let models: ModelName[];
  let input: string;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        input: { type: 'string' },
        'bucket-type': { type: 'string' },
        origins: { type: 'string' },
        models: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (!values.input) throw new UsageError('--input is required');
    input = values.input;
    const bt = values['bucket-type'];
    if (bt !== 'WEEK' && bt !== 'MONTH' && bt !== 'DAY' && bt !== 'YEAR')
      throw new UsageError(
        `--bucket-type must be WEEK, MONTH, DAY or YEAR, got ${bt === undefined ? 'nothing' : `"${bt}"`}`,
      );
    bucketType = bt;
    if (values.origins !== undefined) {
      if (!/^\d+$/.test(values.origins) || Number(values.origins) < 1)
        throw new UsageError(`--origins must be a positive integer, got "${values.origins}"`);
      origins = Number(values.origins);
    }
    const names =
      values.models === undefined ? [...MODEL_NAMES] : values.models.split(',').map((s) => s.trim());
    models = [];
    for (const m of names) {
      if (!isModelName(m))
        throw new UsageError(`--models: unknown model "${m}" (known: ${MODEL_NAMES.join(', ')})`);
      if (!models.includes(m)) models.push(m);
    }
  } catch (err) {
    io.stderr.write(`forecast:eval: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }

  let text: string;
  try {
    text = await io.readFile(input);
  } catch (err) {
    io.stderr.write(`forecast:eval: cannot read --input ${input}: ${(err as Error).message}\n`);
    return 2;
  }
  let series;
  try {
    series = parseSeriesCsv(text, bucketType);
  } catch (err) {
    if (err instanceof CsvInputError) {
      io.stderr.write(`forecast:eval: ${input}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  io.stderr.write(`forecast:eval: ${series.length} series, ${models.length} models\n`);
  const options = origins === undefined ? {} : { origins };
  const inputs = series.map((s) => ({ bucketType, values: s.values }));
  const out: Record<string, unknown> = {};
  const scoresOf = (model: ModelName): { scores: SeriesScore[]; seconds: number } => {
    const t0 = now();
    const scores: SeriesScore[] = [];
    inputs.forEach((s, i) => {
      if (i > 0 && i % 2000 === 0) io.stderr.write(`forecast:eval: ${model} ${i}/${inputs.length} series\n`);
      try {
        scores.push(scoreSeries(s, model, options));
      } catch (err) {
        if (err instanceof ForecastInputError) {
          const c = series[i];
          throw new Error(`series merchant ${c?.merchant}, category ${c?.category}: ${err.message}`, {
            cause: err,
          });
        }
        throw err;
      }
    });
    return { scores, seconds: (now() - t0) / 1000 };
  };
  // Ratios to seasonal_naive need its scores even when it was not asked for.
  const snRun = scoresOf('seasonal_naive');
  const sn = summarizeScores(snRun.scores);
  for (const model of models) {
    const { scores, seconds } = model === 'seasonal_naive' ? snRun : scoresOf(model);
    const s = summarizeScores(scores);
    out[model] = {
      wape: round(s.wape),
      mase_median: round(s.maseMedian),
      mase_weighted: round(s.maseWeighted),
      smape: round(s.smape),
      coverage80: round(s.coverage80),
      coverage95: round(s.coverage95),
      seconds: round(seconds, 4),
      ratio_to_seasonal_naive: {
        wape: round(s.wape !== null && sn.wape ? s.wape / sn.wape : null),
        mase_median: round(s.maseMedian !== null && sn.maseMedian ? s.maseMedian / sn.maseMedian : null),
      },
    };
    io.stderr.write(`forecast:eval: ${model} done\n`);
  }
  io.stdout.write(
    `${JSON.stringify({ bucket_type: bucketType, origins: origins ?? defaultOrigins(bucketType), series: series.length, models: out })}\n`,
  );
  return 0;
}
