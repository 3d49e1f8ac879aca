import type { Logger } from '../log/index.js';
import { abortableSleep as sleep } from '../retry/index.js';
import { LeaseConflictError, systemClock, type Clock, type LeaseStore, type StoredLease } from './store.js';

/** Options of {@link LeaderElector}; the timing rules follow client-go's leaderelection package. */
export interface LeaderElectorOptions {
  readonly store: LeaseStore;
  /** Lease name, e.g. catcast-forecast-shard-0. */
  readonly name: string;
  /** This contender's identity (pod name + random suffix). */
  readonly identity: string;
  /** How long a lease is valid without renewal. @default 15000 ms */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leadership. @default 10000 ms */
  readonly renewDeadlineMs?: number;
  /** Wait between attempts. @default 2000 ms */
  readonly retryPeriodMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called on every leadership change (for metrics). */
  readonly onChange?: (leading: boolean, lease: StoredLease | null) => void;
}

/** What a leader's work receives: a signal that aborts when leadership is lost, and the fencing token. */
export interface Leadership {
  readonly signal: AbortSignal;
  /** Monotonic per lease: leaseTransitions at acquisition. Writes carry it to fence stale leaders. */
  readonly fencingToken: number;
  readonly lease: StoredLease;
}

/**
 * Lease-based leader election over a {@link LeaseStore}: acquire, renew every retry period, give up
 * when a renewal does not succeed within the renew deadline, take over a lease only after it was seen
 * unrenewed for a full lease duration (measured on the local clock, so clock skew between contenders
 * does not matter), release on clean completion.
 */
export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private observed: { record: StoredLease | null; at: number; key: string } = {
    record: null,
    at: 0,
    key: '',
  };
  private leading = false;

  constructor(private readonly options: LeaderElectorOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.clock = options.clock ?? systemClock;
    if (!(this.leaseDurationMs > this.renewDeadlineMs))
      throw new RangeError(
        `leaseDuration (${this.leaseDurationMs} ms) must be greater than renewDeadline (${this.renewDeadlineMs} ms)`,
      );
    if (!(this.renewDeadlineMs > 1.2 * this.retryPeriodMs))
      throw new RangeError(
        `renewDeadline (${this.renewDeadlineMs} ms) must be greater than 1.2 x retryPeriod (${this.retryPeriodMs} ms)`,
      );
    if (!options.identity) throw new RangeError('identity must not be empty');
  }

  /** True while this contender believes it holds the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until leadership is acquired (or `signal` aborts: returns undefined), then runs `work`
   * with a signal that aborts on loss of leadership; releases the lease when `work` settles.
   */
  async run<T>(work: (leadership: Leadership) => Promise<T>, signal: AbortSignal): Promise<T | undefined> {
    let lease: StoredLease | null = null;
    while (!signal.aborted) {
      lease = await this.tryAcquireOrRenew();
      if (lease) break;
      await sleep(this.retryPeriodMs, signal);
    }
    if (!lease || signal.aborted) return undefined;
    this.setLeading(true, lease);
    const lost = new AbortController();
    const stopRenewing = new AbortController();
    const renewing = this.renewLoop(lost, stopRenewing.signal, signal);
    try {
      return await work({ signal: lost.signal, fencingToken: lease.leaseTransitions, lease });
    } finally {
      stopRenewing.abort();
      await renewing;
      if (!lost.signal.aborted) await this.release();
      this.setLeading(false, null);
    }
  }

  private setLeading(leading: boolean, lease: StoredLease | null): void {
    if (this.leading !== leading) {
      this.leading = leading;
      this.options.logger?.info(
        { lease: this.options.name, identity: this.options.identity, leading },
        leading ? 'became leader' : 'stopped leading',
      );
      this.options.onChange?.(leading, lease);
    }
  }

  private async renewLoop(lost: AbortController, stop: AbortSignal, outer: AbortSignal): Promise<void> {
    let lastRenew = this.clock.now().getTime();
    while (!stop.aborted) {
      await sleep(this.retryPeriodMs, stop);
      if (stop.aborted) return;
      const renewed = await this.tryAcquireOrRenew();
      const now = this.clock.now().getTime();
      if (renewed) {
        lastRenew = now;
        continue;
      }
      if (now - lastRenew >= this.renewDeadlineMs || this.observedHolder() !== this.options.identity) {
        this.options.logger?.warn({ lease: this.options.name }, 'lost leadership: renewal failed');
        lost.abort(new Error(`lost lease ${this.options.name}`));
        this.setLeading(false, null);
        return;
      }
      if (outer.aborted) return;
    }
  }

  private observedHolder(): string {
    return this.observed.record?.holderIdentity ?? '';
  }

  private observe(record: StoredLease | null): void {
    // Remember when the record last *changed*, on our own clock (client-go's observedTime).
    const key = record ? `${record.version}` : '';
    if (key !== this.observed.key) this.observed = { record, at: this.clock.now().getTime(), key };
  }

  /** One attempt: returns the lease when this contender holds it afterwards, null otherwise. */
  async tryAcquireOrRenew(): Promise<StoredLease | null> {
    const { store, name, identity } = this.options;
    const now = this.clock.now();
    const durationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    try {
      const current = await store.get(name);
      if (!current) {
        const created = await store.create(name, {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        });
        this.observe(created);
        return created;
      }
      this.observe(current);
      const heldByOther = current.holderIdentity !== '' && current.holderIdentity !== identity;
      const expiresAt = this.observed.at + current.leaseDurationSeconds * 1000;
      if (heldByOther && expiresAt > now.getTime()) return null;
      const mine = current.holderIdentity === identity;
      const updated = await store.update(
        name,
        {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: mine ? current.acquireTime : now,
          renewTime: now,
          leaseTransitions: mine ? current.leaseTransitions : current.leaseTransitions + 1,
        },
        current.version,
      );
      this.observe(updated);
      return updated;
    } catch (err) {
      if (!(err instanceof LeaseConflictError)) {
        this.options.logger?.warn({ err, lease: name }, 'lease store error');
      }
      return null;
    }
  }

  /** Gives the lease up (holder '' and 1 s duration) so the next contender need not wait it out. */
  private async release(): Promise<void> {
    const { store, name, identity } = this.options;
    try {
      const current = await store.get(name);
      if (!current || current.holderIdentity !== identity) return;
      await store.update(
        name,
        {
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: current.acquireTime,
          renewTime: this.clock.now(),
          leaseTransitions: current.leaseTransitions,
        },
        current.version,
      );
    } catch (err) {
      this.options.logger?.warn({ err, lease: name }, 'could not release lease');
    }
  }
}
