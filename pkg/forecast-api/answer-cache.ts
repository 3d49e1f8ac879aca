import { MAX_COMPUTE_MS, TtlCache } from '../cache/index.js';
import type { ForecastChangeLog } from './changes.js';

/** Options of {@link AnswerCache}. */
export interface AnswerCacheOptions<V> {
  /** The epochs and changes this cache follows (shared by forecast-api's caches). */
  readonly changes: ForecastChangeLog;
  /** Lifetime of an entry while notifications are not live, and of every `moving` one, ms; 0 stores nothing. */
  readonly ttlMs: number;
  /** Most lifetime of an entry while notifications are live, ms. @default ttlMs */
  readonly exactTtlMs?: number;
  /** Entries kept at most; the one read longest ago is evicted first. @default 1000 */
  readonly maxEntries?: number;
  /** Total weight kept at most (with `weigh`), the one read longest ago evicted first. @default unbounded */
  readonly maxWeight?: number;
  /** The weight of a value (e.g. its bytes). @default 1 */
  readonly weigh?: (value: V) => number;
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
  /** The clock of {@link Computed.validUntil} (the API's clock), ms. @default Date.now */
  readonly wallNow?: () => number;
  /** Called on every lookup of {@link AnswerCache.getOrCompute}: served from memory or not. @default none */
  readonly onLookup?: (hit: boolean) => void;
}

/** What an entry is about: one merchant and one bucket type, or the merchant's catalog only. */
export interface AnswerScope {
  readonly merchantId: string;
  /** @default none: the entry depends only on the merchant's catalog (changes naming `*`) */
  readonly bucketType?: string;
}

/** A computed value and how long it may be kept. */
export interface Computed<V> {
  readonly value: V;
  /** True: kept only `ttlMs` even while notifications are live (an on-demand answer moves with the data). */
  readonly moving?: boolean;
  /**
   * Wall-clock instant (ms, the `wallNow` clock) from which the value is wrong whatever the database
   * does, e.g. when its forecast set turns stale or its period ends. @default none
   */
  readonly validUntil?: number;
}

interface Entry<V> {
  readonly epoch: number;
  readonly scope: AnswerScope;
  readonly value: V;
  readonly validUntil: number | undefined;
}

interface Flight<V> {
  readonly epoch: number;
  readonly scope: AnswerScope;
  readonly promise: Promise<V>;
}

/**
 * A cache of values about a merchant that is exact while change notifications are live: an entry is
 * served until a change names its merchant and bucket type (or its merchant's catalog) after its
 * computation began, until its `validUntil`, and at most `exactTtlMs`. While notifications are not
 * live it keeps entries `ttlMs`, like a TTL cache. Concurrent misses of one key share one
 * computation, unless a change arrived after that computation began.
 */
export class AnswerCache<V> {
  readonly #entries: TtlCache<Entry<V>>;
  readonly #inflight = new Map<string, Flight<V>>();
  readonly #changes: ForecastChangeLog;
  readonly #ttlMs: number;
  readonly #exactTtlMs: number;
  readonly #now: () => number;
  readonly #wallNow: () => number;
  readonly #onLookup: ((hit: boolean) => void) | undefined;

  constructor(options: AnswerCacheOptions<V>) {
    const { changes, ttlMs, exactTtlMs = ttlMs, maxEntries = 1000 } = options;
    if (!(ttlMs >= 0)) throw new RangeError(`ttlMs must be >= 0, got ${ttlMs}`);
    if (!(exactTtlMs >= ttlMs))
      throw new RangeError(`exactTtlMs must be >= ttlMs (${ttlMs}), got ${exactTtlMs}`);
    this.#changes = changes;
    this.#ttlMs = ttlMs;
    this.#exactTtlMs = exactTtlMs;
    this.#now = options.now ?? (() => performance.now());
    this.#wallNow = options.wallNow ?? (() => Date.now());
    this.#onLookup = options.onLookup;
    const { weigh } = options;
    this.#entries = new TtlCache<Entry<V>>(exactTtlMs, {
      maxEntries,
      ...(options.maxWeight !== undefined ? { maxWeight: options.maxWeight } : {}),
      ...(weigh ? { weigh: (e: Entry<V>) => weigh(e.value) } : {}),
      now: this.#now,
      // A merchant's dashboard asks its answers again; merchants that visit once pass through.
      refreshOnHit: true,
    });
    changes.retainFor(exactTtlMs);
  }

  /** The entry of `key` while it is current, else undefined. */
  #current(key: string): Entry<V> | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (
      !this.#changes.isCurrent(e.epoch, e.scope.merchantId, e.scope.bucketType) ||
      (e.validUntil !== undefined && this.#wallNow() >= e.validUntil)
    ) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** The current value of `key`, or undefined. */
  get(key: string): V | undefined {
    return this.#current(key)?.value;
  }

  /**
   * The current value of `key`, or the one `compute` returns, stored unless a change named `scope`
   * while it ran (it may have read the older state) or it took longer than the change log is kept.
   */
  getOrCompute(key: string, scope: AnswerScope, compute: () => Promise<Computed<V>>): Promise<V> {
    const hit = this.#current(key);
    this.#onLookup?.(hit !== undefined);
    if (hit) return Promise.resolve(hit.value);
    const changes = this.#changes;
    const running = this.#inflight.get(key);
    if (running && changes.isCurrent(running.epoch, scope.merchantId, scope.bucketType))
      return running.promise;
    const epoch = changes.epoch;
    const started = this.#now();
    const promise = compute()
      .then((answer) => {
        if (
          this.#ttlMs > 0 &&
          changes.isCurrent(epoch, scope.merchantId, scope.bucketType) &&
          this.#now() - started < MAX_COMPUTE_MS
        ) {
          let ttlMs = changes.exact && !answer.moving ? this.#exactTtlMs : this.#ttlMs;
          if (answer.validUntil !== undefined) ttlMs = Math.min(ttlMs, answer.validUntil - this.#wallNow());
          if (ttlMs > 0)
            this.#entries.set(
              key,
              { epoch, scope, value: answer.value, validUntil: answer.validUntil },
              { ttlMs },
            );
        }
        return answer.value;
      })
      .finally(() => {
        if (this.#inflight.get(key)?.promise === promise) this.#inflight.delete(key);
      });
    if (this.#ttlMs > 0) this.#inflight.set(key, { epoch, scope, promise });
    return promise;
  }

  /** Entries held, current or not yet found out (tests). */
  get size(): number {
    return this.#entries.size;
  }

  /** Total weight of the entries held (tests). */
  get weight(): number {
    return this.#entries.weight;
  }
}
