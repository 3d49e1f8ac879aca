/**
 * Child processes of the benchmark: catcast binaries as the image runs them (compiled JavaScript,
 * built by {@link buildServices}, started by the image's entrypoint scripts/k8s/entrypoint.sh with
 * its Node flags; the tsx loader would add ~40 MB of RSS and its start-up CPU to every figure), the
 * load generator and the reference tools, each in its own process so that no measurement shares an
 * event loop with what it measures. Peak RSS is read from /proc/<pid>/status (VmHWM).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, listeningPort } from '../../pkg/process/index.js';
import { intoCpuGroup } from './cpu-groups.js';
import { statFields } from './procfs.js';

/** Repository root. */
export const root = path.resolve(import.meta.dirname, '../..');

/** Compiles cmd/ and pkg/ into dist/ (`npm run build`), so that the services measured are the current source. */
export function buildServices(): void {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Writes a progress line to stderr (stdout stays clean for the final summary). */
export function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` every `everyMs` until it returns a value (not undefined); throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 60_000, everyMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await sleep(everyMs);
  }
}

/** Peak resident set size of a live process in MiB (VmHWM), or undefined once it exited. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a live process used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  const fields = pid === undefined ? undefined : statFields(pid);
  if (!fields) return undefined;
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (100 Hz)
}

/** A catcast binary running as a child process. */
export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string[];
  /** The HTTP port from its "listening" log line. */
  port(): Promise<number>;
  /** Peak RSS so far in MiB (kept after exit: the last reading). */
  peakRssMb(): number | undefined;
  cpuSeconds(): number | undefined;
  /** SIGTERM and wait (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

/** Every service started by this run, so that a failing scenario never leaves one behind. */
const started = new Set<Service>();

/**
 * Starts the compiled cmd/<name> with `env` on top of a minimal environment. With BENCH_CPU_PROF=<dir>
 * every service writes a V8 CPU profile (node --cpu-prof) into <dir>/<label>/ when it stops.
 */
export function startService(name: string, env: Record<string, string>, label = name): Service {
  const prof = process.env.BENCH_CPU_PROF
    ? `--cpu-prof --cpu-prof-dir=${path.resolve(root, process.env.BENCH_CPU_PROF, label.replace('#', '-'))}`
    : undefined;
  // Through the image's entrypoint (from this checkout), so the services run with the image's Node
  // flags; it execs node, so the child's pid is the service's. Launched by pkg/process, like every
  // process catcast starts.
  const p = launch({
    name: label,
    command: 'sh',
    args: [path.join(root, 'scripts/k8s/entrypoint.sh'), name],
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      AUTH_MODE: 'none',
      CATCAST_APP_DIR: root,
      // NODE_OPTIONS refuses --cpu-prof; the entrypoint passes CATCAST_NODE_ARGS to node itself.
      ...(prof ? { CATCAST_NODE_ARGS: prof } : {}),
      ...env,
    },
    maxLogLines: 400,
  });
  // Its own CPU group when the scenario turned them on (cpu-groups.ts), as its own pod would have.
  intoCpuGroup(label, p.child.pid);
  // Watched from the start: the bounded log may have dropped the line by the time port() is asked.
  const port = listeningPort(p, { timeoutMs: 120_000 });
  port.catch(() => undefined);
  const child = p.child;
  let peak: number | undefined;
  let cpu: number | undefined;
  const sample = () => {
    peak = Math.max(peak ?? 0, peakRssMb(child.pid) ?? 0) || peak;
    cpu = cpuSeconds(child.pid) ?? cpu;
  };
  const sampler = setInterval(sample, 500);
  sampler.unref();
  const service: Service = {
    name: label,
    child,
    log: p.log,
    port: () => port,
    peakRssMb: () => {
      if (p.running()) sample();
      return peak;
    },
    cpuSeconds: () => {
      if (p.running()) sample();
      return cpu;
    },
    async stop() {
      sample();
      clearInterval(sampler);
      started.delete(service);
      await p.stop({ graceMs: 20_000 });
    },
  };
  started.add(service);
  return service;
}

/** Stops every service still running (used on the way out of a failed scenario). */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((s) => s.stop()));
}

/** Runs a command to completion and returns its stdout; rejects with stderr on a non-zero exit. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; input?: string; cpuGroup?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (options.cpuGroup) intoCpuGroup(options.cpuGroup, child.pid);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // A command that exits before reading its input (e.g. a failed start) must be reported by its exit
    // code and stderr, not crash the benchmark with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    // 'close', not 'exit': 'exit' can come before the last of stdout has been read, and wrk's result
    // is its last line (a smoke run lost it once: "wrk printed no result").
    child.on('close', (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}: ${err.slice(-3000)}`)),
    );
  });
}
