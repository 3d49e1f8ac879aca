import { createRequire } from 'node:module';

/** The parts of kafkajs' per-connection RequestQueue (src/network/requestQueue) the fix touches. */
interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' own interval for re-checking pending requests that wait for an in-flight slot, ms. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const require = createRequire(import.meta.url);
let applied: boolean | undefined;

/**
 * Stops kafkajs 2.2.x from re-arming a timer every millisecond on every broker connection that is
 * idle (kafkajs issues 1556 and 1704, unfixed upstream): after any response its RequestQueue
 * schedules a check of the pending requests even when none is pending, with a negative delay (the
 * "throttled until" time of -1 minus now), which Node runs after 1 ms, and the check schedules the
 * next. A relay or aggregator doing nothing then woke about 1,700 times a second and used 3–5% of a
 * core (strace and /proc, 7 December). Here a check is scheduled only while requests are pending
 * (at the throttle's end, or after kafkajs' 10 ms); an empty queue needs none, since every push
 * that cannot be sent at once and every response or timeout checks again.
 *
 * Applied once per process, before any client is created (createKafka calls it); returns whether
 * the installed kafkajs has the method this replaces. Tests: pkg/kafka/request-queue.test.ts (the
 * rule) and test/integration/bus-kafka.test.ts (an idle connection against the real broker).
 */
export function fixIdleRequestQueueLoop(): boolean {
  if (applied !== undefined) return applied;
  const version = (require('kafkajs/package.json') as { version: string }).version;
  // Another major version has another queue; a test against the real broker tells whether it idles.
  if (!version.startsWith('2.')) return (applied = false);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueueInternals;
  };
  if (typeof RequestQueue.prototype.scheduleCheckPendingRequests !== 'function') return (applied = false);
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
    this: RequestQueueInternals,
  ) {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
    );
  };
  return (applied = true);
}
