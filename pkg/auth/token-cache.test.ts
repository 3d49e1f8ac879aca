import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './token-cache.js';

function cacheAt(
  start: number,
  options: { maxEntries?: number; maxAgeMs?: number; tolerance?: number } = {},
) {
  const clock = { t: start };
  const cache = new VerifiedTokenCache<string>({
    now: () => clock.t,
    clockToleranceSeconds: options.tolerance ?? 30,
    ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
    ...(options.maxAgeMs ? { maxAgeMs: options.maxAgeMs } : {}),
  });
  return { clock, cache };
}

const T0 = 1_800_000_000_000; // wall-clock ms
const expIn = (seconds: number) => T0 / 1000 + seconds;

describe('VerifiedTokenCache', () => {
  it.each([
    // [case, exp claim, ms after storing, expected]
    ['fresh token', expIn(3600), 1000, 'p'],
    ['just before exp + tolerance', expIn(10), 39_999, 'p'],
    ['at exp + tolerance', expIn(10), 40_000, undefined],
    ['long expired', expIn(10), 3_600_000, undefined],
    ['past maxAge although exp is far', expIn(3600), 60_000, undefined],
    ['no exp, within maxAge', undefined, 59_999, 'p'],
    ['no exp, past maxAge', undefined, 60_000, undefined],
  ])('%s', (_name, exp, later, expected) => {
    const { clock, cache } = cacheAt(T0);
    cache.set('tok', exp, 'p');
    clock.t += later;
    expect(cache.get('tok')).toBe(expected);
  });

  it('never stores a token that is already past exp + tolerance', () => {
    const { cache } = cacheAt(T0);
    cache.set('tok', expIn(-31), 'p');
    expect(cache.get('tok')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it.each([
    ['another signature', 'h.p.sig2'],
    ['another payload', 'h.q.sig'],
    ['a prefix', 'h.p.si'],
    ['a longer string', 'h.p.sigX'],
  ])('only the exact token string hits: %s does not', (_name, other) => {
    const { cache } = cacheAt(T0);
    cache.set('h.p.sig', expIn(3600), 'p');
    expect(cache.get('h.p.sig')).toBe('p');
    expect(cache.get(other)).toBeUndefined();
  });

  it.each([
    [4096, 'p'],
    [4097, undefined],
  ])('keeps a token of %i characters: %s', (length, expected) => {
    const { cache } = cacheAt(T0);
    const token = 't'.repeat(length);
    cache.set(token, expIn(3600), 'p');
    expect(cache.get(token)).toBe(expected);
  });

  it('holds at most maxEntries, dropping the oldest first', () => {
    const { cache } = cacheAt(T0, { maxEntries: 2 });
    cache.set('a', expIn(3600), 'A');
    cache.set('b', expIn(3600), 'B');
    cache.set('c', expIn(3600), 'C');
    expect(cache.size).toBe(2);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 'B', 'C']);
  });

  it.each([
    [{ maxEntries: 0 }, /maxEntries/],
    [{ maxAgeMs: -1 }, /maxAgeMs/],
  ])('refuses %o', (options, message) => {
    expect(() => new VerifiedTokenCache(options)).toThrow(message);
  });
});
