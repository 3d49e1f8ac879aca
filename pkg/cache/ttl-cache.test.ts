import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

function clocked(ttlMs: number, maxEntries?: number) {
  let t = 0;
  const cache = new TtlCache<string>(ttlMs, { now: () => t, ...(maxEntries ? { maxEntries } : {}) });
  return { cache, advance: (ms: number) => (t += ms) };
}

describe('TtlCache', () => {
  it('serves an entry until its TTL has passed, then forgets it', () => {
    const { cache, advance } = clocked(100);
    cache.set('k', 'v');
    advance(99);
    expect(cache.get('k')).toBe('v');
    advance(1);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps an entry with a shorter lifetime only that long, and never longer than the cache TTL', () => {
    const { cache, advance } = clocked(100);
    cache.set('short', 'v', { ttlMs: 10 });
    cache.set('long', 'v', { ttlMs: 1_000 });
    advance(10);
    expect(cache.get('short')).toBeUndefined();
    advance(89);
    expect(cache.get('long')).toBe('v');
    advance(1);
    expect(cache.get('long')).toBeUndefined();
  });

  it('stores nothing for a lifetime of 0 or less', () => {
    const { cache } = clocked(100);
    cache.set('a', 'v', { ttlMs: 0 });
    cache.set('b', 'v', { ttlMs: -5 });
    expect(cache.size).toBe(0);
    const off = clocked(0).cache;
    off.set('a', 'v');
    expect(off.size).toBe(0);
  });

  it('reads and writes on the caller clock when given', () => {
    const { cache } = clocked(100);
    cache.set('k', 'v', { at: 1_000 });
    expect(cache.get('k', 1_099)).toBe('v');
    expect(cache.get('k', 1_100)).toBeUndefined();
  });

  it('evicts the entry stored longest ago when full; storing again renews the place', () => {
    const { cache } = clocked(1_000, 2);
    cache.set('a', '1');
    cache.set('b', '2');
    cache.set('a', '1 again');
    cache.set('c', '3');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['1 again', undefined, '3']);
  });

  it('with refreshOnHit evicts the least recently used entry, not the one stored first', () => {
    const lru = new TtlCache<string>(1_000, { maxEntries: 2, refreshOnHit: true });
    lru.set('a', '1');
    lru.set('b', '2');
    expect(lru.get('a')).toBe('1');
    lru.set('c', '3');
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual(['1', undefined, '3']);
    // Without the option the same reads leave the first stored entry to go first.
    const fifo = new TtlCache<string>(1_000, { maxEntries: 2 });
    fifo.set('a', '1');
    fifo.set('b', '2');
    expect(fifo.get('a')).toBe('1');
    fifo.set('c', '3');
    expect([fifo.get('a'), fifo.get('b'), fifo.get('c')]).toEqual([undefined, '2', '3']);
  });

  it('lets entries nobody reads again leave memory once stale, not only when the cache is full', () => {
    const { cache, advance } = clocked(100, 1_000);
    for (let i = 0; i < 500; i++) cache.set(`once-${i}`, 'v');
    advance(50);
    cache.set('fresh', 'v');
    expect(cache.size).toBe(501);
    advance(60); // the first 500 are stale now, 'fresh' is not
    cache.set('next', 'v');
    expect(cache.size).toBe(2);
    expect(cache.get('fresh')).toBe('v');
  });

  it('bounds the total weight: evicts the oldest until a new entry fits, refuses one heavier than the bound', () => {
    const cache = new TtlCache<number[]>(1_000, { maxEntries: 100, maxWeight: 10, weigh: (v) => v.length });
    cache.set('a', [1, 2, 3, 4]);
    cache.set('b', [1, 2, 3, 4]);
    expect(cache.weight).toBe(8);
    cache.set('c', [1, 2, 3]); // 11 > 10: 'a' goes
    expect([cache.get('a'), cache.get('b')?.length, cache.get('c')?.length]).toEqual([undefined, 4, 3]);
    expect(cache.weight).toBe(7);
    cache.set('b', [1]); // storing again replaces the old weight
    expect(cache.weight).toBe(4);
    cache.set(
      'huge',
      Array.from({ length: 11 }, () => 0),
    );
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.weight).toBe(4);
    cache.delete('c');
    expect([cache.size, cache.weight]).toEqual([1, 1]);
  });

  it('shares one computation between concurrent misses, and none when the cache is off', async () => {
    const { cache } = clocked(100);
    let calls = 0;
    const compute = () => new Promise<string>((resolve) => setImmediate(() => resolve(`v${++calls}`)));
    const [x, y] = await Promise.all([cache.getOrCompute('k', compute), cache.getOrCompute('k', compute)]);
    expect([x, y, calls]).toEqual(['v1', 'v1', 1]);
    expect(await cache.getOrCompute('k', compute)).toBe('v1');

    const off = clocked(0).cache;
    await Promise.all([off.getOrCompute('k', compute), off.getOrCompute('k', compute)]);
    expect(calls).toBe(3);
  });

  it('tells each lookup whether it was served from memory', async () => {
    const { cache } = clocked(100);
    const heard: boolean[] = [];
    const onLookup = (hit: boolean) => heard.push(hit);
    const compute = () => new Promise<string>((resolve) => setImmediate(() => resolve('v')));
    await Promise.all([
      cache.getOrCompute('k', compute, onLookup),
      cache.getOrCompute('k', compute, onLookup),
    ]);
    await cache.getOrCompute('k', compute, onLookup);
    expect(heard).toEqual([false, false, true]);
  });

  it('does not keep a failed computation', async () => {
    const { cache } = clocked(100);
    await expect(cache.getOrCompute('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.getOrCompute('k', () => Promise.resolve('ok'))).toBe('ok');
  });

  it.each([-1, Number.NaN])('refuses ttlMs %d', (ttl) => {
    expect(() => new TtlCache(ttl)).toThrow(RangeError);
  });
});
