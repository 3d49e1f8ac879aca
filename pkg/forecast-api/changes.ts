import { listenOnChannel } from '../db/index.js';
import type { Logger } from '../log/index.js';

/**
 * The notification channel on which the database names what changed under a precomputed forecast
 * answer (triggers of migrations/1764220000000_forecast-change-notify.sql).
 */
export const FORECAST_CHANGES_CHANNEL = 'catcast_forecasts_changed';

/** What one notification names: a merchant's answers of one bucket type, or all of them (`*`). */
export interface ForecastChange {
  readonly merchantId: string;
  /** A bucket type (its forecast set changed), or `*` (the merchant or its categories changed). */
  readonly bucketType: string;
}

/** The bucket type of a change that concerns every bucket type of the merchant (its catalog). */
export const ALL_BUCKET_TYPES = '*';

/** The changes one payload names: lines of merchant and bucket type separated by a tab; malformed lines are skipped. */
export function decodeForecastChanges(payload: string): ForecastChange[] {
  const out: ForecastChange[] = [];
  for (const line of payload.split('\n')) {
    const [merchantId, bucketType, extra] = line.split('\t');
    if (!merchantId || !bucketType || extra !== undefined) continue;
    out.push({ merchantId, bucketType });
  }
  return out;
}

// A computation that ran longer than this is not stored: the change log is pruned on that
// assumption (a change older than every entry that may still be served can invalidate none).
export const MAX_COMPUTE_MS = 30_000;

/** Options of {@link ForecastChangeLog}. */
export interface ForecastChangeLogOptions {
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
}

const changeKey = (merchantId: string, bucketType: string) => `${merchantId}\t${bucketType}`;

/**
 * The logical clock shared by forecast-api's caches, after pkg/aggregation's response cache: every
 * notification advances the epoch and records which (merchant, bucket type) changed at which epoch;
 * an entry computed from epoch `e` is current while nothing it depends on changed after `e`. Whether
 * notifications are live decides how long entries may live ({@link exact}); every change of that
 * state makes every earlier entry invalid, since changes may have been missed in between.
 */
export class ForecastChangeLog {
  readonly #now: () => number;
  /** Change key -> epoch and time of its last change, oldest first (pruned from the front). */
  readonly #changed = new Map<string, { epoch: number; at: number }>();
  #epoch = 0;
  /** Entries computed before this epoch are invalid (a notification gap). */
  #resetEpoch = 0;
  #exact = false;
  /** How long a change must be remembered: the longest entry lifetime plus MAX_COMPUTE_MS. */
  #retainMs = MAX_COMPUTE_MS;

  constructor(options: ForecastChangeLogOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  /** The current epoch: a computation records it before it reads anything. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Whether notifications are live (every change is heard), so entries may live long. */
  get exact(): boolean {
    return this.#exact;
  }

  /** Says whether notifications are live; every change of state invalidates every earlier entry. */
  setExact(exact: boolean): void {
    if (exact === this.#exact) return;
    this.#exact = exact;
    this.#resetEpoch = ++this.#epoch;
  }

  /** Makes the log remember changes long enough for an entry that lives `lifetimeMs` (called by each cache). */
  retainFor(lifetimeMs: number): void {
    this.#retainMs = Math.max(this.#retainMs, lifetimeMs + MAX_COMPUTE_MS);
  }

  /** Records committed changes: entries depending on any of them, computed before now, are invalid. */
  record(changes: Iterable<ForecastChange>): void {
    const epoch = ++this.#epoch;
    const at = this.#now();
    for (const c of changes) {
      const k = changeKey(c.merchantId, c.bucketType);
      this.#changed.delete(k); // re-inserted at the end: the map stays ordered by time
      this.#changed.set(k, { epoch, at });
    }
    const horizon = at - this.#retainMs;
    for (const [k, c] of this.#changed) {
      if (c.at >= horizon) break;
      this.#changed.delete(k);
    }
  }

  /**
   * Whether an entry computed from `epoch` about the merchant (and one bucket type, or none: the
   * merchant's catalog only) is still what the database holds.
   */
  isCurrent(epoch: number, merchantId: string, bucketType?: string): boolean {
    if (epoch < this.#resetEpoch) return false;
    const all = this.#changed.get(changeKey(merchantId, ALL_BUCKET_TYPES));
    if (all && all.epoch > epoch) return false;
    if (bucketType === undefined) return true;
    const one = this.#changed.get(changeKey(merchantId, bucketType));
    return !(one && one.epoch > epoch);
  }

  /** Changes remembered (tests: the log stays bounded). */
  get size(): number {
    return this.#changed.size;
  }
}

/** Options of {@link listenForForecastChanges}. */
export interface ForecastChangesListenerOptions {
  /** The primary (a replica sends no notifications); LISTEN holds its own session. */
  readonly connectionString: string;
  /** Fed with every notification and told when LISTEN is live or lost. */
  readonly changes: ForecastChangeLog;
  readonly logger: Logger;
  /** Called with true once LISTEN is active, with false when the connection broke (tests). @default none */
  readonly onLive?: (live: boolean) => void;
}

/** Listens to {@link FORECAST_CHANGES_CHANNEL} until `signal` aborts, reconnecting with backoff. */
export function listenForForecastChanges(
  options: ForecastChangesListenerOptions,
  signal: AbortSignal,
): Promise<void> {
  const { changes, onLive } = options;
  return listenOnChannel(
    {
      connectionString: options.connectionString,
      channel: FORECAST_CHANGES_CHANNEL,
      applicationName: 'catcast-forecast-api-listen',
      logger: options.logger.child({ component: 'forecast-changes-listener' }),
      onNotification: (payload) => changes.record(decodeForecastChanges(payload)),
      onConnected: () => {
        changes.setExact(true);
        onLive?.(true);
      },
      onLost: () => {
        changes.setExact(false);
        onLive?.(false);
      },
    },
    signal,
  );
}
