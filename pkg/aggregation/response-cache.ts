import { TtlCache } from '../cache/index.js';

/** Options of {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** How long an entry may be served, ms (bounds staleness from other replicas' applies). */
  readonly ttlMs: number;
  /** Entries kept at most; the oldest is evicted first. @default 2000 */
  readonly maxEntries?: number;
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
  /** Called on every lookup of {@link ResponseCache.getOrCompute}: served from memory or not. @default none */
  readonly onLookup?: (hit: boolean) => void;
}

/** A rendered response: its body text and strong ETag, and the header block of its 200 answer when prepared. */
export interface RenderedResponse {
  readonly text: string;
  readonly etag: string;
  /** Built once by prepareJson (pkg/http), reused by every hit. */
  readonly okHeaders?: Readonly<Record<string, string>>;
}

interface Entry {
  readonly merchantId: string;
  readonly generation: number;
  readonly value: RenderedResponse;
}

/**
 * Caches rendered read responses per merchant for a short TTL, and drops a merchant's entries as
 * soon as this process applied events of that merchant (so the aggregator that applies a batch never
 * serves older totals afterwards; other replicas' applies show after at most the TTL). A response
 * computed while an apply happened is not stored: the generation read before the query must still
 * be current when the result is stored.
 */
export class ResponseCache {
  readonly #entries: TtlCache<Entry>;
  readonly #generations = new Map<string, number>();
  readonly #inflight = new Map<string, Promise<RenderedResponse>>();
  readonly #onLookup: ((hit: boolean) => void) | undefined;

  constructor(options: ResponseCacheOptions) {
    const { ttlMs, maxEntries = 2000, now } = options;
    this.#onLookup = options.onLookup;
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${ttlMs}`);
    this.#entries = new TtlCache<Entry>(ttlMs, { maxEntries, ...(now ? { now } : {}) });
  }

  /** The merchant's current generation; pass it to {@link set} with the response computed after it. */
  generation(merchantId: string): number {
    return this.#generations.get(merchantId) ?? 0;
  }

  /** A fresh entry for `key`, or undefined. */
  get(key: string): RenderedResponse | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.generation !== this.generation(e.merchantId)) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Stores `value` unless the merchant's data changed since `generation` was read. */
  set(key: string, merchantId: string, generation: number, value: RenderedResponse): void {
    if (generation !== this.generation(merchantId)) return;
    this.#entries.set(key, { merchantId, generation, value });
  }

  /**
   * The fresh entry for `key`, or the result of `compute` (stored unless an apply intervened).
   * Concurrent misses of one key in one generation share one computation, so an expiring hot entry
   * costs one query instead of one per request that arrives meanwhile; a request that arrives after
   * an apply starts a new computation rather than joining an older one.
   */
  getOrCompute(
    key: string,
    merchantId: string,
    compute: () => Promise<RenderedResponse>,
  ): Promise<RenderedResponse> {
    const hit = this.get(key);
    this.#onLookup?.(hit !== undefined);
    if (hit) return Promise.resolve(hit);
    const generation = this.generation(merchantId);
    const flightKey = `${key}\u0000${generation}`;
    const running = this.#inflight.get(flightKey);
    if (running) return running;
    const flight = compute()
      .then((value) => {
        this.set(key, merchantId, generation, value);
        return value;
      })
      .finally(() => this.#inflight.delete(flightKey));
    this.#inflight.set(flightKey, flight);
    return flight;
  }

  /** Makes every entry of these merchants stale (called after a batch of theirs was committed). */
  invalidate(merchantIds: Iterable<string>): void {
    for (const m of merchantIds) this.#generations.set(m, this.generation(m) + 1);
  }
}
