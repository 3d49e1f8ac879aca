export { TtlCache, type TtlCacheOptions, type TtlSetOptions } from './ttl-cache.js';
