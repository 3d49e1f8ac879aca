/**
 * A small worker-thread pool for batch forecasting: splits requests into chunks, keeps every worker
 * busy, and returns replies in request order whatever order the chunks finish in.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ForecastReply, ForecastRequest } from './batch.js';
import type { ForecastOptions } from './types.js';
import type { WorkerTask } from './worker.js';

/** Options of {@link createForecastPool}. */
export interface ForecastPoolOptions {
  /** Worker threads. @default min(2, available parallelism) */
  readonly threads?: number;
  /** Series per message to a worker; larger chunks cut messaging overhead. @default 64 */
  readonly chunkSize?: number;
}

/** A running pool of forecast workers. */
export interface ForecastPool {
  readonly threads: number;
  /** Forecasts the requests on the workers; replies come back in request order. */
  forecastMany(requests: readonly ForecastRequest[], options?: ForecastOptions): Promise<ForecastReply[]>;
  /** Stops the workers; pending calls are rejected. */
  close(): Promise<void>;
}

function startWorker(): Worker {
  const url = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  if (url.pathname.endsWith('.js')) return new Worker(url);
  // Under tsx (dev, tests, bench) the worker is TypeScript too. A worker does not inherit the
  // parent's loader hooks and ignores --import for its entry on Node 20, so register tsx first.
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true });
}

/** Starts a pool of forecast worker threads. */
export function createForecastPool({ threads, chunkSize = 64 }: ForecastPoolOptions = {}): ForecastPool {
  const size = threads ?? Math.max(1, Math.min(2, availableParallelism()));
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  const workers = Array.from({ length: size }, startWorker);
  let nextId = 0;
  const pending = new Map<number, { resolve: (r: ForecastReply[]) => void; reject: (e: Error) => void }>();
  const idle: Worker[] = [...workers];
  const queue: { task: WorkerTask; done: (r: ForecastReply[]) => void; fail: (e: Error) => void }[] = [];
  let closed = false;

  const pump = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.shift() as Worker;
      const job = queue.shift() as (typeof queue)[number];
      pending.set(job.task.id, {
        resolve: (r) => {
          idle.push(w);
          job.done(r);
          pump();
        },
        reject: job.fail,
      });
      w.postMessage(job.task);
    }
  };
  const failAll = (err: Error): void => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    for (const q of queue.splice(0)) q.fail(err);
  };
  for (const w of workers) {
    w.on('message', (msg: { id: number; replies: ForecastReply[] }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p?.resolve(msg.replies);
    });
    w.on('error', (err) => failAll(new Error('forecast worker failed', { cause: err })));
    w.on('exit', (code) => {
      if (!closed) failAll(new Error(`forecast worker exited with code ${code}`));
    });
  }

  return {
    threads: size,
    async forecastMany(requests, options = {}) {
      if (closed) throw new Error('forecast pool is closed');
      const chunks: Promise<ForecastReply[]>[] = [];
      for (let i = 0; i < requests.length; i += chunkSize) {
        const task: WorkerTask = { id: nextId++, requests: requests.slice(i, i + chunkSize), options };
        chunks.push(new Promise((done, fail) => queue.push({ task, done, fail })));
      }
      pump();
      return (await Promise.all(chunks)).flat();
    },
    async close() {
      closed = true;
      failAll(new Error('forecast pool is closed'));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
