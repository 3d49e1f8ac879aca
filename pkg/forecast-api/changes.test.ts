import { describe, expect, it } from 'vitest';
import { ForecastChangeLog, type ForecastChange } from './changes.js';

describe('ForecastChangeLog.isCurrent', () => {
  const shopWeek = { merchantId: 'shop', bucketType: 'WEEK' };
  it.each<[string, ForecastChange[], string | undefined, boolean]>([
    ['nothing changed: a bucket type', [], 'WEEK', true],
    ['nothing changed: the catalog', [], undefined, true],
    ['its bucket type changed', [shopWeek], 'WEEK', false],
    ['another bucket type changed', [shopWeek], 'MONTH', true],
    ['a bucket type changed: the catalog stays', [shopWeek], undefined, true],
    ['the catalog changed: every bucket type', [{ merchantId: 'shop', bucketType: '*' }], 'MONTH', false],
    ['the catalog changed: the catalog', [{ merchantId: 'shop', bucketType: '*' }], undefined, false],
    ['another merchant changed', [{ merchantId: 'other', bucketType: '*' }], 'WEEK', true],
  ])('%s', (_name, changed, bucketType, current) => {
    const log = new ForecastChangeLog({ now: () => 0 });
    const epoch = log.epoch;
    log.record(changed);
    expect(log.isCurrent(epoch, { merchantId: 'shop', bucketType })).toBe(current);
    // Computed after the change: current whatever it named.
    expect(log.isCurrent(log.epoch, { merchantId: 'shop', bucketType })).toBe(true);
  });

  it('holds nothing computed before notifications went live or were lost', () => {
    const log = new ForecastChangeLog({ now: () => 0 });
    const epoch = log.epoch;
    log.setExact(true);
    expect(log.isCurrent(epoch, { merchantId: 'shop', bucketType: 'WEEK' })).toBe(false);
    expect(log.isCurrent(epoch, { merchantId: 'shop' })).toBe(false);
  });
});
