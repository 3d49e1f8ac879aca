export { TtlCache, type TtlCacheOptions, type TtlSetOptions } from './ttl-cache.js';
export { ChangeLog, MAX_COMPUTE_MS, type ChangeLogOptions } from './change-log.js';
export {
  ExactCache,
  type ChangeFeed,
  type Computed,
  type EntryCodec,
  type ExactCacheOptions,
} from './exact-cache.js';
