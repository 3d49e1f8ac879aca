import { describe, expect, it } from 'vitest';
import { ResponseCache } from './response-cache.js';

const value = (text: string) => ({ text, etag: `"${text}"` });

function cache(ttlMs = 100, maxEntries = 3) {
  let t = 0;
  const c = new ResponseCache({ ttlMs, maxEntries, now: () => t });
  return { c, advance: (ms: number) => (t += ms) };
}

describe('ResponseCache', () => {
  it('reports every getOrCompute lookup as a hit or a miss (the bench hit ratio)', async () => {
    const seen: boolean[] = [];
    const c = new ResponseCache({ ttlMs: 100, now: () => 0, onLookup: (hit) => seen.push(hit) });
    const compute = () => Promise.resolve(value('a'));
    await c.getOrCompute('k', 'm1', compute);
    await c.getOrCompute('k', 'm1', compute);
    c.invalidate(['m1']);
    await c.getOrCompute('k', 'm1', compute);
    expect(seen).toEqual([false, true, false]);
  });

  it('serves an entry until its TTL ends', () => {
    const { c, advance } = cache();
    c.set('k', 'm1', c.generation('m1'), value('a'));
    advance(99);
    expect(c.get('k')?.text).toBe('a');
    advance(1);
    expect(c.get('k')).toBeUndefined();
  });

  it('drops a merchant’s entries when its events were applied, and only that merchant’s', () => {
    const { c } = cache();
    c.set('k1', 'm1', c.generation('m1'), value('a'));
    c.set('k2', 'm2', c.generation('m2'), value('b'));
    c.invalidate(['m1']);
    expect(c.get('k1')).toBeUndefined();
    expect(c.get('k2')?.text).toBe('b');
  });

  it('does not store a response computed while an apply happened', () => {
    const { c } = cache();
    const before = c.generation('m1');
    c.invalidate(['m1']); // a batch committed while the query ran
    c.set('k', 'm1', before, value('old'));
    expect(c.get('k')).toBeUndefined();
    c.set('k', 'm1', c.generation('m1'), value('new'));
    expect(c.get('k')?.text).toBe('new');
  });

  it('evicts the oldest entry beyond maxEntries', () => {
    const { c } = cache(100, 2);
    c.set('a', 'm', 0, value('a'));
    c.set('b', 'm', 0, value('b'));
    c.set('c', 'm', 0, value('c'));
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')?.text).toBe('b');
    expect(c.get('c')?.text).toBe('c');
  });

  it('shares one computation among concurrent misses, but not across an apply', async () => {
    const { c } = cache();
    let calls = 0;
    let release: (v: { text: string; etag: string }) => void = () => undefined;
    const compute = () => {
      calls++;
      return new Promise<{ text: string; etag: string }>((r) => (release = r));
    };
    const a = c.getOrCompute('k', 'm1', compute);
    const b = c.getOrCompute('k', 'm1', compute);
    expect(calls).toBe(1);
    c.invalidate(['m1']);
    const first = release;
    const d = c.getOrCompute('k', 'm1', compute);
    expect(calls).toBe(2);
    first(value('old'));
    release(value('new'));
    expect((await a).text).toBe('old');
    expect((await b).text).toBe('old');
    expect((await d).text).toBe('new');
    expect(c.get('k')?.text).toBe('new');
  });

  it('lets a failed computation fail every waiter, then computes again', async () => {
    const { c } = cache();
    await expect(c.getOrCompute('k', 'm1', () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    expect((await c.getOrCompute('k', 'm1', () => Promise.resolve(value('ok')))).text).toBe('ok');
  });

  it.each([0, -1])('refuses ttlMs %d', (ttlMs) => {
    expect(() => new ResponseCache({ ttlMs })).toThrow(/ttlMs/);
  });
});
