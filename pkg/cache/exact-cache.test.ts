import { describe, expect, it } from 'vitest';
import { ChangeLog, MAX_COMPUTE_MS } from './change-log.js';
import { ExactCache, type Computed, type ExactCacheOptions } from './exact-cache.js';

type Deps = readonly string[];
type Options = Partial<ExactCacheOptions<string, Deps, Deps, string>>;

/** A cache of strings over a ChangeLog, its entries depending on the keys given, with fake clocks. */
function setup(options: Options & { live?: boolean } = {}) {
  const { live = true, ...rest } = options;
  const clock = { mono: 0, wall: 1_000_000 };
  const changes = new ChangeLog({ now: () => clock.mono });
  if (live) changes.setExact(true);
  const cache = new ExactCache<string, Deps>({
    changes,
    depsOf: (deps) => deps,
    ttlMs: 1000,
    exactTtlMs: 300_000,
    now: () => clock.mono,
    wallNow: () => clock.wall,
    ...rest,
  });
  let computed = 0;
  /** getOrCompute of `key` depending on `deps`: a value naming the key and the computation's number. */
  const answer = (key: string, deps: Deps = ['a'], extra: Omit<Computed<string>, 'value'> = {}) =>
    cache.getOrCompute(key, deps, () => {
      computed++;
      return Promise.resolve({ value: `${key}#${computed}`, ...extra });
    });
  const advance = (ms: number) => {
    clock.mono += ms;
    clock.wall += ms;
  };
  return { clock, changes, cache, answer, advance, computations: () => computed };
}

/** A computation the test finishes when it likes. */
function pending() {
  let finish!: (value: Computed<string>) => void;
  const compute = () => new Promise<Computed<string>>((resolve) => (finish = resolve));
  return {
    compute,
    finish: (value: string, extra: Omit<Computed<string>, 'value'> = {}) => finish({ value, ...extra }),
  };
}

describe('ExactCache', () => {
  it('serves an entry until a change to one of its dependencies arrives, and only those', async () => {
    const { changes, cache, answer } = setup();
    await answer('ab', ['a', 'b']);
    await answer('bc', ['b', 'c']);
    await answer('c', ['c']);
    expect(cache.get('ab')).toBe('ab#1');
    changes.record(['b']);
    expect(cache.get('ab')).toBeUndefined();
    expect(cache.get('bc')).toBeUndefined();
    expect(cache.get('c')).toBe('c#3');
    // Computed after the change: current.
    await answer('ab', ['a', 'b']);
    expect(cache.get('ab')).toBe('ab#4');
  });

  it('reports every getOrCompute lookup as a hit or a miss', async () => {
    const seen: boolean[] = [];
    const { changes, answer } = setup({ onLookup: (hit) => seen.push(hit) });
    await answer('k');
    await answer('k');
    changes.record(['a']);
    await answer('k');
    expect(seen).toEqual([false, true, false]);
  });

  // Remove the check of the epoch before storing and the stale value is stored, replacing the new one.
  it('serves a value computed while one of its dependencies changed to its waiters, but does not store it', async () => {
    const { changes, cache } = setup();
    const slow = pending();
    const running = cache.getOrCompute('k', ['a'], slow.compute);
    changes.record(['a']); // committed while the computation read
    slow.finish('old');
    expect(await running).toBe('old');
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
    // Nor does it replace what a computation that began after the change stored meanwhile.
    const stale = pending();
    const late = cache.getOrCompute('k2', ['a'], stale.compute);
    changes.record(['a']);
    const fresh = cache.getOrCompute('k2', ['a'], () => Promise.resolve({ value: 'new' }));
    await new Promise((resolve) => setImmediate(resolve)); // the fresh value is stored first
    stale.finish('old');
    expect([await late, await fresh]).toEqual(['old', 'new']);
    expect(cache.get('k2')).toBe('new');
  });

  it('stores a value computed while only other keys changed', async () => {
    const { changes, cache } = setup();
    const slow = pending();
    const running = cache.getOrCompute('k', ['a'], slow.compute);
    changes.record(['b']);
    slow.finish('v');
    await running;
    expect(cache.get('k')).toBe('v');
  });

  // Remove the check of the running computation's epoch and `fresh` joins `slow`: one computation, 'old'.
  it('shares one computation among concurrent misses, but not across a change of its dependencies', async () => {
    const { changes, cache, answer, computations } = setup();
    expect(await Promise.all([answer('k'), answer('k'), answer('k')])).toEqual(['k#1', 'k#1', 'k#1']);
    expect(computations()).toBe(1);
    const runs = [pending(), pending()];
    let calls = 0;
    const compute = () => runs[calls++]!.compute();
    const first = cache.getOrCompute('j', ['a'], compute);
    const joined = cache.getOrCompute('j', ['a'], compute);
    expect(calls).toBe(1);
    changes.record(['a']);
    const fresh = cache.getOrCompute('j', ['a'], compute);
    expect(calls).toBe(2);
    runs[0]!.finish('old');
    runs[1]!.finish('new');
    expect([await first, await joined, await fresh]).toEqual(['old', 'old', 'new']);
    expect(cache.get('j')).toBe('new');
  });

  it('lets a failed computation fail every waiter, then computes again', async () => {
    const { cache, answer } = setup();
    const failing = () => Promise.reject(new Error('db down'));
    const waiters = [cache.getOrCompute('k', ['a'], failing), cache.getOrCompute('k', ['a'], failing)];
    for (const w of waiters) await expect(w).rejects.toThrow('db down');
    expect(await answer('k')).toBe('k#1');
  });

  it.each([
    ['live: the exact TTL', true, false, 299_999, true],
    ['live, past the exact TTL', true, false, 300_000, false],
    ['live, moving: the short TTL', true, true, 1_000, false],
    ['live, moving, within the short TTL', true, true, 999, true],
    ['not live: the short TTL', false, false, 1_000, false],
    ['not live, within the short TTL', false, false, 999, true],
  ])('keeps an entry %s', async (_name, live, moving, after, kept) => {
    const { cache, answer, advance } = setup({ live });
    await answer('k', ['a'], { moving });
    advance(after);
    expect(cache.get('k') !== undefined).toBe(kept);
  });

  it('keeps an entry until its validUntil by the wall clock, never past the exact TTL', async () => {
    const { clock, cache, answer, advance } = setup();
    await answer('k', ['a'], { validUntil: clock.wall + 60_000 });
    advance(59_999);
    expect(cache.get('k')).toBe('k#1');
    advance(1);
    expect(cache.get('k')).toBeUndefined();
    // Already past it: served, not stored.
    expect(await answer('late', ['a'], { validUntil: clock.wall })).toBe('late#2');
    expect(cache.get('late')).toBeUndefined();
    // The wall clock alone moving ends it too.
    await answer('wall', ['a'], { validUntil: clock.wall + 10 });
    clock.wall += 10;
    expect(cache.get('wall')).toBeUndefined();
    // Far off: the exact TTL still bounds it.
    await answer('far', ['a'], { validUntil: clock.wall + 10 * 300_000 });
    advance(300_000);
    expect(cache.get('far')).toBeUndefined();
  });

  it('does not store a value the computation marks as not the key’s', async () => {
    const { cache, answer } = setup();
    expect(await answer('k', ['a'], { store: false })).toBe('k#1');
    expect(cache.get('k')).toBeUndefined();
  });

  it('forgets every entry when notifications go live or are lost (changes may have been missed)', async () => {
    const { changes, cache, answer } = setup({ live: false });
    await answer('before');
    changes.setExact(true);
    expect(cache.get('before')).toBeUndefined();
    await answer('while-live');
    expect(cache.get('while-live')).toBe('while-live#2');
    changes.setExact(false);
    expect(cache.get('while-live')).toBeUndefined();
    // A computation that spans a reconnect is not stored either.
    const slow = pending();
    const spanning = cache.getOrCompute('span', ['a'], slow.compute);
    changes.setExact(true);
    slow.finish('x');
    await spanning;
    expect(cache.size).toBe(0);
  });

  it('does not store a value whose computation took MAX_COMPUTE_MS or longer (the log may have lost a change)', async () => {
    const { cache, advance } = setup();
    const slow = pending();
    const running = cache.getOrCompute('slow', ['a'], slow.compute);
    advance(MAX_COMPUTE_MS);
    slow.finish('v');
    expect(await running).toBe('v');
    expect(cache.get('slow')).toBeUndefined();
    const quick = pending();
    const done = cache.getOrCompute('quick', ['a'], quick.compute);
    advance(MAX_COMPUTE_MS - 1);
    quick.finish('v');
    await done;
    expect(cache.get('quick')).toBe('v');
  });

  it('with a TTL of 0 stores nothing and shares no computation', async () => {
    const { cache, answer, computations } = setup({ ttlMs: 0, exactTtlMs: 0 });
    await Promise.all([answer('k'), answer('k')]);
    await answer('k');
    expect(computations()).toBe(3);
    expect(cache.size).toBe(0);
  });

  it('serves a stored undefined as a hit', async () => {
    const clock = { now: 0 };
    const changes = new ChangeLog({ now: () => clock.now });
    const seen: boolean[] = [];
    const cache = new ExactCache<string | undefined, Deps>({
      changes,
      depsOf: (d) => d,
      ttlMs: 1000,
      now: () => clock.now,
      onLookup: (hit) => seen.push(hit),
    });
    let calls = 0;
    const lookUp = () =>
      cache.getOrCompute('unknown', ['a'], () => (calls++, Promise.resolve({ value: undefined })));
    expect([await lookUp(), await lookUp()]).toEqual([undefined, undefined]);
    expect(calls).toBe(1);
    expect(seen).toEqual([false, true]);
  });

  it('evicts the least recently read entry beyond maxEntries', async () => {
    const { cache, answer } = setup({ maxEntries: 2 });
    await answer('a');
    await answer('b');
    expect(cache.get('a')).toBe('a#1');
    await answer('c');
    expect(cache.get('a')).toBe('a#1');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe('c#3');
  });

  it('keeps its weight bound, the least recently read evicted first, and never stores one heavier than the bound', async () => {
    // The weight of an entry sees its dependencies too.
    const { cache, answer } = setup({ maxWeight: 20, weigh: (v, deps) => v.length + deps.length });
    await answer('aaaa'); // "aaaa#1" + 1 dependency: 7
    await answer('bbbb'); // 7
    await answer('cccc'); // 7: evicts aaaa
    expect(cache.weight).toBe(14);
    expect(cache.get('aaaa')).toBeUndefined();
    expect(cache.get('cccc')).toBe('cccc#3');
    const huge = 'x'.repeat(30);
    expect(await answer(huge)).toBe(`${huge}#4`);
    expect(cache.get(huge)).toBeUndefined();
    expect(cache.weight).toBe(14);
  });

  it('keeps entries encoded by its codec, weighs them so, and decodes them on every hit', async () => {
    const clock = { now: 0 };
    const changes = new ChangeLog({ now: () => clock.now });
    const weighed: string[] = [];
    const cache = new ExactCache<{ text: string; extra?: string }, Deps, Deps, string>({
      changes,
      depsOf: (d) => d,
      ttlMs: 1000,
      now: () => clock.now,
      codec: { encode: (v) => v.text.toUpperCase(), decode: (s) => ({ text: s.toLowerCase() }) },
      weigh: (stored) => (weighed.push(stored), stored.length),
    });
    const computed = { text: 'body', extra: 'not kept' };
    // The computation's waiters get its value as computed; a hit gets what the codec gives back.
    expect(await cache.getOrCompute('k', ['a'], () => Promise.resolve({ value: computed }))).toBe(computed);
    expect(weighed).toEqual(['BODY']);
    expect(cache.weight).toBe(4);
    expect(await cache.getOrCompute('k', ['a'], () => Promise.reject(new Error('not called')))).toEqual({
      text: 'body',
    });
    expect(cache.get('k')).toEqual({ text: 'body' });
  });

  it('makes its change feed remember changes as long as an entry may live', () => {
    const retained: number[] = [];
    const feed = new ChangeLog();
    const spy = Object.assign(Object.create(feed) as ChangeLog, {
      retainFor: (ms: number) => retained.push(ms),
    });
    new ExactCache<string, Deps>({ changes: spy, depsOf: (d) => d, ttlMs: 100, exactTtlMs: 60_000 });
    expect(retained).toEqual([60_000]);
  });

  it.each([
    [{ ttlMs: -1 }, /ttlMs must be >= 0, got -1/],
    [{ ttlMs: 100, exactTtlMs: 99 }, /exactTtlMs must be >= ttlMs \(100\), got 99/],
  ])('refuses %j', (lifetimes, message) => {
    expect(
      () => new ExactCache<string, Deps>({ changes: new ChangeLog(), depsOf: (d) => d, ...lifetimes }),
    ).toThrow(message);
  });
});
