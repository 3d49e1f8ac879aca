import type { MiddlewareHandler } from 'hono';
import { HttpProblem } from '../http/index.js';

/** Options of {@link createRateLimiter}. */
export interface RateLimitOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size (burst). */
  readonly burst: number;
  /** Key of the bucket for a request (token subject, merchant, address). */
  readonly key: (c: Parameters<MiddlewareHandler>[0]) => string;
  /** Clock in ms. @default Date.now */
  readonly now?: () => number;
  /** Max distinct keys kept. @default 100000 */
  readonly maxKeys?: number;
}

/** A token-bucket limiter per key. */
export interface RateLimiter {
  /** Takes `cost` tokens; returns 0 when allowed, else the seconds to wait. */
  take(key: string, cost?: number): number;
  readonly middleware: MiddlewareHandler;
}

/** Token bucket per key; over the limit answers 429 with Retry-After. */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const { ratePerSecond, burst, now = Date.now, maxKeys = 100_000 } = options;
  if (!(ratePerSecond > 0) || !(burst >= 1))
    throw new RangeError(`rate limit needs ratePerSecond > 0 and burst >= 1, got ${ratePerSecond}/${burst}`);
  const buckets = new Map<string, { tokens: number; at: number }>();
  function take(key: string, cost = 1): number {
    const t = now();
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size >= maxKeys) buckets.clear();
      b = { tokens: burst, at: t };
      buckets.set(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * ratePerSecond);
    b.at = t;
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return (cost - b.tokens) / ratePerSecond;
  }
  return {
    take,
    middleware: async function rateLimit(c, next) {
      const wait = take(options.key(c));
      if (wait > 0) {
        throw new HttpProblem(429, {
          detail: `rate limit of ${ratePerSecond} requests/s exceeded`,
          headers: { 'retry-after': String(Math.max(1, Math.ceil(wait))) },
        });
      }
      await next();
    },
  };
}
