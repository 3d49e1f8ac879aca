import { ChangeLog, type ChangeFeed } from '../cache/index.js';
import { followChanges, type ChangeChannel } from '../db/index.js';
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

/** What a cached answer is about: one merchant and one bucket type, or the merchant's catalog only. */
export interface AnswerScope {
  readonly merchantId: string;
  /** @default none: the entry depends only on the merchant's catalog (changes naming `*`) */
  readonly bucketType?: string;
}

/** Options of {@link ForecastChangeLog}. */
export interface ForecastChangeLogOptions {
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
}

const changeKey = (merchantId: string, bucketType: string) => `${merchantId}\t${bucketType}`;

/**
 * The logical clock shared by forecast-api's caches: pkg/cache's {@link ChangeLog} keyed by
 * (merchant, bucket type), where a change of the merchant's catalog (`*`) concerns every bucket type.
 */
export class ForecastChangeLog implements ChangeFeed<AnswerScope> {
  readonly #log: ChangeLog;

  constructor(options: ForecastChangeLogOptions = {}) {
    this.#log = new ChangeLog(options);
  }

  /** The current epoch: a computation records it before it reads anything. */
  get epoch(): number {
    return this.#log.epoch;
  }

  /** Whether notifications are live (every change is heard), so entries may live long. */
  get exact(): boolean {
    return this.#log.exact;
  }

  /** Says whether notifications are live; every change of state invalidates every earlier entry. */
  setExact(exact: boolean): void {
    this.#log.setExact(exact);
  }

  /** Makes the log remember changes long enough for an entry that lives `lifetimeMs` (called by each cache). */
  retainFor(lifetimeMs: number): void {
    this.#log.retainFor(lifetimeMs);
  }

  /** Records committed changes: entries depending on any of them, computed before now, are invalid. */
  record(changes: Iterable<ForecastChange>): void {
    const keys: string[] = [];
    for (const c of changes) keys.push(changeKey(c.merchantId, c.bucketType));
    this.#log.record(keys);
  }

  /**
   * Whether an entry computed from `epoch` about the merchant (and one bucket type, or none: the
   * merchant's catalog only) is still what the database holds.
   */
  isCurrent(epoch: number, { merchantId, bucketType }: AnswerScope): boolean {
    // Key by key, not an array of both: this runs on every read of every forecast-api cache.
    const log = this.#log;
    return (
      log.isKeyCurrent(epoch, changeKey(merchantId, ALL_BUCKET_TYPES)) &&
      (bucketType === undefined || log.isKeyCurrent(epoch, changeKey(merchantId, bucketType)))
    );
  }

  /** Changes remembered (tests: the log stays bounded). */
  get size(): number {
    return this.#log.size;
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

const FORECAST_CHANGES: ChangeChannel<ForecastChange> = {
  channel: FORECAST_CHANGES_CHANNEL,
  applicationName: 'catcast-forecast-api-listen',
  component: 'forecast-changes-listener',
  decode: decodeForecastChanges,
};

/** Where a listener records what it hears, and says whether it hears everything. */
export interface ChangeSink<C> {
  record(changes: C[]): void;
  setExact(exact: boolean): void;
}

/** Options of {@link followInto}: those of a forecast-api listener. */
export interface FollowIntoOptions {
  readonly connectionString: string;
  readonly logger: Logger;
  readonly onLive?: (live: boolean) => void;
}

/**
 * Follows `channel` into `sink` until `signal` aborts: every notification's changes are recorded,
 * and the sink is told when LISTEN is live or lost (then `onLive`). The one shape of forecast-api's
 * listeners (forecast changes; the aggregates' changes of reference-cache.ts).
 */
export function followInto<C>(
  channel: ChangeChannel<C>,
  sink: ChangeSink<C>,
  options: FollowIntoOptions,
  signal: AbortSignal,
): Promise<void> {
  const { onLive } = options;
  return followChanges(
    channel,
    {
      connectionString: options.connectionString,
      logger: options.logger,
      onChanges: (changed) => sink.record(changed),
      onLive: (live) => {
        sink.setExact(live);
        onLive?.(live);
      },
    },
    signal,
  );
}

/** Listens to {@link FORECAST_CHANGES_CHANNEL} until `signal` aborts, reconnecting with backoff. */
export function listenForForecastChanges(
  options: ForecastChangesListenerOptions,
  signal: AbortSignal,
): Promise<void> {
  return followInto(FORECAST_CHANGES, options.changes, options, signal);
}
