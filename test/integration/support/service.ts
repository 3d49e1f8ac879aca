import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { catcastBinary, launch, listeningPort } from '../../../pkg/process/index.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** A catcast binary running as a child process, started through the telemetry preload. */
export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process wrote (stdout JSON lines and stderr), one entry per line. */
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
 * `node --import tsx --import ./pkg/telemetry/preload.ts cmd/<name>/main.ts` (pkg/process).
 */
export function startService(name: string, env: Record<string, string>): Service {
  const p = launch({
    name,
    ...catcastBinary(name, {
      root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    }),
  });
  const port = listeningPort(p, { timeoutMs: 120_000 });
  port.catch(() => undefined);
  const get = async (pathname: string) => fetch(`http://127.0.0.1:${await port}${pathname}`);
  return {
    name,
    child: p.child,
    log: p.log,
    port,
    exited: p.exited,
    get,
    async metrics() {
      const res = await get('/metrics');
      if (!res.ok) throw new Error(`${name} /metrics answered ${res.status}`);
      return res.text();
    },
    stop: (graceMs = 20_000) => p.stop({ graceMs }),
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
