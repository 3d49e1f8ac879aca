// The one contract every LeaseStore must satisfy (CONVENTIONS.md #9), and the LeaderElector's
// guarantees checked on top of each store. Test-only: imported by test files, never by production
// code (it imports vitest).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LeaderElector } from './elector.js';
import { LeaseConflictError, type LeaseRecord, type LeaseStore, type StoredLease } from './store.js';

/** One store implementation under test. */
export interface LeaseStoreFixture {
  /**
   * A store on the shared backing (the same table, the same namespace): each call is a separate
   * client, as separate pods would have.
   */
  store(): Promise<LeaseStore>;
}

/** Options of {@link describeLeaseStoreContract}. */
export interface LeaseStoreContractOptions {
  /**
   * Elector timings of the election tests; client-go's rules apply (lease > renew deadline >
   * 1.2 x retry). A remote store wants longer periods than the round trips of a loaded machine.
   * @default { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 200 }
   */
  readonly timing?: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  /** Upper bound of every wait in the suite. @default 30000 */
  readonly timeoutMs?: number;
  /**
   * The store creates a missing lease on update instead of refusing it: the Kubernetes API server
   * allows create-on-update for Leases, so a replace of a deleted Lease recreates it (with a new
   * resourceVersion; a second replace at the old version then conflicts). @default false
   */
  readonly updateCreatesMissing?: boolean;
}

/** A lease name no other test (or earlier run on the same backing) has used. */
const freshName = () => `contract-${randomUUID().slice(0, 8)}`;

// Whole milliseconds: every store keeps at least that (Postgres microseconds, Kubernetes MicroTime).
const T0 = new Date('2026-11-25T12:00:00.123Z');
const T1 = new Date('2026-11-25T12:00:05.456Z');

const held = (holderIdentity: string, leaseTransitions = 0): LeaseRecord => ({
  holderIdentity,
  leaseDurationSeconds: 15,
  acquireTime: T0,
  renewTime: T0,
  leaseTransitions,
});

/** The record part of a stored lease (without the opaque version). */
function recordOf(l: StoredLease | null): LeaseRecord | null {
  if (!l) return null;
  const { version: _version, ...record } = l;
  return record;
}

async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A contender's view of the store that can be cut off (a paused or partitioned pod). */
class Cuttable implements LeaseStore {
  readonly description = 'cuttable';
  cut = false;
  constructor(private readonly inner: LeaseStore) {}
  private guard<T>(fn: () => Promise<T>): Promise<T> {
    return this.cut ? Promise.reject(new Error('partitioned')) : fn();
  }
  get(name: string) {
    return this.guard(() => this.inner.get(name));
  }
  create(name: string, r: LeaseRecord) {
    return this.guard(() => this.inner.create(name, r));
  }
  update(name: string, r: LeaseRecord, version: string) {
    return this.guard(() => this.inner.update(name, r, version));
  }
}

/** Registers the LeaseStore contract tests, and the elector's tests on that store, for one store. */
export function describeLeaseStoreContract(
  name: string,
  fixture: LeaseStoreFixture,
  options: LeaseStoreContractOptions = {},
): void {
  const timing = options.timing ?? { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 200 };
  const timeoutMs = options.timeoutMs ?? 30_000;

  describe(`LeaseStore contract: ${name}`, () => {
    it('has no lease before one is created', async () => {
      const store = await fixture.store();
      expect(await store.get(freshName())).toBeNull();
    });

    it('creates a lease that every client reads back field for field', async () => {
      const [a, b] = [await fixture.store(), await fixture.store()];
      const lease = freshName();
      const created = await a.create(lease, held('pod-a', 3));
      expect(recordOf(created)).toEqual(held('pod-a', 3));
      expect(created.version).toEqual(expect.any(String));
      expect(await b.get(lease)).toEqual(created);
    });

    it('keeps a released lease: empty holder and no times', async () => {
      const store = await fixture.store();
      const lease = freshName();
      const released: LeaseRecord = {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: null,
        renewTime: null,
        leaseTransitions: 0,
      };
      await store.create(lease, released);
      expect(recordOf(await store.get(lease))).toEqual(released);
    });

    it('refuses to create a lease that exists, and leaves it as it was', async () => {
      const [a, b] = [await fixture.store(), await fixture.store()];
      const lease = freshName();
      const created = await a.create(lease, held('pod-a'));
      await expect(b.create(lease, held('pod-b'))).rejects.toBeInstanceOf(LeaseConflictError);
      expect(await a.get(lease)).toEqual(created);
    });

    it('updates at the current version and gives the lease a new version', async () => {
      const [a, b] = [await fixture.store(), await fixture.store()];
      const lease = freshName();
      const created = await a.create(lease, held('pod-a'));
      const next: LeaseRecord = { ...held('pod-b', 1), acquireTime: T1, renewTime: T1 };
      const updated = await b.update(lease, next, created.version);
      expect(recordOf(updated)).toEqual(next);
      expect(updated.version).not.toBe(created.version);
      expect(await a.get(lease)).toEqual(updated);
    });

    it('refuses an update at a stale version, and leaves the lease as it was', async () => {
      const [a, b] = [await fixture.store(), await fixture.store()];
      const lease = freshName();
      const created = await a.create(lease, held('pod-a'));
      const renewed = await a.update(lease, { ...held('pod-a'), renewTime: T1 }, created.version);
      await expect(b.update(lease, held('pod-b', 1), created.version)).rejects.toBeInstanceOf(
        LeaseConflictError,
      );
      expect(await b.get(lease)).toEqual(renewed);
    });

    it('lets exactly one of two concurrent updates at the same version win', async () => {
      const [a, b] = [await fixture.store(), await fixture.store()];
      const lease = freshName();
      const created = await a.create(lease, held(''));
      const results = await Promise.allSettled([
        a.update(lease, held('pod-a', 1), created.version),
        b.update(lease, held('pod-b', 1), created.version),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseConflictError);
      expect(await a.get(lease)).toEqual((won[0] as PromiseFulfilledResult<StoredLease>).value);
    });

    if (options.updateCreatesMissing) {
      it('creates a missing lease on update, and refuses a second update at the same version', async () => {
        const [a, b] = [await fixture.store(), await fixture.store()];
        const lease = freshName();
        const created = await a.update(lease, held('pod-a'), '1');
        expect(recordOf(created)).toEqual(held('pod-a'));
        expect(await b.get(lease)).toEqual(created);
        await expect(b.update(lease, held('pod-b'), '1')).rejects.toBeInstanceOf(LeaseConflictError);
      });
    } else {
      it('refuses to update a lease that does not exist', async () => {
        const store = await fixture.store();
        const lease = freshName();
        await expect(store.update(lease, held('pod-a'), '1')).rejects.toBeInstanceOf(LeaseConflictError);
        expect(await store.get(lease)).toBeNull();
      });
    }

    it('keeps leases of different names apart', async () => {
      const store = await fixture.store();
      const [x, y] = [freshName(), freshName()];
      await store.create(x, held('pod-x'));
      await store.create(y, held('pod-y', 7));
      expect((await store.get(x))?.holderIdentity).toBe('pod-x');
      expect((await store.get(y))?.leaseTransitions).toBe(7);
    });
  });

  describe(`LeaderElector on ${name}`, () => {
    it('elects one of three contenders at a time; another takes over with a newer token when the leader is cut off', async () => {
      const lease = freshName();
      const views = await Promise.all([0, 1, 2].map(async () => new Cuttable(await fixture.store())));
      const electors = views.map(
        (store, i) => new LeaderElector({ store, name: lease, identity: `pod-${i}`, ...timing }),
      );
      const stop = new AbortController();
      const turns: { who: number; token: number }[] = [];
      const leading = new Set<number>();
      const overlaps: string[] = [];
      const runs = electors.map((e, i) =>
        e.run(async ({ signal, fencingToken }) => {
          if (leading.size > 0) overlaps.push(`pod-${i} started while ${[...leading].join(',')} led`);
          leading.add(i);
          turns.push({ who: i, token: fencingToken });
          await new Promise<void>((resolve) => {
            const done = () => (leading.delete(i), resolve());
            signal.addEventListener('abort', done, { once: true });
            stop.signal.addEventListener('abort', done, { once: true });
          });
        }, stop.signal),
      );
      try {
        await waitUntil('a first leader', () => turns.length === 1, timeoutMs);
        const first = turns[0]!;
        views[first.who]!.cut = true; // the leader can no longer renew
        await waitUntil('a second leader', () => turns.length === 2, timeoutMs);
        const second = turns[1]!;
        expect(second.who).not.toBe(first.who);
        expect(second.token).toBeGreaterThan(first.token);
        expect(electors[first.who]!.isLeader()).toBe(false);
        const reader = await fixture.store();
        expect((await reader.get(lease))?.holderIdentity).toBe(`pod-${second.who}`);
      } finally {
        stop.abort();
        await Promise.all(runs);
      }
      expect(overlaps).toEqual([]);
    });

    it('releases the lease when the work is done, so the next contender takes it at once', async () => {
      const lease = freshName();
      // A lease duration far beyond the test's timeout: only a release lets b in.
      const long = { ...timing, leaseDurationMs: 10 * timeoutMs };
      const a = new LeaderElector({ store: await fixture.store(), name: lease, identity: 'a', ...long });
      expect(await a.run(() => Promise.resolve('done'), new AbortController().signal)).toBe('done');
      const reader = await fixture.store();
      expect((await reader.get(lease))?.holderIdentity).toBe('');
      const b = new LeaderElector({ store: await fixture.store(), name: lease, identity: 'b', ...long });
      const token = await b.run(
        ({ fencingToken }) => Promise.resolve(fencingToken),
        AbortSignal.timeout(timeoutMs),
      );
      expect(token).toBe(1);
      expect((await reader.get(lease))?.leaseTransitions).toBe(1);
    });

    it('gives up without running the work when aborted before it wins', async () => {
      const lease = freshName();
      const holder = new LeaderElector({
        store: await fixture.store(),
        name: lease,
        identity: 'a',
        ...timing,
      });
      const release = new AbortController();
      const holding = holder.run(
        ({ signal }) =>
          new Promise<void>((r) => {
            release.signal.addEventListener('abort', () => r(), { once: true });
            signal.addEventListener('abort', () => r(), { once: true });
          }),
        new AbortController().signal,
      );
      try {
        await waitUntil('the holder to lead', () => holder.isLeader(), timeoutMs);
        const other = new LeaderElector({
          store: await fixture.store(),
          name: lease,
          identity: 'b',
          ...timing,
        });
        let ran = false;
        const outcome = await other.run(
          () => ((ran = true), Promise.resolve('won')),
          AbortSignal.timeout(timing.retryPeriodMs * 2),
        );
        expect(outcome).toBeUndefined();
        expect(ran).toBe(false);
      } finally {
        release.abort();
        await holding;
      }
    });
  });
}
