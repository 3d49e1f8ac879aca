/** forecast-eval: backtests the forecast models on a CSV of bucketed sales (see pkg/forecast-engine/eval-cli.ts). */
import { readFile } from 'node:fs/promises';
import { runForecastEval } from '../../pkg/forecast-engine/index.js';

process.exitCode = await runForecastEval(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFile(path, 'utf8'),
});
