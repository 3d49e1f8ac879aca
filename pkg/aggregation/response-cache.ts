import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ChangeLog, ExactCache, type EntryCodec } from '../cache/index.js';
import { changedPeriodKey as periodKey, EVERY_PERIOD, type ChangedPeriod } from '../events/index.js';

/** Options of {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /**
   * Lifetime of an entry while changes are not known exactly (no live change notifications) and of
   * every entry marked `moving`, ms.
   */
  readonly ttlMs: number;
  /**
   * Lifetime of an entry while change notifications are live (so any change to a period it shows
   * drops it), ms. @default ttlMs
   */
  readonly exactTtlMs?: number;
  /** Entries kept at most; the oldest is evicted first. @default 2000 */
  readonly maxEntries?: number;
  /**
   * Approximate bytes of rendered answers kept at most (body, ETag, dependencies, a fixed share per
   * entry), the oldest evicted first: a 26-bucket series of 40 categories weighs a hundred top-10s.
   * @default unbounded (only maxEntries)
   */
  readonly maxBytes?: number;
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

/** The aggregate rows an answer shows: one merchant, one bucket type, these bucket starts. */
export interface AnswerScope {
  readonly merchantId: string;
  readonly bucketType: string;
  readonly bucketStarts: readonly string[];
}

/** A computed answer and whether it moves with the clock (a period in progress, a stale merchant). */
export interface ComputedAnswer {
  readonly value: RenderedResponse;
  /** True: kept only for the short TTL even while changes are known exactly. */
  readonly moving: boolean;
  /** False: served to the requests waiting for it but not stored (it is not what the key names). @default true */
  readonly store?: boolean;
  /**
   * How long the answer stays right as time passes alone, ms (e.g. until an order it does not show
   * would mark the merchant stale): bounds the entry's lifetime below the exact TTL. @default unbounded
   */
  readonly validForMs?: number;
}

/** An answer as an entry keeps it: the body raw-deflated, one byte per character (a one-byte string: no buffer per entry). */
interface PackedResponse {
  readonly packed: string;
  readonly etag: string;
}

// JSON answers shrink about fourfold (2.2 KB top-categories -> ~590 B), so the same memory holds
// about 2.7 times as many entries (V8 heap per entry 3.5 KB -> 1.3 KB, measured over 20,000); it costs
// ~17 µs per stored answer and ~9 µs per hit. Level 1: the higher levels gain a few bytes at most.
const deflated: EntryCodec<RenderedResponse, PackedResponse> = {
  encode: ({ text, etag }) => ({ packed: deflateRawSync(text, { level: 1 }).toString('latin1'), etag }),
  // No prepared header block: it would double an entry's memory; the response builds its own.
  decode: ({ packed, etag }) => ({
    text: inflateRawSync(Buffer.from(packed, 'latin1')).toString('utf8'),
    etag,
  }),
};

/**
 * What an entry holds in memory, roughly: its packed body (one byte per character), its ETag, the
 * strings of its dependencies and a fixed share for the entry, its key and the map slot. An
 * estimate, not a measurement of each entry: the bound it feeds is checked by the peak RSS of the
 * read mix.
 */
function entryBytes(e: PackedResponse, deps: readonly string[]): number {
  let bytes = 200 + e.packed.length + e.etag.length;
  for (const d of deps) bytes += 40 + d.length;
  return bytes;
}

/** The change-log keys of the periods an answer shows, and of its merchant's every period. */
function periodsOf(scope: AnswerScope): string[] {
  const deps = scope.bucketStarts.map((s) => periodKey(scope.merchantId, scope.bucketType, s));
  deps.push(periodKey(scope.merchantId, EVERY_PERIOD, EVERY_PERIOD));
  return deps;
}

/**
 * Caches rendered read answers and drops exactly those whose periods changed: every answer names
 * the (merchant, bucket type, bucket start) rows it shows, and {@link invalidate} — fed by this
 * process's applies and by the change notifications of every aggregator — records which of those
 * changed. A logical clock (epoch) orders both: an answer is served only if no period it shows
 * changed after its computation began, so an answer computed while an apply happened is dropped at
 * the latest when the change arrives. While notifications are not live ({@link setExact}(false))
 * entries live only the short TTL, and going live or losing the connection forgets every entry,
 * since changes may have been missed in between. The machinery is pkg/cache's ExactCache; this adds
 * the period keys, its own ChangeLog and bodies kept deflated.
 */
export class ResponseCache {
  readonly #cache: ExactCache<RenderedResponse, AnswerScope, readonly string[], PackedResponse>;
  readonly #now: () => number;
  /** Which periods changed at which epoch, and whether changes are heard (live notifications). */
  readonly #changes: ChangeLog;

  constructor(options: ResponseCacheOptions) {
    const { ttlMs, exactTtlMs = ttlMs, maxEntries = 2000 } = options;
    this.#now = options.now ?? (() => performance.now());
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${ttlMs}`);
    this.#changes = new ChangeLog({ now: this.#now });
    this.#cache = new ExactCache({
      changes: this.#changes,
      depsOf: periodsOf,
      ttlMs,
      exactTtlMs,
      maxEntries,
      ...(options.maxBytes ? { maxWeight: options.maxBytes, weigh: entryBytes } : {}),
      codec: deflated,
      now: this.#now,
      onLookup: options.onLookup,
    });
  }

  /** Whether changes are currently known exactly (entries then live the long TTL). */
  get exact(): boolean {
    return this.#changes.exact;
  }

  /**
   * Says whether change notifications are live. Every change of state forgets all entries: before
   * the listener was connected (or while it was not) changes may have been missed.
   */
  setExact(exact: boolean): void {
    this.#changes.setExact(exact);
  }

  /** The fresh entry for `key`, or undefined. */
  get(key: string): RenderedResponse | undefined {
    return this.#cache.get(key);
  }

  /**
   * The fresh entry for `key`, or the result of `compute` (stored unless a period it shows changed
   * meanwhile). Concurrent misses of one key share one computation, so an expiring hot entry costs
   * one query instead of one per request that arrives meanwhile; a request that arrives after a
   * change of one of its periods starts a new computation rather than joining an older one.
   */
  getOrCompute(
    key: string,
    scope: AnswerScope,
    compute: () => Promise<ComputedAnswer>,
  ): Promise<RenderedResponse> {
    return this.#cache.getOrCompute(key, scope, () =>
      compute().then(({ value, moving, store, validForMs }) => ({
        value,
        moving,
        store,
        // validForMs bounds only the long lifetime: an answer kept the short TTL (moving, or while
        // notifications are not live) is kept that long whatever it says, e.g. a pending merchant's
        // answer (valid for 0 ms) still spares the queries of the next ttlMs.
        validUntil:
          validForMs !== undefined && !moving && this.#changes.exact ? this.#now() + validForMs : undefined,
      })),
    );
  }

  /** Records that these periods changed (a committed apply): answers showing any of them are dropped. */
  invalidate(periods: Iterable<ChangedPeriod>): void {
    const keys: string[] = [];
    for (const p of periods) keys.push(periodKey(p.merchantId, p.bucketType, p.bucketStart));
    this.#changes.record(keys);
  }

  /** Periods remembered as changed (tests: the log stays bounded). */
  get changeLogSize(): number {
    return this.#changes.size;
  }
}
