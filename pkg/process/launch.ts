import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

/** Options of {@link launch}. */
export interface LaunchOptions {
  /** Name used in errors and reports. */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** The child's whole environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Run the child as this user/group (e.g. postgres, which refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
  /** Also append the child's output to this file. */
  readonly logFile?: string;
  /**
   * Keep at most this many lines in {@link Launched.log} (the oldest half is dropped when full), for
   * long-running children whose output is only read for errors. @default unlimited
   */
  readonly maxLogLines?: number;
}

/** Options of the waits of {@link Launched}. */
export interface WaitOptions {
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** Between probes of {@link Launched.waitForHealth}. @default 100 */
  readonly intervalMs?: number;
}

/** A running (or exited) child process. */
export interface Launched {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  /** Its output (stdout and stderr), one entry per line, each ending in "\n". */
  readonly log: string[];
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  running(): boolean;
  /**
   * Resolves with the first match of `pattern` in a line of output (earlier lines included); rejects
   * when the process exits first or after the timeout, with the output's tail.
   */
  waitForLine(pattern: RegExp, options?: WaitOptions): Promise<RegExpExecArray>;
  /**
   * Polls `probe` until it returns true (a thrown error counts as not yet); rejects when the process
   * exits first or after the timeout.
   */
  waitForHealth(probe: () => boolean | Promise<boolean>, options?: WaitOptions): Promise<void>;
  /**
   * SIGTERM (after SIGCONT, in case it was stopped), SIGKILL once `graceMs` passed; resolves with
   * the exit code.
   */
  stop(options?: { graceMs?: number; signal?: NodeJS.Signals }): Promise<number | null>;
  /** Sends `signal` (default SIGKILL: no shutdown code runs) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const tail = (log: readonly string[]) => log.slice(-40).join('').slice(-4000);

/** Starts a child process with piped, captured output. */
export function launch(options: LaunchOptions): Launched {
  const { name, maxLogLines } = options;
  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  const log: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const file = options.logFile
    ? createWriteStream(path.resolve(options.cwd ?? '.', options.logFile), { flags: 'a' })
    : undefined;
  const pending = { stdout: '', stderr: '' };
  const push = (line: string) => {
    log.push(line);
    if (maxLogLines !== undefined && log.length > maxLogLines) log.splice(0, Math.ceil(maxLogLines / 2));
    for (const l of listeners) l(line);
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (d: Buffer) => {
      file?.write(d);
      const lines = (pending[stream] + d.toString()).split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) push(`${line}\n`);
    });
  }
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      // Could not start at all (e.g. not installed): no 'exit' follows.
      spawnError = err;
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined) resolve(null);
    });
    let closed = false;
    const finish = (code: number | null) => {
      if (closed) return;
      closed = true;
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) push(pending[stream]);
      file?.end();
      resolve(spawnError ? null : code); // after a failed spawn, 'close' reports the errno
    };
    // 'close' comes once the output is drained too; a grandchild that inherited the pipes can hold
    // it open, so the exit itself counts after a short grace.
    child.once('close', (code) => finish(code));
    child.once('exit', (code) => setTimeout(() => finish(code), 2000).unref());
  });
  let done = false;
  void exited.then(() => (done = true));
  const running = () => !done && child.exitCode === null && child.signalCode === null && !spawnError;
  const ended = () =>
    new Error(
      `${name} exited (${spawnError?.message ?? child.exitCode ?? child.signalCode}) while waiting: ${tail(log)}`,
    );

  function waitForLine(pattern: RegExp, { timeoutMs = 60_000 }: WaitOptions = {}) {
    return new Promise<RegExpExecArray>((resolve, reject) => {
      const check = (line: string) => {
        const m = pattern.exec(line);
        if (m) finish(() => resolve(m));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms: ${tail(log)}`)),
          ),
        timeoutMs,
      );
      const onExit = () => finish(() => reject(ended()));
      function finish(settle: () => void) {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      }
      for (const line of log) {
        const m = pattern.exec(line);
        if (m) return finish(() => resolve(m));
      }
      listeners.add(check);
      void exited.then(() => setImmediate(onExit));
    });
  }

  async function waitForHealth(
    probe: () => boolean | Promise<boolean>,
    { timeoutMs = 60_000, intervalMs = 100 }: WaitOptions = {},
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      if (!running()) throw ended();
      try {
        if (await probe()) return;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline)
        throw new Error(`${name} was not healthy within ${timeoutMs} ms: ${tail(log)}`, { cause: last });
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  return {
    name,
    child,
    pid: child.pid,
    log,
    exited,
    running,
    waitForLine,
    waitForHealth,
    async stop({ graceMs = 20_000, signal = 'SIGTERM' } = {}) {
      if (!running()) return exited;
      child.kill('SIGCONT');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill(signal = 'SIGKILL') {
      if (running()) child.kill(signal);
      return exited;
    },
  };
}

/** The "listening" log line of a catcast binary (pkg/log JSON, fields in either order). */
export const LISTENING_LINE = /"port":(\d+)[^\n]*"msg":"listening"|"msg":"listening"[^\n]*"port":(\d+)/;

/** Resolves with the HTTP port a catcast binary logged in its "listening" line. */
export async function listeningPort(p: Launched, options?: WaitOptions): Promise<number> {
  const m = await p.waitForLine(LISTENING_LINE, options);
  return Number(m[1] ?? m[2]);
}

/** Options of {@link catcastBinary}. */
export interface CatcastBinaryOptions {
  /** Repository root (cmd/ and pkg/ are under it). */
  readonly root: string;
  /** The child's whole environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly args?: readonly string[];
  /** Load pkg/telemetry/preload.ts first, as the image does. @default true */
  readonly telemetry?: boolean;
}

/**
 * Launch options for `cmd/<binary>/main.ts` from source: `node --import tsx [--import
 * ./pkg/telemetry/preload.ts] cmd/<binary>/main.ts` (the preload does nothing unless
 * OTEL_EXPORTER_OTLP_ENDPOINT is set).
 */
export function catcastBinary(binary: string, options: CatcastBinaryOptions): Omit<LaunchOptions, 'name'> {
  return tsxScript(`cmd/${binary}/main.ts`, options);
}

/** Launch options for a TypeScript file under `root` run with tsx (and the telemetry preload). */
export function tsxScript(
  script: string,
  { root, env, args = [], telemetry = true }: CatcastBinaryOptions,
): Omit<LaunchOptions, 'name'> {
  const preload = telemetry ? ['--import', './pkg/telemetry/preload.ts'] : [];
  return {
    command: process.execPath,
    args: ['--import', 'tsx', ...preload, script, ...args],
    cwd: root,
    env,
  };
}
