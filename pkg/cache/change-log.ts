/**
 * A computation that ran longer than this is not stored by a cache following a {@link ChangeLog}:
 * the log is pruned on that assumption (a change older than every entry that may still be served
 * can invalidate none).
 */
export const MAX_COMPUTE_MS = 30_000;

/** Options of {@link ChangeLog}. */
export interface ChangeLogOptions {
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
}

/**
 * The logical clock of a cache kept exact by change notifications (the read API's answers, forecast
 * answers): every batch of changes advances the epoch and records which keys changed at which epoch,
 * and an entry computed from epoch `e` is current while none of the keys it depends on changed after
 * `e`. Whether notifications are live ({@link exact}) decides how long entries may live; every change
 * of that state makes every earlier entry invalid, since changes may have been missed in between.
 * The log keeps a change only as long as an entry computed before it may still be served.
 */
export class ChangeLog {
  readonly #now: () => number;
  /** Key -> epoch and time of its last change, oldest first (pruned from the front). */
  readonly #changed = new Map<string, { epoch: number; at: number }>();
  #epoch = 0;
  /** Entries computed before this epoch are invalid (a notification gap). */
  #resetEpoch = 0;
  #exact = false;
  /** How long a change must be remembered: the longest entry lifetime plus MAX_COMPUTE_MS. */
  #retainMs = MAX_COMPUTE_MS;

  constructor(options: ChangeLogOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  /** The current epoch: a computation records it before it reads anything. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Whether notifications are live (every change is heard), so entries may live long. */
  get exact(): boolean {
    return this.#exact;
  }

  /** Says whether notifications are live; every change of state invalidates every earlier entry. */
  setExact(exact: boolean): void {
    if (exact === this.#exact) return;
    this.#exact = exact;
    this.#resetEpoch = ++this.#epoch;
  }

  /** Makes the log remember changes long enough for an entry that lives `lifetimeMs` (called by each cache). */
  retainFor(lifetimeMs: number): void {
    this.#retainMs = Math.max(this.#retainMs, lifetimeMs + MAX_COMPUTE_MS);
  }

  /** Records committed changes: entries depending on any of these keys, computed before now, are invalid. */
  record(keys: Iterable<string>): void {
    const epoch = ++this.#epoch;
    const at = this.#now();
    for (const k of keys) {
      this.#changed.delete(k); // re-inserted at the end: the map stays ordered by time
      this.#changed.set(k, { epoch, at });
    }
    const horizon = at - this.#retainMs;
    for (const [k, c] of this.#changed) {
      if (c.at >= horizon) break;
      this.#changed.delete(k);
    }
  }

  /** Whether an entry computed from `epoch` that depends on `keys` is still what the source holds. */
  isCurrent(epoch: number, keys: readonly string[]): boolean {
    if (epoch < this.#resetEpoch) return false;
    for (const k of keys) if (this.#changedAfter(epoch, k)) return false;
    return true;
  }

  /**
   * {@link isCurrent} for one key: an entry that depends on a few keys it knows by name checks each
   * in turn (all of them current: the entry is) without building an array on every read.
   */
  isKeyCurrent(epoch: number, key: string): boolean {
    return epoch >= this.#resetEpoch && !this.#changedAfter(epoch, key);
  }

  #changedAfter(epoch: number, key: string): boolean {
    const c = this.#changed.get(key);
    return c !== undefined && c.epoch > epoch;
  }

  /** Changes remembered (tests: the log stays bounded). */
  get size(): number {
    return this.#changed.size;
  }
}
