import { TtlCache } from '../cache/index.js';

/** Options of {@link VerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /** Tokens kept at most; the least recently stored is evicted first. @default 10000 */
  readonly maxEntries?: number;
  /**
   * Longest a verification is reused, ms, whatever the token's `exp`: bounds how long a token
   * signed by a key that was since removed from the JWKS keeps working. @default 60000
   */
  readonly maxAgeMs?: number;
  /** Seconds of clock skew the verifier allows past `exp` (jose's clockTolerance). @default 0 */
  readonly clockToleranceSeconds?: number;
  /** Wall clock in ms (exp is wall-clock seconds). @default Date.now */
  readonly now?: () => number;
}

/** Longest token kept (a JWT with a handful of claims is 200-1,000 characters). */
const MAX_TOKEN_LENGTH = 4096;

/**
 * Remembers tokens that passed full verification, keyed by the exact token string (so a token with
 * another signature, header or claim is a different key and is verified in full), until the earlier
 * of its `exp` (plus the verifier's clock tolerance) and `maxAgeMs` after it was verified. Only
 * successes are stored: a rejected token is verified again on every request. `nbf` needs no check
 * here: a token the verifier accepted stays past its `nbf`.
 */
export class VerifiedTokenCache<V> {
  readonly #cache: TtlCache<V>;
  readonly #toleranceMs: number;
  readonly #now: () => number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 10_000;
    const maxAgeMs = options.maxAgeMs ?? 60_000;
    this.#toleranceMs = (options.clockToleranceSeconds ?? 0) * 1000;
    this.#now = options.now ?? Date.now;
    if (!(maxEntries >= 1)) throw new RangeError(`maxEntries must be >= 1, got ${maxEntries}`);
    if (!(maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be > 0, got ${maxAgeMs}`);
    this.#cache = new TtlCache<V>(maxAgeMs, { maxEntries, now: this.#now });
  }

  /** The value stored for exactly this token while it is still acceptable, else undefined. */
  get(token: string): V | undefined {
    return this.#cache.get(token);
  }

  /**
   * Stores a verified token's value. `exp` is the token's expiry claim (seconds since the epoch);
   * a token without a numeric `exp` is kept for `maxAgeMs` only, as the verifier accepted it.
   */
  set(token: string, exp: unknown, value: V): void {
    // Bounds the memory to maxEntries x 4 KiB; a longer (unusual) token is verified every time.
    if (token.length > MAX_TOKEN_LENGTH) return;
    const at = this.#now();
    // Until exp (plus the tolerance) when that is sooner than maxAgeMs; a NaN lifetime stores nothing.
    const ttlMs = typeof exp === 'number' ? exp * 1000 + this.#toleranceMs - at : undefined;
    this.#cache.set(token, value, { at, ...(ttlMs !== undefined ? { ttlMs } : {}) });
  }

  /** Number of tokens held (tests, metrics). */
  get size(): number {
    return this.#cache.size;
  }
}
