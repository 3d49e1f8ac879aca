import { ConfigError } from '../../pkg/config/index.js';
import {
  createProgressPrinter,
  formatSummary,
  hasUnexpectedFailures,
  parseSimulatorArgs,
  runSimulation,
  simulatorUsage,
} from '../../pkg/simulator/index.js';

// Wiring only: parse the command line, draw progress on stderr, print the summary on stdout, map the outcome to an exit code.
async function main(): Promise<number> {
  let config;
  try {
    config = parseSimulatorArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`simulator: ${err.message}\n(see simulator --help)\n`);
    return 2;
  }
  if (config.help) {
    process.stdout.write(simulatorUsage());
    return 0;
  }
  const mode = config.progress === 'auto' ? (process.stderr.isTTY ? 'bar' : 'plain') : config.progress;
  const printer = createProgressPrinter({ stream: process.stderr, mode });
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C does not wait for in-flight requests
    printer.warn('stopping: finishing requests in flight (Ctrl-C again to quit now)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runSimulation(
      { ...config, ingestUrl: config.ingestUrl, onProgress: printer.update, onWarning: printer.warn },
      controller.signal,
    );
    printer.close();
    process.stdout.write(`${config.json ? JSON.stringify(summary) : formatSummary(summary)}\n`);
    return hasUnexpectedFailures(summary) ? 1 : 0;
  } catch (err) {
    printer.close();
    process.stderr.write(`simulator: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exit(await main()); // exit now: idle keep-alive sockets would hold the process for seconds
