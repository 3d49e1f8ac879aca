import { describe, expect, it } from 'vitest';
import { ForecastChangeLog, decodeForecastChanges, type ForecastChange } from './changes.js';

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

describe('ForecastChangeLog', () => {
  it('forgets changes older than any entry that may still be served', () => {
    let now = 0;
    const log = new ForecastChangeLog({ now: () => now });
    log.retainFor(60_000);
    for (let i = 0; i < 1000; i++) {
      log.record([{ merchantId: `m${i}`, bucketType: 'WEEK' }]);
      now += 1000;
    }
    // 60 s of entries plus 30 s of computation: about 90 changes, not 1000.
    expect(log.size).toBeLessThanOrEqual(91);
    expect(log.size).toBeGreaterThanOrEqual(89);
  });
});

describe('decodeForecastChanges', () => {
  it.each([
    ['shop\tWEEK', [{ merchantId: 'shop', bucketType: 'WEEK' }]],
    ['shop\t*', [{ merchantId: 'shop', bucketType: '*' }]],
    [
      'a\tMONTH\nb\t*',
      [
        { merchantId: 'a', bucketType: 'MONTH' },
        { merchantId: 'b', bucketType: '*' },
      ],
    ],
    ['', []],
    ['shop', []],
    ['shop\tWEEK\textra', []],
  ])('%j', (payload, expected) => {
    expect(decodeForecastChanges(payload)).toEqual(expected);
  });
});
