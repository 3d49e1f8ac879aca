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

  it('returns on abort, long before its timeout', async () => {
    const w = new Wakeup();
    const c = new AbortController();
    const waiting = w.wait(3_600_000, c.signal).then(() => 'returned');
    c.abort();
    // setImmediate runs after every pending promise callback: a wait that ignored the abort is still
    // pending then (its hour-long timer far away), one that honoured it has returned.
    const stillWaiting = new Promise((resolve) => setImmediate(() => resolve('still waiting')));
    expect(await Promise.race([waiting, stillWaiting])).toBe('returned');
  });

  it('returns at once when the signal is already aborted', async () => {
    const w = new Wakeup();
    const waiting = w.wait(3_600_000, AbortSignal.abort()).then(() => 'returned');
    const stillWaiting = new Promise((resolve) => setImmediate(() => resolve('still waiting')));
    expect(await Promise.race([waiting, stillWaiting])).toBe('returned');
  });
});
