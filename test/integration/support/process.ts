/** catcast binaries as real child processes, for the integration and fault-injection tests. */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { catcastBinary, launch, listeningPort } from '../../../pkg/process/index.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** A binary started with `node --import tsx cmd/<name>/main.ts`. */
export interface ChildService {
  readonly name: string;
  readonly child: ChildProcess;
  /** Its output, one entry per line (each ending in a newline). */
  readonly log: string[];
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** The port from the "listening" log line. */
  port(): Promise<number>;
  /** SIGTERM, then waits for the exit (SIGKILL after 20 s). */
  stop(): Promise<number | null>;
  /** Sends `signal` (default SIGKILL: no shutdown code runs) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts cmd/<name>/main.ts with `env` on top of the test's environment (and `args` after it). */
export function startBinary(
  name: string,
  env: Record<string, string>,
  args: readonly string[] = [],
): ChildService {
  const p = launch({
    name,
    ...catcastBinary(name, {
      root,
      args,
      telemetry: false,
      env: { ...process.env, LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env },
    }),
  });
  return {
    name,
    child: p.child,
    log: p.log,
    exited: p.exited,
    port: () => listeningPort(p, { timeoutMs: 90_000 }),
    stop: () => p.stop(),
    kill: (signal) => p.kill(signal),
  };
}
