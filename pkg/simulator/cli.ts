import { ConfigError } from '../config/index.js';
import { parseSimulatorArgs, simulatorUsage, type SimulatorConfig } from './config.js';
import { createProgressPrinter, formatSummary } from './progress.js';
import { hasUnexpectedFailures, runSimulation } from './run.js';

/** Where the simulator CLI writes; defaults to the process's streams. */
export interface SimulatorDeps {
  /** The summary (and --help). @default process.stdout */
  readonly stdout?: { write(text: string): unknown };
  /** Progress and warnings; a TTY gets the progress bar. @default process.stderr */
  readonly stderr?: { write(text: string): unknown; columns?: number; isTTY?: boolean };
  /** HTTP client of the ingest calls (tests pass a fake ingest). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The simulator's configuration from its flags and environment (flags win); a bad one names the flag. */
export function parseSimulatorCommandLine(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
): SimulatorConfig {
  try {
    return parseSimulatorArgs(argv, env);
  } catch (err) {
    if (err instanceof ConfigError)
      throw new ConfigError(`${err.message}\n(see simulator --help)`, err.issues);
    throw err;
  }
}

/**
 * cmd/simulator's work: progress on stderr, the summary on stdout (JSON with --json). Resolves with the
 * exit code: 0, or 1 when ingest rejected orders the simulator did not mean to be invalid or the run
 * failed. An abort stops after the requests in flight.
 */
export async function run(
  config: SimulatorConfig,
  signal: AbortSignal,
  deps: SimulatorDeps = {},
): Promise<number> {
  const { stdout = process.stdout, stderr = process.stderr } = deps;
  if (config.help) {
    stdout.write(simulatorUsage());
    return 0;
  }
  const mode = config.progress === 'auto' ? (stderr.isTTY ? 'bar' : 'plain') : config.progress;
  const printer = createProgressPrinter({ stream: stderr, mode });
  try {
    const summary = await runSimulation(
      {
        ...config,
        ingestUrl: config.ingestUrl,
        onProgress: printer.update,
        onWarning: printer.warn,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      },
      signal,
    );
    printer.close();
    stdout.write(`${config.json ? JSON.stringify(summary) : formatSummary(summary)}\n`);
    return hasUnexpectedFailures(summary) ? 1 : 0;
  } catch (err) {
    // A run that cannot go on (ingest unreachable, a rejected catalog) is the user's news, not a stack.
    printer.close();
    stderr.write(`simulator: ${(err as Error).message}\n`);
    return 1;
  }
}
