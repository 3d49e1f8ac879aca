import { describe, expect, it } from 'vitest';
import { ChangeLog } from '../cache/index.js';
import { periodPoint, type PeriodReferenceSums } from './progress.js';
import { PeriodReferenceCache, referenceChangeKeys } from './reference-cache.js';

const shop = { id: 'shop', currency: 'EUR', timezone: 'UTC', weekStart: 'MONDAY' } as const;
const WED_NOON = new Date('2026-11-25T12:00:00Z');

function setup(live = true) {
  let clock = 0;
  const changes = new ChangeLog({ now: () => clock });
  changes.setExact(live);
  const cache = new PeriodReferenceCache({ changes, ttlMs: 1000, exactTtlMs: 600_000, now: () => clock });
  let reads = 0;
  const point = (at = WED_NOON) => periodPoint(at, 'WEEK', shop);
  const get = (at?: Date) =>
    cache.get('shop', 'WEEK', point(at), (): Promise<PeriodReferenceSums> => {
      reads++;
      return Promise.resolve({ ranges: [], categories: new Map() });
    });
  const change = (bucketType: string, bucketStart: string, merchantId = 'shop') =>
    changes.record(referenceChangeKeys([{ merchantId, bucketType, bucketStart }]));
  return { get, change, reads: () => reads, tick: (ms: number) => (clock += ms) };
}

describe('PeriodReferenceCache', () => {
  it('keeps a point’s references for the day, whatever the time of day', async () => {
    const c = setup();
    await c.get();
    await c.get(new Date('2026-11-25T23:59:00Z'));
    expect(c.reads()).toBe(1);
    await c.get(new Date('2026-11-26T00:01:00Z')); // a new local day: other cut days
    expect(c.reads()).toBe(2);
  });

  it('keeps no key of a DAY period (its WEEK, MONTH and YEAR are named with it)', () => {
    expect(
      referenceChangeKeys([
        { merchantId: 'shop', bucketType: 'DAY', bucketStart: '2026-11-17' },
        { merchantId: 'shop', bucketType: 'WEEK', bucketStart: '2026-11-16' },
      ]),
    ).toEqual(['shop\u0000WEEK\u00002026-11-16']);
  });

  it('is not dropped by the writes of the week in progress or by DAY periods', async () => {
    const c = setup();
    await c.get();
    c.change('WEEK', '2026-11-23');
    c.change('MONTH', '2026-11-01');
    c.change('YEAR', '2026-01-01');
    c.change('DAY', '2026-11-17'); // a day of last week: its WEEK is named with it by every writer
    c.change('WEEK', '2026-11-16', 'other-shop');
    await c.get();
    expect(c.reads()).toBe(1);
  });

  it.each([
    ['a recent week', 'WEEK', '2026-11-16'],
    ['the eighth recent week', 'WEEK', '2026-09-28'],
    ['the week 52 weeks back', 'WEEK', '2025-11-24'],
    ['the merchant as a whole', '*', '*'],
  ])('is dropped by a change naming %s', async (_, type, start) => {
    const c = setup();
    await c.get();
    c.change(type, start);
    await c.get();
    expect(c.reads()).toBe(2);
  });

  it('keeps entries only the short TTL while notifications are not live', async () => {
    const c = setup(false);
    await c.get();
    c.tick(500);
    await c.get();
    expect(c.reads()).toBe(1);
    c.tick(600);
    await c.get();
    expect(c.reads()).toBe(2);
  });
});
