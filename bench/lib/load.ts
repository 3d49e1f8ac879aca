/**
 * Runs the load generator: wrk (Debian's package, C, epoll) with bench/lib/wrk.lua, in its own
 * process. wrk rather than autocannon: on 2 cores the load tool takes CPU from what it measures, and
 * autocannon spent about a core to send ~800 orders/s while wrk spends a few percent; its latencies
 * are in microseconds, autocannon's in whole milliseconds.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { root, runCommand } from './proc.js';

let wrkPath: Promise<string> | undefined;

/**
 * Path of wrk, installed with apt-get by bench/ensure-wrk.sh when missing. The promise is kept, not
 * its value: the read mix starts its writers and readers together, and two installs at once fought
 * over dpkg's lock on a fresh machine.
 */
function ensureWrk(): Promise<string> {
  if (!wrkPath) {
    wrkPath = runCommand('bash', [path.join(root, 'bench/ensure-wrk.sh')]).then((out) => out.trim());
    // A failed install is not remembered: the next caller tries again.
    wrkPath.catch(() => (wrkPath = undefined));
  }
  return wrkPath;
}

/** What one load-generator process does. */
export interface LoadJob {
  readonly url: string;
  /**
   * More servers of the same service (replicas). wrk then runs one thread per server, `url` first,
   * each thread's connections to its own server: a Kubernetes Service's balancing, which spreads
   * connections (not requests) over the pods, without a proxy in between. `connections` and
   * `overallRate` are shared evenly between the threads.
   */
  readonly replicas?: readonly string[];
  /** POST /v1/orders, POST /v1/orders/batch, GET one of `paths` at random, or GET the read mix of `mix`. */
  readonly kind: 'order' | 'batch' | 'get' | 'mix';
  readonly connections: number;
  readonly durationSec: number;
  /** Requests per second over all connections; unset = as fast as possible. */
  readonly overallRate?: number;
  /** Orders per batch request. @default 100 */
  readonly batchSize?: number;
  /** Orders go to merchants bench-m-(offset+1) .. bench-m-(offset+merchants) at random. */
  readonly merchants: number;
  readonly merchantOffset: number;
  readonly products: number;
  /** Prefix of the external order ids (unique per run). */
  readonly prefix: string;
  readonly paths?: readonly string[];
  /** Authorization header value sent with every request (e.g. `Bearer <jwt>`). @default none */
  readonly authorization?: string;
  /** With kind "mix": the URL template and what its placeholders are drawn from (see wrk.lua). */
  readonly mix?: ReadMix;
  /** CPU group of this wrk while groups are on (cpu-groups.ts). @default `wrk-${kind}` */
  readonly cpuGroup?: string;
}

/** A realistic read mix: `{m}` Zipf over merchants 1..merchants, `{type}` uniform, `{start}` uniform per type. */
export interface ReadMix {
  readonly template: string;
  readonly merchants: number;
  readonly zipf: number;
  readonly periods: Readonly<Record<string, readonly string[]>>;
}

/** What the load generator measured. */
export interface LoadResult {
  readonly seconds: number;
  readonly requests: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** 2xx responses per second. */
  readonly okPerSecond: number;
  readonly latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** 1-minute load average when the load started. */
  readonly loadAverage: number;
}

/** Runs one load job to completion. */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const wrk = await ensureWrk();
  const loadAverage = Number((loadavg()[0] ?? 0).toFixed(2));
  const servers = [job.url, ...(job.replicas ?? [])];
  const connections = Math.max(servers.length, job.connections);
  const out = await runCommand(
    wrk,
    [
      '--threads',
      String(servers.length),
      '--connections',
      String(connections),
      '--duration',
      `${job.durationSec}s`,
      '--timeout',
      '30s',
      '--script',
      path.join(root, 'bench/lib/wrk.lua'),
      job.url,
      '--',
      job.kind,
      String(job.batchSize ?? 100),
      String(job.merchants),
      String(job.merchantOffset),
      String(job.products),
      job.prefix,
      ...(job.paths ?? ['/']),
    ],
    {
      cpuGroup: job.cpuGroup ?? `wrk-${job.kind}`,
      env: {
        WRK_RATE_PER_THREAD: String((job.overallRate ?? 0) / servers.length),
        WRK_SERVERS: servers.length > 1 ? servers.map((u) => new URL(u).host).join(',') : '',
        WRK_AUTHORIZATION: job.authorization ?? '',
        ...(job.mix
          ? {
              WRK_MIX_TEMPLATE: job.mix.template,
              WRK_MIX_MERCHANTS: String(job.mix.merchants),
              WRK_MIX_ZIPF: String(job.mix.zipf),
              WRK_MIX_PERIODS: Object.entries(job.mix.periods)
                .map(([t, starts]) => `${t}=${starts.join(',')}`)
                .join(';'),
            }
          : {}),
      },
    },
  );
  const line = out.trim().split('\n').at(-1) ?? '{}';
  if (!line.startsWith('{')) throw new Error(`wrk printed no result: ${out}`);
  return { ...(JSON.parse(line) as Omit<LoadResult, 'loadAverage'>), loadAverage };
}

/** Sums rounds of one load: counts add up; latency percentiles are the worst round's. */
export function combineLoads(runs: readonly LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const worst = (f: (r: LoadResult) => number) => Math.max(...runs.map(f));
  return {
    seconds,
    requests: sum((r) => r.requests),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    okPerSecond: sum((r) => r.ok) / seconds,
    latencyMs: {
      mean:
        sum((r) => r.latencyMs.mean * r.ok) /
        Math.max(
          1,
          sum((r) => r.ok),
        ),
      p50: worst((r) => r.latencyMs.p50),
      p90: worst((r) => r.latencyMs.p90),
      p99: worst((r) => r.latencyMs.p99),
      max: worst((r) => r.latencyMs.max),
    },
    loadAverage: runs[0]!.loadAverage,
  };
}
