import { MAX_COMPUTE_MS } from './change-log.js';
import { TtlCache } from './ttl-cache.js';

/**
 * The logical clock an {@link ExactCache} follows ({@link ChangeLog}, or a log keyed by a domain's
 * own dependencies): the epoch a computation starts from, whether changes are heard, and whether an
 * entry computed from an epoch is still current.
 */
export interface ChangeFeed<D> {
  /** The current epoch: a computation records it before it reads anything. */
  readonly epoch: number;
  /** Whether notifications are live, so entries may live the exact TTL. */
  readonly exact: boolean;
  /** Whether an entry computed from `epoch` that depends on `deps` is still what the source holds. */
  isCurrent(epoch: number, deps: D): boolean;
  /** Makes the feed remember changes long enough for an entry that lives `lifetimeMs`. */
  retainFor(lifetimeMs: number): void;
}

/** How an {@link ExactCache} keeps a value in memory (e.g. deflated) and gives it back. */
export interface EntryCodec<V, Stored> {
  encode(value: V): Stored;
  decode(stored: Stored): V;
}

/** Options of {@link ExactCache}. */
export interface ExactCacheOptions<V, S, D, Stored> {
  /** The changes the entries follow. */
  readonly changes: ChangeFeed<D>;
  /** The dependencies of a computation about `scope`: derived once, when the computation starts. */
  readonly depsOf: (scope: S) => D;
  /** Lifetime of an entry while notifications are not live, and of every `moving` one, ms; 0 stores nothing. */
  readonly ttlMs: number;
  /** Most lifetime of an entry while notifications are live, ms. @default ttlMs */
  readonly exactTtlMs?: number;
  /** Entries kept at most; the one read longest ago is evicted first. @default 1000 */
  readonly maxEntries?: number;
  /** Total weight kept at most (with `weigh`), the one read longest ago evicted first. @default unbounded */
  readonly maxWeight?: number;
  /** The weight of a stored entry (e.g. its bytes), counted against maxWeight. @default 1 */
  readonly weigh?: (stored: Stored, deps: D) => number;
  /** How values are kept in memory. @default as they are */
  readonly codec?: EntryCodec<V, Stored>;
  /** Monotonic clock in ms (lifetimes, MAX_COMPUTE_MS). @default performance.now */
  readonly now?: () => number;
  /** The clock of {@link Computed.validUntil}, ms. @default now */
  readonly wallNow?: () => number;
  /** Called on every lookup of {@link ExactCache.getOrCompute}: served from memory or not. @default none */
  readonly onLookup?: (hit: boolean) => void;
}

/** A computed value and how long it may be kept. */
export interface Computed<V> {
  readonly value: V;
  /** True: kept only `ttlMs` even while notifications are live (the value moves with the clock). */
  readonly moving?: boolean;
  /** False: served to the requests waiting for it but not stored (it is not what the key names). @default true */
  readonly store?: boolean;
  /**
   * Instant (ms, the `wallNow` clock) from which the value is wrong whatever the source does, e.g.
   * when it turns stale or its period ends: bounds the entry's lifetime and is checked on every read.
   * @default none
   */
  readonly validUntil?: number;
}

interface Entry<D, Stored> {
  readonly epoch: number;
  readonly deps: D;
  readonly stored: Stored;
  readonly validUntil: number | undefined;
}

interface Flight<V, D> {
  readonly epoch: number;
  readonly deps: D;
  readonly promise: Promise<V>;
}

const asIs: EntryCodec<unknown, unknown> = { encode: (v) => v, decode: (s) => s };

/**
 * A cache kept exact by change notifications: an entry is served until a change to one of its
 * dependencies arrives after its computation began (the {@link ChangeFeed}'s epochs order both),
 * until its `validUntil`, and at most `exactTtlMs`; while notifications are not live, and for a
 * `moving` value, it lives `ttlMs`, like a TTL cache. Concurrent misses of one key share one
 * computation unless a change to its dependencies arrived after it began; a value computed while
 * one arrived is served to its waiters but not stored, since it may show the older state.
 */
export class ExactCache<V, S, D = S, Stored = V> {
  readonly #entries: TtlCache<Entry<D, Stored>>;
  readonly #inflight = new Map<string, Flight<V, D>>();
  readonly #changes: ChangeFeed<D>;
  readonly #depsOf: (scope: S) => D;
  readonly #codec: EntryCodec<V, Stored>;
  readonly #ttlMs: number;
  readonly #exactTtlMs: number;
  readonly #now: () => number;
  readonly #wallNow: () => number;
  readonly #onLookup: ((hit: boolean) => void) | undefined;

  constructor(options: ExactCacheOptions<V, S, D, Stored>) {
    const { changes, ttlMs, exactTtlMs = ttlMs, maxEntries = 1000, weigh } = options;
    if (!(ttlMs >= 0)) throw new RangeError(`ttlMs must be >= 0, got ${ttlMs}`);
    if (!(exactTtlMs >= ttlMs))
      throw new RangeError(`exactTtlMs must be >= ttlMs (${ttlMs}), got ${exactTtlMs}`);
    this.#changes = changes;
    this.#depsOf = options.depsOf;
    this.#codec = options.codec ?? (asIs as EntryCodec<V, Stored>);
    this.#ttlMs = ttlMs;
    this.#exactTtlMs = exactTtlMs;
    this.#now = options.now ?? (() => performance.now());
    this.#wallNow = options.wallNow ?? this.#now;
    this.#onLookup = options.onLookup;
    this.#entries = new TtlCache<Entry<D, Stored>>(exactTtlMs, {
      maxEntries,
      ...(options.maxWeight !== undefined ? { maxWeight: options.maxWeight } : {}),
      ...(weigh ? { weigh: (e: Entry<D, Stored>) => weigh(e.stored, e.deps) } : {}),
      now: this.#now,
      // Dashboards ask the same answers again; the keys asked for once pass through.
      refreshOnHit: true,
    });
    changes.retainFor(exactTtlMs);
  }

  /** The entry of `key` while it is current, else undefined (and forgotten). */
  #current(key: string): Entry<D, Stored> | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (
      !this.#changes.isCurrent(e.epoch, e.deps) ||
      (e.validUntil !== undefined && this.#wallNow() >= e.validUntil)
    ) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** The current value of `key`, or undefined. */
  get(key: string): V | undefined {
    const e = this.#current(key);
    return e ? this.#codec.decode(e.stored) : undefined;
  }

  /**
   * The current value of `key`, or the one `compute` returns, stored unless a change to its
   * dependencies arrived while it ran (it may have read the older state) or it took longer than
   * the change log is kept. A request that arrives after such a change starts a new computation
   * rather than joining the older one.
   */
  getOrCompute(key: string, scope: S, compute: () => Promise<Computed<V>>): Promise<V> {
    // The entry, not its value, tells a hit: a value may be undefined (e.g. "no such merchant").
    const hit = this.#current(key);
    this.#onLookup?.(hit !== undefined);
    if (hit) return Promise.resolve(this.#codec.decode(hit.stored));
    const changes = this.#changes;
    const running = this.#inflight.get(key);
    if (running && changes.isCurrent(running.epoch, running.deps)) return running.promise;
    const epoch = changes.epoch;
    const started = this.#now();
    const deps = this.#depsOf(scope);
    const promise = compute()
      .then((answer) => {
        if (
          this.#ttlMs > 0 &&
          answer.store !== false &&
          changes.isCurrent(epoch, deps) &&
          this.#now() - started < MAX_COMPUTE_MS
        )
          this.#store(key, epoch, deps, answer);
        return answer.value;
      })
      .finally(() => {
        if (this.#inflight.get(key)?.promise === promise) this.#inflight.delete(key);
      });
    if (this.#ttlMs > 0) this.#inflight.set(key, { epoch, deps, promise });
    return promise;
  }

  #store(key: string, epoch: number, deps: D, answer: Computed<V>): void {
    const { validUntil } = answer;
    let ttlMs = this.#changes.exact && !answer.moving ? this.#exactTtlMs : this.#ttlMs;
    if (validUntil !== undefined) ttlMs = Math.min(ttlMs, validUntil - this.#wallNow());
    if (!(ttlMs > 0)) return;
    const stored = this.#codec.encode(answer.value);
    this.#entries.set(key, { epoch, deps, stored, validUntil }, { ttlMs });
  }

  /** Entries held, current or not yet found out (tests). */
  get size(): number {
    return this.#entries.size;
  }

  /** Total weight of the entries held (tests); their count without a weigh function. */
  get weight(): number {
    return this.#entries.weight;
  }
}
