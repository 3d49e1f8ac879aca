/** forecast-eval: backtests the forecast models on a CSV of bucketed sales (see pkg/forecast-engine/eval-cli.ts). */
import { readFile } from 'node:fs/promises';
import { runForecastEval } from '../../pkg/forecast-engine/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({
  name: 'forecast-eval',
  parse: (_env, argv) => argv,
  run: (argv) =>
    runForecastEval(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      readFile: (path) => readFile(path, 'utf8'),
    }),
});
