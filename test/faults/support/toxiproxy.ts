/**
 * Toxiproxy (github.com/Shopify/toxiproxy/v2, built from the Go module proxy by
 * `scripts/tools.sh toxiproxy` and cached in the tools dir): a real TCP proxy between the services and
 * Postgres/Kafka whose HTTP API adds latency, resets and blackholes to live connections.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { launch } from '../../../pkg/process/index.js';
import { ROOT } from './env.js';

const run = promisify(execFile);

/** A toxic as toxiproxy's API takes it. */
export interface Toxic {
  readonly name: string;
  readonly type: 'latency' | 'reset_peer' | 'timeout' | 'bandwidth' | 'slow_close' | 'limit_data';
  readonly stream?: 'upstream' | 'downstream';
  readonly toxicity?: number;
  readonly attributes: Readonly<Record<string, number>>;
}

/** One proxied TCP path. */
export interface Proxy {
  readonly name: string;
  /** host:port clients connect to. */
  readonly listen: string;
  add(toxic: Toxic): Promise<void>;
  remove(name: string): Promise<void>;
  /** Disables then re-enables the proxy: every open connection through it is closed. */
  dropConnections(): Promise<void>;
}

/** A running toxiproxy server. */
export interface Toxiproxy {
  readonly api: string;
  proxy(name: string, listenPort: number, upstream: string): Promise<Proxy>;
  stop(): Promise<void>;
}

async function call(api: string, method: string, p: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${api}${p}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`toxiproxy ${method} ${p} answered ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** Builds (cached) and starts toxiproxy-server with its API on 127.0.0.1:`apiPort`. */
export async function startToxiproxy(apiPort: number): Promise<Toxiproxy> {
  const tools = path.join(ROOT, 'scripts/tools.sh');
  await run('bash', [tools, 'toxiproxy'], { maxBuffer: 16 * 1024 * 1024 }).catch((err: unknown) => {
    throw new Error(`cannot build toxiproxy with scripts/tools.sh toxiproxy: ${(err as Error).message}`, {
      cause: err,
    });
  });
  const bin = path.join((await run('bash', [tools, 'path'])).stdout.trim(), 'toxiproxy-server');
  const api = `http://127.0.0.1:${apiPort}`;
  const server = launch({
    name: 'toxiproxy-server',
    command: bin,
    args: ['-host', '127.0.0.1', '-port', String(apiPort)],
  });
  await server.waitForHealth(async () => (await fetch(`${api}/version`)).ok, { timeoutMs: 30_000 });
  return {
    api,
    async proxy(name, listenPort, upstream) {
      const listen = `127.0.0.1:${listenPort}`;
      await call(api, 'POST', '/proxies', { name, listen, upstream, enabled: true });
      return {
        name,
        listen,
        add: async (toxic) => void (await call(api, 'POST', `/proxies/${name}/toxics`, toxic)),
        remove: async (toxic) => void (await call(api, 'DELETE', `/proxies/${name}/toxics/${toxic}`)),
        async dropConnections() {
          await call(api, 'POST', `/proxies/${name}`, { enabled: false });
          await call(api, 'POST', `/proxies/${name}`, { enabled: true });
        },
      };
    },
    async stop() {
      await server.stop();
    },
  };
}
