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
