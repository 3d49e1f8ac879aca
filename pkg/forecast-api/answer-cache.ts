import { ExactCache, type ExactCacheOptions } from '../cache/index.js';
import type { AnswerScope, ForecastChangeLog } from './changes.js';

export type { AnswerScope } from './changes.js';
export type { Computed } from '../cache/index.js';

/** Options of {@link AnswerCache}: those of {@link ExactCache} but its dependencies and codec. */
export interface AnswerCacheOptions<V> extends Omit<
  ExactCacheOptions<V, AnswerScope, AnswerScope, V>,
  'changes' | 'depsOf' | 'codec' | 'wallNow'
> {
  /** The epochs and changes this cache follows (shared by forecast-api's caches). */
  readonly changes: ForecastChangeLog;
  /** The clock of {@link Computed.validUntil} (the API's clock), ms. @default Date.now */
  readonly wallNow?: () => number;
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
