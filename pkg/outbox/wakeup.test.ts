import { describe, expect, it } from 'vitest';
import { Wakeup } from './wakeup.js';

describe('Wakeup', () => {
  it('remembers a wake-up that came while nobody waited', async () => {
    const w = new Wakeup();
    w.wake();
    const t = performance.now();
    await w.wait(10_000, new AbortController().signal);
    expect(performance.now() - t).toBeLessThan(1_000);
  });

  it('wakes a waiter, and the next wait times out again', async () => {
    const w = new Wakeup();
    const waiting = w.wait(10_000, new AbortController().signal);
    w.wake();
    await waiting;
    const t = performance.now();
    await w.wait(30, new AbortController().signal);
    expect(performance.now() - t).toBeGreaterThanOrEqual(25);
  });

  it('returns on abort', async () => {
    const w = new Wakeup();
    const c = new AbortController();
    const waiting = w.wait(10_000, c.signal);
    c.abort();
    await waiting;
  });
});
