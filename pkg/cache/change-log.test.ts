import { describe, expect, it } from 'vitest';
import { ChangeLog, MAX_COMPUTE_MS } from './change-log.js';

describe('ChangeLog', () => {
  it('keeps an entry current until one of its keys changes after the epoch it was computed from', () => {
    const log = new ChangeLog({ now: () => 0 });
    const before = log.epoch;
    log.record(['a']);
    const after = log.epoch;
    expect(log.isCurrent(before, ['a', 'b'])).toBe(false);
    expect(log.isCurrent(before, ['b'])).toBe(true);
    expect(log.isCurrent(after, ['a', 'b'])).toBe(true);
  });

  it.each([
    ['unchanged key', 'b', 1, true],
    ['key changed after the epoch', 'a', 1, false],
    ['key changed at the epoch', 'a', 2, true],
    ['unchanged key, epoch before notifications went live', 'b', 0, false],
    ['changed key, epoch before notifications went live', 'a', 0, false],
  ])('isKeyCurrent agrees with isCurrent of one key: %s', (_name, key, epoch, current) => {
    const log = new ChangeLog({ now: () => 0 });
    log.setExact(true); // epoch 1: entries of epoch 0 are invalid
    log.record(['a']); // epoch 2
    expect(log.isKeyCurrent(epoch, key)).toBe(current);
    expect(log.isCurrent(epoch, [key])).toBe(current);
  });

  it('invalidates every earlier entry when notifications go live or are lost', () => {
    const log = new ChangeLog({ now: () => 0 });
    const e0 = log.epoch;
    log.setExact(true);
    expect(log.exact).toBe(true);
    expect(log.isCurrent(e0, [])).toBe(false);
    const e1 = log.epoch;
    log.setExact(true); // no change of state: nothing forgotten
    expect(log.isCurrent(e1, [])).toBe(true);
    log.setExact(false);
    expect(log.isCurrent(e1, [])).toBe(false);
  });

  it('remembers a change only as long as an entry computed before it may be served', () => {
    let t = 0;
    const log = new ChangeLog({ now: () => t });
    log.retainFor(1_000);
    for (let i = 0; i < 100; i++) {
      log.record([`k${i}`]);
      t += 1_000;
    }
    // Kept: the changes of the last 1,000 ms + MAX_COMPUTE_MS.
    expect(log.size).toBe((1_000 + MAX_COMPUTE_MS) / 1_000 + 1);
  });
});
