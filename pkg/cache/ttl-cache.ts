/** Options of {@link TtlCache}. */
export interface TtlCacheOptions<V = unknown> {
  /** Entries kept at most; the one stored longest ago is evicted first. @default 1000 */
  readonly maxEntries?: number;
  /**
   * Total weight kept at most (with {@link TtlCacheOptions.weigh}): entries stored longest ago are
   * evicted until the new one fits, and one heavier than this alone is not stored. For values whose
   * size varies a lot (a merchant's forecast rows: 6 categories or 600), a bound on the count alone
   * bounds nothing. @default unbounded (only maxEntries)
   */
  readonly maxWeight?: number;
  /** The weight of a value (e.g. its rows), counted against maxWeight. @default 1 */
  readonly weigh?: (value: V) => number;
  /** Clock in ms. @default performance.now (monotonic) */
  readonly now?: () => number;
  /**
   * A hit moves the entry to the back of the eviction order, so the bound evicts the least recently
   * used entry rather than the one stored longest ago: under a Zipf-like mix the hot keys stay
   * while the many keys asked for once pass through. @default false
   */
  readonly refreshOnHit?: boolean;
}

/** Options of {@link TtlCache.set}. */
export interface TtlSetOptions {
  /** This entry's lifetime, ms, when shorter than the cache's (e.g. a token that expires sooner). */
  readonly ttlMs?: number;
  /** The time of storing, when the caller has its own clock. @default the cache's clock */
  readonly at?: number;
}

interface Entry<V> {
  readonly value: V;
  readonly weight: number;
  /** Clock time from which the entry is stale. */
  readonly until: number;
}

/**
 * A bounded map of string keys whose entries are served for `ttlMs` after they were stored: the one
 * TTL cache of catcast (verified tokens, rendered read responses, on-demand forecasts). A TTL of 0
 * stores nothing, which turns the cache off.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #inflight = new Map<string, Promise<V>>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #maxWeight: number;
  readonly #weigh: ((value: V) => number) | undefined;
  readonly #refreshOnHit: boolean;
  #weight = 0;
  readonly #now: () => number;

  constructor(ttlMs: number, options: TtlCacheOptions<V> = {}) {
    this.#ttlMs = ttlMs;
    this.#max = options.maxEntries ?? 1000;
    this.#maxWeight = options.maxWeight ?? Infinity;
    this.#weigh = options.weigh;
    this.#refreshOnHit = options.refreshOnHit ?? false;
    this.#now = options.now ?? (() => performance.now());
    if (!(ttlMs >= 0)) throw new RangeError(`ttlMs must be >= 0, got ${ttlMs}`);
    if (!(this.#max >= 1)) throw new RangeError(`maxEntries must be >= 1, got ${this.#max}`);
    if (!(this.#maxWeight > 0)) throw new RangeError(`maxWeight must be > 0, got ${this.#maxWeight}`);
  }

  #remove(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  /** The value stored for `key` while it is fresh at `at` (default: now), else undefined. */
  get(key: string, at: number = this.#now()): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (at >= e.until) {
      this.#remove(key, e);
      return undefined;
    }
    if (this.#refreshOnHit) {
      this.#entries.delete(key);
      this.#entries.set(key, e);
    }
    return e.value;
  }

  /** Stores `value` for the cache's TTL (or the entry's shorter one); a lifetime of 0 or less stores nothing. */
  set(key: string, value: V, options: TtlSetOptions = {}): void {
    const ttlMs = Math.min(this.#ttlMs, options.ttlMs ?? this.#ttlMs);
    if (!(ttlMs > 0)) return;
    const at = options.at ?? this.#now();
    const old = this.#entries.get(key);
    if (old) this.#remove(key, old);
    const weight = this.#weigh ? Math.max(0, this.#weigh(value)) : 1;
    if (weight > this.#maxWeight) return;
    this.#dropExpired(at);
    for (const [k, e] of this.#entries) {
      if (this.#entries.size < this.#max && this.#weight + weight <= this.#maxWeight) break;
      this.#remove(k, e);
    }
    this.#entries.set(key, { value, weight, until: at + ttlMs });
    this.#weight += weight;
  }

  /**
   * The fresh value for `key`, or the result of `compute()`, stored. Concurrent misses of one key share
   * one computation (unless the cache is off), so an expiring hot entry costs one computation.
   * `onLookup` hears whether the value came from memory (a request joining a computation in flight
   * is a miss: it waits for it).
   */
  getOrCompute(key: string, compute: () => Promise<V>, onLookup?: (hit: boolean) => void): Promise<V> {
    const hit = this.get(key);
    onLookup?.(hit !== undefined);
    if (hit !== undefined) return Promise.resolve(hit);
    const running = this.#inflight.get(key);
    if (running) return running;
    const flight = compute()
      .then((value) => {
        this.set(key, value);
        return value;
      })
      .finally(() => this.#inflight.delete(key));
    if (this.#ttlMs > 0) this.#inflight.set(key, flight);
    return flight;
  }

  /**
   * Forgets the stale entries at the head of the map (the ones stored longest ago), so memory follows
   * what was stored within the TTL, not maxEntries: nothing else would ever remove an entry nobody
   * asks for again (a merchant that visited once), and under a Zipf-like mix most keys are asked for
   * once. Each entry is dropped at most once, so this costs O(1) per store on average. It stops at
   * the first fresh entry; a stale one behind it (stored later with a shorter lifetime) waits for
   * its turn or for a read.
   */
  #dropExpired(at: number): void {
    for (const [key, entry] of this.#entries) {
      if (at < entry.until) return;
      this.#remove(key, entry);
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    const e = this.#entries.get(key);
    if (e) this.#remove(key, e);
  }

  /** Number of entries held, fresh or not yet found stale (tests, metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /** Total weight of the entries held (tests, metrics); their count without a weigh function. */
  get weight(): number {
    return this.#weight;
  }
}
