import { ExactCache } from '../cache/index.js';
import type { AnswerScope, ForecastChangeLog } from './changes.js';

export type { AnswerScope } from './changes.js';
export type { Computed } from '../cache/index.js';

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

// An entry depends on its scope as it is: ForecastChangeLog checks a scope without deriving keys first.
const asDeps = (scope: AnswerScope): AnswerScope => scope;

/**
 * A cache of values about a merchant that is exact while change notifications are live: pkg/cache's
 * {@link ExactCache} following a {@link ForecastChangeLog}, values kept as they are. An entry is
 * served until a change names its merchant and bucket type (or its merchant's catalog) after its
 * computation began, until its `validUntil` by the API's clock, and at most `exactTtlMs`; while
 * notifications are not live it keeps entries `ttlMs`, like a TTL cache.
 */
export class AnswerCache<V> extends ExactCache<V, AnswerScope> {
  constructor(options: AnswerCacheOptions<V>) {
    super({
      ...options,
      depsOf: asDeps,
      wallNow: options.wallNow ?? (() => Date.now()),
    });
  }
}
