import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixIdleRequestQueueLoop } from './request-queue.js';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  destroy(): void;
}

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (o: object) => Queue;
const quiet = {
  debug: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  error: () => undefined,
};
const newQueue = () =>
  new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    clientId: 't',
    broker: 'b:1',
    logger: quiet,
  });

describe('fixIdleRequestQueueLoop', () => {
  afterEach(() => vi.useRealTimers());

  it('applies to the installed kafkajs', () => {
    expect(fixIdleRequestQueueLoop()).toBe(true);
    expect(fixIdleRequestQueueLoop()).toBe(true); // once, then remembered
  });

  it('schedules nothing after a check of an empty queue (kafkajs re-armed a 1 ms timer forever)', () => {
    fixIdleRequestQueueLoop();
    vi.useFakeTimers();
    const q = newQueue();
    const check = vi.spyOn(q, 'checkPendingRequests');
    q.checkPendingRequests(); // what every response does
    expect(q.throttleCheckTimeoutId).toBeNull();
    vi.advanceTimersByTime(1_000);
    expect(check).toHaveBeenCalledTimes(1);
    q.destroy();
  });

  it('still checks pending requests: at the end of a throttle, else after 10 ms', () => {
    fixIdleRequestQueueLoop();
    vi.useFakeTimers();
    const q = newQueue();
    // A request waiting for the in-flight slot, while the broker asked for 200 ms of throttling.
    q.pending.push({});
    q.throttledUntil = Date.now() + 200;
    const check = vi.spyOn(q, 'checkPendingRequests').mockImplementation(() => undefined);
    (q as unknown as { scheduleCheckPendingRequests(): void }).scheduleCheckPendingRequests();
    vi.advanceTimersByTime(199);
    expect(check).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(check).toHaveBeenCalledTimes(1);
    // Not throttled: kafkajs' 10 ms interval.
    q.throttledUntil = -1;
    (q as unknown as { scheduleCheckPendingRequests(): void }).scheduleCheckPendingRequests();
    vi.advanceTimersByTime(9);
    expect(check).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(check).toHaveBeenCalledTimes(2);
    q.destroy();
  });
});
