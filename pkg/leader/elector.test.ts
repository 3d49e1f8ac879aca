import { describe, expect, it } from 'vitest';
import { LeaderElector, MemoryLeaseStore, type LeaseStore } from './index.js';

const timing = { leaseDurationMs: 400, renewDeadlineMs: 250, retryPeriodMs: 50 };

/** A view of a shared store that can be cut off for one contender (a paused or partitioned pod). */
function view(store: MemoryLeaseStore): LeaseStore & { cut: boolean } {
  const v = {
    cut: false,
    description: 'view',
    get: (n: string) => (v.cut ? Promise.reject(new Error('partitioned')) : store.get(n)),
    create: (n: string, r: Parameters<LeaseStore['create']>[1]) =>
      v.cut ? Promise.reject(new Error('partitioned')) : store.create(n, r),
    update: (n: string, r: Parameters<LeaseStore['update']>[1], ver: string) =>
      v.cut ? Promise.reject(new Error('partitioned')) : store.update(n, r, ver),
  };
  return v;
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// The store-independent behaviour (one leader, takeover, release, abort) is the contract in
// contract.ts, run on every store (memory-store.test.ts, test/integration/lease-stores.test.ts); this
// file keeps what needs the memory store's fast, steady round trips: the timing bounds.
describe('LeaderElector', () => {
  it.each([
    [
      { leaseDurationMs: 100, renewDeadlineMs: 100, retryPeriodMs: 10 },
      /leaseDuration \(100 ms\) must be greater than renewDeadline \(100 ms\)/,
    ],
    [
      { leaseDurationMs: 1000, renewDeadlineMs: 100, retryPeriodMs: 90 },
      /renewDeadline \(100 ms\) must be greater than 1.2 x retryPeriod \(90 ms\)/,
    ],
  ])('checks client-go timing rules %j', (t, message) => {
    expect(
      () => new LeaderElector({ store: new MemoryLeaseStore(), name: 'l', identity: 'a', ...t }),
    ).toThrow(message);
  });

  it('elects exactly one of three contenders, and another takes over when the leader stops renewing', async () => {
    const store = new MemoryLeaseStore();
    const views = ['a', 'b', 'c'].map(() => view(store));
    const electors = views.map(
      (v, i) => new LeaderElector({ store: v, name: 'shard-0', identity: `pod-${i}`, ...timing }),
    );
    const stop = new AbortController();
    const tokens: number[] = [];
    const leadersSeen = new Set<number>();
    let violations = 0;
    const sampler = setInterval(() => {
      const leaders = electors.filter((e) => e.isLeader()).length;
      if (leaders > 1) violations++;
    }, 5);
    const runs = electors.map((e, i) =>
      e.run(async ({ signal, fencingToken }) => {
        leadersSeen.add(i);
        tokens.push(fencingToken);
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => resolve(), { once: true });
          stop.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }, stop.signal),
    );
    await until('a first leader', () => leadersSeen.size === 1);
    const first = [...leadersSeen][0]!;
    views[first]!.cut = true; // the leader can no longer renew
    const cutAt = Date.now();
    await until('a second leader', () => leadersSeen.size === 2, 5000);
    const takeoverMs = Date.now() - cutAt;
    stop.abort();
    await Promise.all(runs);
    clearInterval(sampler);
    expect(violations).toBe(0);
    // takeover needs a full lease duration without an observed renewal, plus at most a retry period or so
    expect(takeoverMs).toBeGreaterThanOrEqual(timing.leaseDurationMs - timing.retryPeriodMs);
    expect(tokens[1]).toBeGreaterThan(tokens[0]!);
  });

  it('the old leader learns it lost the lease within the renew deadline', async () => {
    const store = new MemoryLeaseStore();
    const v = view(store);
    const e = new LeaderElector({ store: v, name: 'x', identity: 'a', ...timing });
    const outcome = await e.run(async ({ signal }) => {
      v.cut = true;
      const t0 = Date.now();
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      return Date.now() - t0;
    }, new AbortController().signal);
    expect(outcome).toBeLessThan(timing.renewDeadlineMs + 3 * timing.retryPeriodMs);
    expect(e.isLeader()).toBe(false);
  });
});
