import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');

/** A catcast binary running as a child process, started through the telemetry preload. */
export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process wrote (stdout JSON lines and stderr). */
  readonly log: string[];
  /** Resolves with the HTTP port once the process logged "listening". */
  readonly port: Promise<number>;
  readonly exited: Promise<number | null>;
  /** GET `pathname` on the service. */
  get(pathname: string): Promise<Response>;
  /** Prometheus text of /metrics. */
  metrics(): Promise<string>;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `cmd/<name>/main.ts` exactly as the image does, but from source:
 * `node --import tsx --import ./pkg/telemetry/preload.ts cmd/<name>/main.ts`.
 */
export function startService(name: string, env: Record<string, string>): Service {
  const log: string[] = [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './pkg/telemetry/preload.ts', `cmd/${name}/main.ts`],
    {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let resolvePort: (p: number) => void = () => undefined;
  let rejectPort: (e: Error) => void = () => undefined;
  const port = new Promise<number>((resolve, reject) => {
    resolvePort = resolve;
    rejectPort = reject;
  });
  port.catch(() => undefined);
  let pending = '';
  child.stdout?.on('data', (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      log.push(line);
      const m = /"port":(\d+).*"msg":"listening"/.exec(line);
      if (m) resolvePort(Number(m[1]));
    }
  });
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      rejectPort(new Error(`${name} exited (${code ?? signal}) before listening: ${log.join('\n')}`));
      resolve(code);
    }),
  );
  const get = async (pathname: string) => fetch(`http://127.0.0.1:${await port}${pathname}`);
  return {
    name,
    child,
    log,
    port,
    exited,
    get,
    async metrics() {
      const res = await get('/metrics');
      if (!res.ok) throw new Error(`${name} /metrics answered ${res.status}`);
      return res.text();
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * The value of one sample of a Prometheus text exposition: `series` is a metric name, optionally
 * with some of its labels (`x{partition="total"}`); labels not named (e.g. service) are ignored.
 */
export function sample(text: string, series: string): number | undefined {
  const [wantedName, wantedLabels = ''] = series.split('{');
  const wanted = wantedLabels
    .replace(/}$/, '')
    .split(',')
    .filter((l) => l !== '');
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    const [name, labels = ''] = line.slice(0, i).split('{');
    if (name !== wantedName) continue;
    const have = new Set(labels.replace(/}$/, '').split(','));
    if (wanted.every((l) => have.has(l))) return Number(line.slice(i + 1));
  }
  return undefined;
}
