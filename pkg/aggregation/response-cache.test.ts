import { describe, expect, it } from 'vitest';
import { EVERY_PERIOD } from '../events/index.js';
import { ResponseCache, type AnswerScope, type ComputedAnswer } from './response-cache.js';

const value = (text: string) => ({ text, etag: `"${text}"` });
const answer = (text: string, moving = false): ComputedAnswer => ({ value: value(text), moving });
const scope = (merchantId: string, ...bucketStarts: string[]): AnswerScope => ({
  merchantId,
  bucketType: 'DAY',
  bucketStarts: bucketStarts.length > 0 ? bucketStarts : ['2026-01-10'],
});
const changed = (merchantId: string, bucketStart = '2026-01-10', bucketType = 'DAY') => ({
  merchantId,
  bucketType,
  bucketStart,
});

function cache(ttlMs = 100, maxEntries = 3, exactTtlMs = 1000) {
  let t = 0;
  const c = new ResponseCache({ ttlMs, exactTtlMs, maxEntries, now: () => t });
  return { c, advance: (ms: number) => (t += ms) };
}

/** Deterministic letters and digits that do not compress much. */
function noise(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = 12345;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

const store = async (c: ResponseCache, key: string, s: AnswerScope, a: ComputedAnswer) =>
  c.getOrCompute(key, s, () => Promise.resolve(a));

// The cache's own behaviour (epochs, single-flight, lifetimes, bounds) is tested once, in
// pkg/cache/exact-cache.test.ts; these test what ResponseCache adds: periods, deflated bodies, validForMs.
describe('ResponseCache', () => {
  it('reports every getOrCompute lookup as a hit or a miss (the bench hit ratio)', async () => {
    const seen: boolean[] = [];
    const c = new ResponseCache({ ttlMs: 100, now: () => 0, onLookup: (hit) => seen.push(hit) });
    const compute = () => Promise.resolve(answer('a'));
    await c.getOrCompute('k', scope('m1'), compute);
    await c.getOrCompute('k', scope('m1'), compute);
    c.invalidate([changed('m1')]);
    await c.getOrCompute('k', scope('m1'), compute);
    expect(seen).toEqual([false, true, false]);
  });

  it('serves a hit with exactly the stored body and ETag (kept deflated), any characters', async () => {
    const { c } = cache();
    const text = JSON.stringify({ name: 'Schuhe – Größe 42 ✓ 靴', total: '12.34' });
    await store(c, 'k', scope('m1'), { value: { text, etag: '"e1"' }, moving: false });
    expect(c.get('k')).toEqual({ text, etag: '"e1"' });
  });

  it('serves a closed period for the long TTL while notifications are live, a moving answer for the short one', async () => {
    const { c, advance } = cache();
    c.setExact(true);
    await store(c, 'closed', scope('m1'), answer('a'));
    await store(c, 'moving', scope('m1', '2026-01-11'), answer('b', true));
    advance(500);
    expect(c.get('closed')?.text).toBe('a');
    expect(c.get('moving')).toBeUndefined();
    advance(500);
    expect(c.get('closed')).toBeUndefined();
  });

  it('drops exactly the answers showing a changed period: same merchant, type and start', async () => {
    const { c } = cache(100, 10);
    c.setExact(true);
    await store(c, 'jan10', scope('m1', '2026-01-10', '2026-01-09'), answer('a'));
    await store(c, 'jan11', scope('m1', '2026-01-11', '2026-01-10'), answer('b'));
    await store(c, 'jan12', scope('m1', '2026-01-12', '2026-01-11'), answer('c'));
    await store(c, 'other', scope('m2', '2026-01-10'), answer('d'));
    await store(
      c,
      'week',
      { merchantId: 'm1', bucketType: 'WEEK', bucketStarts: ['2026-01-10'] },
      answer('e'),
    );
    c.invalidate([changed('m1', '2026-01-10')]);
    // The day itself and the day whose comparison shows it; not the next day, merchant or type.
    expect(c.get('jan10')).toBeUndefined();
    expect(c.get('jan11')).toBeUndefined();
    expect(c.get('jan12')?.text).toBe('c');
    expect(c.get('other')?.text).toBe('d');
    expect(c.get('week')?.text).toBe('e');
  });

  it('drops every answer of a merchant when a change names all its periods (catalog or calendar)', async () => {
    const { c } = cache(100, 10);
    c.setExact(true);
    await store(c, 'day', scope('m1', '2025-03-01'), answer('a'));
    await store(
      c,
      'year',
      { merchantId: 'm1', bucketType: 'YEAR', bucketStarts: ['2024-01-01'] },
      answer('b'),
    );
    await store(c, 'other', scope('m2', '2025-03-01'), answer('c'));
    c.invalidate([{ merchantId: 'm1', bucketType: EVERY_PERIOD, bucketStart: EVERY_PERIOD }]);
    expect(c.get('day')).toBeUndefined();
    expect(c.get('year')).toBeUndefined();
    expect(c.get('other')?.text).toBe('c');
  });

  it('keeps an answer no longer than it says it stays right by the clock alone', async () => {
    const { c, advance } = cache(100, 10, 1000);
    c.setExact(true);
    await store(c, 'short', scope('m1'), { ...answer('a'), validForMs: 300 });
    await store(c, 'long', scope('m2'), { ...answer('b'), validForMs: 5000 });
    await store(c, 'none', scope('m3'), { ...answer('c'), validForMs: 0 });
    expect(c.get('none')).toBeUndefined();
    advance(299);
    expect(c.get('short')?.text).toBe('a');
    advance(1);
    expect(c.get('short')).toBeUndefined();
    advance(699);
    expect(c.get('long')?.text).toBe('b'); // capped by the exact TTL, not longer
    advance(1);
    expect(c.get('long')).toBeUndefined();
  });

  it('bounds only the long lifetime by validForMs: an answer kept the short TTL is kept that long', async () => {
    const { c, advance } = cache(100, 10, 1000);
    // A pending merchant's answer says 0 ms and moves; it still spares the queries of the next 100 ms.
    await store(c, 'not-live', scope('m1'), { ...answer('a'), validForMs: 0 });
    expect(c.get('not-live')?.text).toBe('a');
    c.setExact(true);
    await store(c, 'moving', scope('m2'), { ...answer('b', true), validForMs: 0 });
    advance(99);
    expect(c.get('moving')?.text).toBe('b');
    advance(1);
    expect(c.get('moving')).toBeUndefined();
  });

  it('does not store an answer the computation marks as not the key’s', async () => {
    const { c } = cache();
    await store(c, 'k', scope('m1'), { ...answer('a'), store: false });
    expect(c.get('k')).toBeUndefined();
  });

  it('keeps the change log bounded to what can still invalidate an entry', () => {
    const { c, advance } = cache(100, 3, 1000);
    for (let i = 0; i < 100; i++) {
      c.invalidate([changed(`m${i}`)]);
      advance(1000);
    }
    expect(c.changeLogSize).toBeLessThan(40);
  });

  it('evicts the oldest answers beyond maxBytes, however few entries that is', async () => {
    const c = new ResponseCache({
      ttlMs: 100,
      exactTtlMs: 1000,
      maxEntries: 100,
      maxBytes: 25_000,
      now: () => 0,
    });
    // Entries are kept deflated: random letters, which deflate keeps at ~3/4 of their length.
    const big = (tag: string): ComputedAnswer => ({
      value: { text: tag + noise(13_000), etag: `"${tag}"` },
      moving: false,
    });
    await store(c, 'a', scope('m'), big('a'));
    await store(c, 'b', scope('m'), big('b'));
    await store(c, 'small', scope('m'), answer('s'));
    await store(c, 'c', scope('m'), big('c')); // ~30 KB packed with a and b: a goes
    expect(c.get('a')).toBeUndefined();
    expect([c.get('b')?.text[0], c.get('small')?.text, c.get('c')?.text[0]]).toEqual(['b', 's', 'c']);
    // An answer larger than the whole bound is served but not kept.
    const huge = await store(c, 'huge', scope('m'), {
      value: { text: noise(40_000), etag: '"h"' },
      moving: false,
    });
    expect(huge.text.length).toBe(40_000);
    expect(c.get('huge')).toBeUndefined();
  });

  it.each([0, -1])('refuses ttlMs %d', (ttlMs) => {
    expect(() => new ResponseCache({ ttlMs })).toThrow(/ttlMs/);
  });
});
