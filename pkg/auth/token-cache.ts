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

interface Entry<V> {
  readonly value: V;
  /** Wall-clock ms after which the entry must not be used. */
  readonly until: number;
}

/**
 * Remembers tokens that passed full verification, keyed by the exact token string (so a token with
 * another signature, header or claim is a different key and is verified in full), until the earlier
 * of its `exp` (plus the verifier's clock tolerance) and `maxAgeMs` after it was verified. Only
 * successes are stored: a rejected token is verified again on every request. `nbf` needs no check
 * here: a token the verifier accepted stays past its `nbf`.
 */
export class VerifiedTokenCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #max: number;
  readonly #maxAgeMs: number;
  readonly #toleranceMs: number;
  readonly #now: () => number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.#max = options.maxEntries ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
    this.#toleranceMs = (options.clockToleranceSeconds ?? 0) * 1000;
    this.#now = options.now ?? Date.now;
    if (!(this.#max >= 1)) throw new RangeError(`maxEntries must be >= 1, got ${this.#max}`);
    if (!(this.#maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be > 0, got ${this.#maxAgeMs}`);
  }

  /** The value stored for exactly this token while it is still acceptable, else undefined. */
  get(token: string): V | undefined {
    const e = this.#entries.get(token);
    if (!e) return undefined;
    if (this.#now() >= e.until) {
      this.#entries.delete(token);
      return undefined;
    }
    return e.value;
  }

  /**
   * Stores a verified token's value. `exp` is the token's expiry claim (seconds since the epoch);
   * a token without a numeric `exp` is kept for `maxAgeMs` only, as the verifier accepted it.
   */
  set(token: string, exp: unknown, value: V): void {
    // Bounds the memory to maxEntries x 4 KiB; a longer (unusual) token is verified every time.
    if (token.length > MAX_TOKEN_LENGTH) return;
    const now = this.#now();
    let until = now + this.#maxAgeMs;
    if (typeof exp === 'number') until = Math.min(until, exp * 1000 + this.#toleranceMs);
    if (!Number.isFinite(until) || until <= now) return;
    this.#entries.delete(token);
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { value, until });
  }

  /** Number of tokens held (tests, metrics). */
  get size(): number {
    return this.#entries.size;
  }
}
