export { TtlCache, type TtlCacheOptions, type TtlSetOptions } from './ttl-cache.js';
export { ChangeLog, MAX_COMPUTE_MS, type ChangeLogOptions } from './change-log.js';
