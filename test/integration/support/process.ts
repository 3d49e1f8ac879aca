/** catcast binaries as real child processes, for the integration and fault-injection tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** A binary started with `node --import tsx cmd/<name>/main.ts`. */
export interface ChildService {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string[];
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** The port from the "listening" log line. */
  port(): Promise<number>;
  /** SIGTERM, then waits for the exit. */
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
  const log: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', `cmd/${name}/main.ts`, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    log,
    exited,
    port: () =>
      waitFor(
        `${name} to log its port`,
        () => {
          if (!running())
            throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}: ${log.join('')}`);
          const text = log.join('');
          const m = /"port":(\d+)[^\n]*"msg":"listening"|"msg":"listening"[^\n]*"port":(\d+)/.exec(text);
          return m ? Number(m[1] ?? m[2]) : undefined;
        },
        { timeoutMs: 90_000 },
      ),
    async stop() {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    async kill(signal = 'SIGKILL') {
      if (running()) child.kill(signal);
      return exited;
    },
  };
}
