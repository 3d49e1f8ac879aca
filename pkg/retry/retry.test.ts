import { describe, expect, it } from 'vitest';
import { abortableSleep, backoffDelay } from './retry.js';

describe('backoffDelay', () => {
  it.each([
    [1, 0, 50],
    [1, 1, 100],
    [3, 1, 400],
    [20, 1, 1_000],
    [20, 0, 500],
    [0, 1, 100],
  ])('attempt %i with random %d => %i ms (initial 100, max 1000)', (attempt, r, expected) => {
    expect(backoffDelay(attempt, 100, 1_000, () => r)).toBe(expected);
  });
});

describe('abortableSleep', () => {
  it('resolves at once when the signal is already aborted, however long the sleep', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(abortableSleep(3_600_000, controller.signal)).resolves.toBeUndefined();
  });

  it('resolves when the signal aborts during the sleep and removes its listener', async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => (added++, add(...args))) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => (
      removed++,
      remove(...args)
    )) as typeof remove;
    const sleeping = abortableSleep(3_600_000, signal);
    controller.abort();
    await sleeping;
    expect([added, removed]).toEqual([1, 1]);
  });

  it('resolves after the time without a signal', async () => {
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });
});
