import { describe, expect, it } from 'vitest';
import { AnswerCache, type AnswerScope } from './answer-cache.js';
import { ForecastChangeLog, decodeForecastChanges } from './changes.js';

/** A cache following live notifications, with a counter of computations. */
function setup() {
  const changes = new ForecastChangeLog({ now: () => 0 });
  changes.setExact(true);
  const cache = new AnswerCache<string>({ changes, ttlMs: 1000, exactTtlMs: 300_000, now: () => 0 });
  let computed = 0;
  const answer = (key: string, scope: AnswerScope) =>
    cache.getOrCompute(key, scope, () => {
      computed++;
      return Promise.resolve({ value: `${key}#${computed}` });
    });
  return { changes, cache, answer };
}

const shopWeek = { merchantId: 'shop', bucketType: 'WEEK' };
const shopMonth = { merchantId: 'shop', bucketType: 'MONTH' };
const otherWeek = { merchantId: 'other', bucketType: 'WEEK' };

// The cache's own behaviour (epochs, single-flight, lifetimes, bounds) is tested once, in
// pkg/cache/exact-cache.test.ts; these test what AnswerCache adds: a merchant's bucket types and
// catalog as dependencies, and Date.now as the default clock of validUntil.
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

  it('does not store a computation during which a change named its merchant and bucket type, or its catalog', async () => {
    const { changes, cache } = setup();
    let release!: (v: { value: string }) => void;
    const slow = cache.getOrCompute('k', shopWeek, () => new Promise((r) => (release = r)));
    changes.record([shopWeek]);
    release({ value: 'old' });
    expect(await slow).toBe('old'); // served to the request that started it
    expect(cache.get('k')).toBeUndefined();
    let release2!: (v: { value: string }) => void;
    const slow2 = cache.getOrCompute('k2', shopMonth, () => new Promise((r) => (release2 = r)));
    changes.record([{ merchantId: 'shop', bucketType: '*' }]);
    release2({ value: 'old' });
    await slow2;
    expect(cache.get('k2')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('ends an entry at its validUntil by Date.now unless told another clock (the API’s)', async () => {
    const { cache } = setup();
    const until = (value: string, validUntil: number) => () => Promise.resolve({ value, validUntil });
    await cache.getOrCompute('past', shopWeek, until('v', Date.now() - 1));
    expect(cache.get('past')).toBeUndefined();
    await cache.getOrCompute('ahead', shopWeek, until('v', Date.now() + 60_000));
    expect(cache.get('ahead')).toBe('v');
  });
});
