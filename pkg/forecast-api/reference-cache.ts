import { ChangeLog, ExactCache } from '../cache/index.js';
import type { ChangeChannel } from '../db/index.js';
import {
  CHANGES_CHANNEL,
  changedPeriodKey as periodKey,
  decodeChanges,
  EVERY_PERIOD,
  type ChangedPeriod,
} from '../events/index.js';
import type { NowcastBucketType } from '../forecast-engine/index.js';
import type { Logger } from '../log/index.js';
import { followInto } from './changes.js';
import type { PeriodPoint, PeriodReferenceSums } from './progress.js';

/**
 * The change-log keys of changed aggregate periods that a nowcast's references can depend on. A
 * reference range is a whole WEEK, MONTH or YEAR bucket, and every write that changes a DAY
 * aggregate changes the WEEK, MONTH and YEAR buckets holding it in the same transaction (the apply
 * folds an order into all four; a reconcile repair of a DAY row names the merchant as a whole), so
 * DAY periods are not kept: they are most of what the live writes name.
 */
export function referenceChangeKeys(periods: Iterable<ChangedPeriod>): string[] {
  const keys: string[] = [];
  for (const p of periods)
    if (p.bucketType !== 'DAY') keys.push(periodKey(p.merchantId, p.bucketType, p.bucketStart));
  return keys;
}

/** What one entry is about: a merchant's references of a point in one bucket type. */
interface ReferenceScope {
  readonly merchantId: string;
  readonly bucketType: NowcastBucketType;
  readonly point: PeriodPoint;
}

/** The buckets an entry read (each reference range is one bucket of the nowcast's type), and the merchant's every period. */
function referenceDeps({ merchantId, bucketType, point }: ReferenceScope): string[] {
  const deps = new Set(point.references.map((r) => periodKey(merchantId, bucketType, r.start)));
  deps.add(periodKey(merchantId, EVERY_PERIOD, EVERY_PERIOD));
  return [...deps];
}

/** Approximate heap bytes of an entry: a fixed share, its dependency strings and three numbers per category and range. */
function referenceBytes(value: PeriodReferenceSums, deps: readonly string[]): number {
  let bytes = 300 + 120 * value.ranges.length;
  for (const d of deps) bytes += 40 + d.length;
  for (const [id, sums] of value.categories) bytes += 60 + id.length + sums.length * 48;
  return bytes;
}

/** Options of {@link PeriodReferenceCache}. */
export interface PeriodReferenceCacheOptions {
  /** Fed with {@link referenceChangeKeys} of every aggregates change notification, and told when they are live. */
  readonly changes: ChangeLog;
  /** Lifetime of an entry while notifications are not live, ms; 0 keeps nothing. */
  readonly ttlMs: number;
  /** Most lifetime of an entry while notifications are live, ms. @default ttlMs */
  readonly exactTtlMs?: number;
  /** Approximate heap bytes kept at most, the entry read longest ago evicted first. @default 4 MiB */
  readonly maxBytes?: number;
  /** Called on every lookup: served from memory or not. @default none */
  readonly onLookup?: (hit: boolean) => void;
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
}

/**
 * Keeps what the reference periods of a nowcast sold (the expensive part of /forecast/nowcast: a
 * year's nowcast reads three years of DAY aggregates) for the merchant's local day. The references
 * are closed periods, so the live writes, which land in the periods in progress, do not touch them;
 * an entry is dropped when an aggregates change notification names one of its reference buckets (a
 * late or backfilled order, a repair) or its merchant's every period, and lives the short TTL while
 * notifications are not live. The sales so far are read on every request.
 */
export class PeriodReferenceCache {
  readonly #cache: ExactCache<PeriodReferenceSums, ReferenceScope, readonly string[]>;

  constructor(options: PeriodReferenceCacheOptions) {
    const { ttlMs, exactTtlMs = ttlMs, maxBytes = 4 * 1024 * 1024 } = options;
    this.#cache = new ExactCache({
      changes: options.changes,
      depsOf: referenceDeps,
      ttlMs,
      exactTtlMs,
      maxEntries: 100_000,
      maxWeight: maxBytes,
      weigh: referenceBytes,
      ...(options.now ? { now: options.now } : {}),
      ...(options.onLookup ? { onLookup: options.onLookup } : {}),
    });
  }

  /** The references of `point`, from memory while current, else from `read`. */
  get(
    merchantId: string,
    bucketType: NowcastBucketType,
    point: PeriodPoint,
    read: () => Promise<PeriodReferenceSums>,
  ): Promise<PeriodReferenceSums> {
    // The local date fixes every range (bucket start and days elapsed); the time of day is applied
    // per request (progress.ts periodProgress).
    const key = `${merchantId}\u0000${bucketType}\u0000${point.bucketStart}\u0000${point.days}`;
    return this.#cache.getOrCompute(key, { merchantId, bucketType, point }, async () => ({
      value: await read(),
    }));
  }
}

const AGGREGATE_CHANGES: ChangeChannel<ChangedPeriod> = {
  channel: CHANGES_CHANNEL,
  applicationName: 'catcast-forecast-api-listen-aggregates',
  component: 'aggregate-changes-listener',
  decode: decodeChanges,
};

/** Options of {@link listenForAggregateChanges}. */
export interface AggregateChangesListenerOptions {
  /** The primary (a replica sends no notifications); LISTEN holds its own session. */
  readonly connectionString: string;
  /** Fed with {@link referenceChangeKeys} of every notification and told when LISTEN is live or lost. */
  readonly changes: ChangeLog;
  readonly logger: Logger;
  /** Called with true once LISTEN is active, with false when the connection broke (tests). @default none */
  readonly onLive?: (live: boolean) => void;
}

/** Listens to the aggregates' change notifications for forecast-api's nowcast references until `signal` aborts. */
export function listenForAggregateChanges(
  options: AggregateChangesListenerOptions,
  signal: AbortSignal,
): Promise<void> {
  const { changes } = options;
  const sink = {
    record: (periods: ChangedPeriod[]) => changes.record(referenceChangeKeys(periods)),
    setExact: (exact: boolean) => changes.setExact(exact),
  };
  return followInto(AGGREGATE_CHANGES, sink, options, signal);
}
