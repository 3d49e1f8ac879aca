/**
 * Worker-thread entry of the forecast pool: answers each batch message with forecastMany's replies.
 * Only started by pool.ts; it does nothing unless it runs inside a worker.
 */
import { parentPort } from 'node:worker_threads';
import { forecastMany, type ForecastRequest } from './batch.js';
import type { ForecastOptions } from './types.js';

/** A batch sent to a worker. */
export interface WorkerTask {
  readonly id: number;
  readonly requests: readonly ForecastRequest[];
  readonly options: ForecastOptions;
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (task: WorkerTask) => {
    port.postMessage({ id: task.id, replies: forecastMany(task.requests, task.options) });
  });
}
