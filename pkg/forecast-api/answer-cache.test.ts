import { describe, expect, it } from 'vitest';
import { AnswerCache, type AnswerScope } from './answer-cache.js';
import { ForecastChangeLog, decodeForecastChanges } from './changes.js';

/** A cache with fake clocks, live notifications and a counter of computations. */
function setup(options: { live?: boolean; ttlMs?: number; exactTtlMs?: number; maxWeight?: number } = {}) {
  const clock = { mono: 0, wall: Date.parse('2026-11-25T12:00:00Z') };
  const changes = new ForecastChangeLog({ now: () => clock.mono });
  if (options.live ?? true) changes.setExact(true);
  const cache = new AnswerCache<string>({
    changes,
    ttlMs: options.ttlMs ?? 1000,
    exactTtlMs: options.exactTtlMs ?? 300_000,
    ...(options.maxWeight ? { maxWeight: options.maxWeight, weigh: (v: string) => v.length } : {}),
    now: () => clock.mono,
    wallNow: () => clock.wall,
  });
  let computed = 0;
  const answer = (key: string, scope: AnswerScope, extra: { moving?: boolean; validUntil?: number } = {}) =>
    cache.getOrCompute(key, scope, () => {
      computed++;
      return Promise.resolve({ value: `${key}#${computed}`, ...extra });
    });
  const advance = (ms: number) => {
    clock.mono += ms;
    clock.wall += ms;
  };
  return { clock, changes, cache, answer, advance, computations: () => computed };
}

const shopWeek = { merchantId: 'shop', bucketType: 'WEEK' };
const shopMonth = { merchantId: 'shop', bucketType: 'MONTH' };
const otherWeek = { merchantId: 'other', bucketType: 'WEEK' };

describe('AnswerCache', () => {
  it("drops a merchant's answers of the bucket type a notification names, and nothing else", async () => {
    const { changes, cache, answer } = setup();
    await answer('shop-week', shopWeek);
    await answer('shop-week-limit-3', shopWeek);
    await answer('shop-month', shopMonth);
    await answer('other-week', otherWeek);
    changes.record(decodeForecastChanges('shop\tWEEK'));
    expect(cache.get('shop-week')).toBeUndefined();
    expect(cache.get('shop-week-limit-3')).toBeUndefined();
    expect(cache.get('shop-month')).toBe('shop-month#3');
    expect(cache.get('other-week')).toBe('other-week#4');
  });

  it('drops every answer of a merchant when its catalog changes (`*`), and its catalog entries', async () => {
    const { changes, cache, answer } = setup();
    await answer('shop-week', shopWeek);
    await answer('shop-month', shopMonth);
    await answer('shop-labels', { merchantId: 'shop' });
    await answer('other-week', otherWeek);
    changes.record([{ merchantId: 'shop', bucketType: '*' }]);
    expect(cache.get('shop-week')).toBeUndefined();
    expect(cache.get('shop-month')).toBeUndefined();
    expect(cache.get('shop-labels')).toBeUndefined();
    expect(cache.get('other-week')).toBe('other-week#4');
  });

  it('keeps catalog entries when only a forecast set of the merchant changes', async () => {
    const { changes, cache, answer } = setup();
    await answer('shop-labels', { merchantId: 'shop' });
    changes.record([shopWeek]);
    expect(cache.get('shop-labels')).toBe('shop-labels#1');
  });

  it('does not store a computation that began before a notification naming it, nor lets a later request join it', async () => {
    const { changes, cache } = setup();
    let release!: (v: { value: string }) => void;
    const slow = cache.getOrCompute('k', shopWeek, () => new Promise((r) => (release = r)));
    changes.record([shopWeek]);
    // A request after the change does not wait for the answer that may show the older state.
    const fresh = cache.getOrCompute('k', shopWeek, () => Promise.resolve({ value: 'new' }));
    release({ value: 'old' });
    expect(await slow).toBe('old'); // served to the request that started it
    expect(await fresh).toBe('new');
    expect(cache.get('k')).toBe('new');
    // The same with a catalog change while computing.
    let release2!: (v: { value: string }) => void;
    const slow2 = cache.getOrCompute('k2', shopMonth, () => new Promise((r) => (release2 = r)));
    changes.record([{ merchantId: 'shop', bucketType: '*' }]);
    release2({ value: 'old' });
    await slow2;
    expect(cache.get('k2')).toBeUndefined();
  });

  it('shares one computation among concurrent misses of one key', async () => {
    const { answer, computations } = setup();
    const all = await Promise.all([answer('k', shopWeek), answer('k', shopWeek), answer('k', shopWeek)]);
    expect(all).toEqual(['k#1', 'k#1', 'k#1']);
    expect(computations()).toBe(1);
  });

  it.each([
    ['live, precomputed: the exact TTL', true, false, 299_000, true],
    ['live, precomputed, past the exact TTL', true, false, 300_000, false],
    ['live, on demand (moving): the short TTL', true, true, 1_000, false],
    ['live, on demand, within the short TTL', true, true, 999, true],
    ['not live: the short TTL', false, false, 1_000, false],
    ['not live, within the short TTL', false, false, 999, true],
  ])('%s', async (_name, live, moving, after, kept) => {
    const { cache, answer, advance } = setup({ live });
    await answer('k', shopWeek, { moving });
    advance(after);
    expect(cache.get('k') !== undefined).toBe(kept);
  });

  it('drops an entry at its validUntil (the set turns stale or its period ends), by the wall clock', async () => {
    const { clock, cache, answer, advance } = setup();
    await answer('k', shopWeek, { validUntil: clock.wall + 60_000 });
    advance(59_999);
    expect(cache.get('k')).toBe('k#1');
    advance(1);
    expect(cache.get('k')).toBeUndefined();
    // Already past it: served, not stored.
    await answer('late', shopWeek, { validUntil: clock.wall - 1 });
    expect(cache.get('late')).toBeUndefined();
    // The wall clock alone moving (the API's clock) ends it too.
    await answer('wall', shopWeek, { validUntil: clock.wall + 10 });
    clock.wall += 10;
    expect(cache.get('wall')).toBeUndefined();
  });

  it('forgets every entry when notifications go live or are lost (changes may have been missed)', async () => {
    const { changes, cache, answer } = setup({ live: false });
    await answer('before', shopWeek);
    changes.setExact(true);
    expect(cache.get('before')).toBeUndefined();
    await answer('while-live', shopWeek);
    expect(cache.get('while-live')).toBe('while-live#2');
    changes.setExact(false);
    expect(cache.get('while-live')).toBeUndefined();
    // A computation that spans a reconnect is not stored either.
    let release!: (v: { value: string }) => void;
    const spanning = cache.getOrCompute('span', shopWeek, () => new Promise((r) => (release = r)));
    changes.setExact(true);
    release({ value: 'x' });
    await spanning;
    expect(cache.get('span')).toBeUndefined();
  });

  it('stores nothing with a TTL of 0', async () => {
    const { cache, answer, computations } = setup({ ttlMs: 0, exactTtlMs: 0 });
    await answer('k', shopWeek);
    await answer('k', shopWeek);
    expect(computations()).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('keeps its weight bound, the oldest evicted first, and never stores one heavier than the bound', async () => {
    const { cache, answer } = setup({ maxWeight: 20 });
    await answer('aaaa', shopWeek); // "aaaa#1": 6
    await answer('bbbb', shopWeek); // 6
    await answer('cccc', shopWeek); // 6
    await answer('dddd', shopWeek); // 6: evicts aaaa
    expect(cache.weight).toBeLessThanOrEqual(20);
    expect(cache.get('aaaa')).toBeUndefined();
    expect(cache.get('dddd')).toBe('dddd#4');
    await answer('x'.repeat(30), shopWeek);
    expect(cache.get('x'.repeat(30))).toBeUndefined();
  });
});

describe('ForecastChangeLog', () => {
  it('forgets changes older than any entry that may still be served', () => {
    let now = 0;
    const log = new ForecastChangeLog({ now: () => now });
    log.retainFor(60_000);
    for (let i = 0; i < 1000; i++) {
      log.record([{ merchantId: `m${i}`, bucketType: 'WEEK' }]);
      now += 1000;
    }
    // 60 s of entries plus 30 s of computation: about 90 changes, not 1000.
    expect(log.size).toBeLessThanOrEqual(91);
    expect(log.size).toBeGreaterThanOrEqual(89);
  });
});

describe('decodeForecastChanges', () => {
  it.each([
    ['shop\tWEEK', [{ merchantId: 'shop', bucketType: 'WEEK' }]],
    ['shop\t*', [{ merchantId: 'shop', bucketType: '*' }]],
    [
      'a\tMONTH\nb\t*',
      [
        { merchantId: 'a', bucketType: 'MONTH' },
        { merchantId: 'b', bucketType: '*' },
      ],
    ],
    ['', []],
    ['shop', []],
    ['shop\tWEEK\textra', []],
  ])('%j', (payload, expected) => {
    expect(decodeForecastChanges(payload)).toEqual(expected);
  });
});
