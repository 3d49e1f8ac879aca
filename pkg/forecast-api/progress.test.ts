import { describe, expect, it } from 'vitest';
import { periodPoint } from './progress.js';

const utc = { id: 'm', currency: 'EUR', timezone: 'UTC', weekStart: 'MONDAY' } as const;

describe('periodPoint', () => {
  it('places now in its week with 8 recent weeks and the week 52 weeks back, each cut after as many days', () => {
    const p = periodPoint(new Date('2026-11-25T18:00:00Z'), 'WEEK', utc);
    expect(p).toMatchObject({
      bucketStart: '2026-11-23',
      bucketEnd: '2026-11-30',
      days: 2,
      dayFraction: 0.75,
      asOfLocal: '2026-11-25T18:00',
    });
    expect(p.references).toHaveLength(9);
    expect(p.references[0]).toEqual({
      kind: 'recent',
      start: '2026-11-16',
      end: '2026-11-23',
      cut: '2026-11-18',
    });
    expect(p.references[7]).toEqual({
      kind: 'recent',
      start: '2026-09-28',
      end: '2026-10-05',
      cut: '2026-09-30',
    });
    expect(p.references[8]).toEqual({
      kind: 'lastYear',
      start: '2025-11-24',
      end: '2025-12-01',
      cut: '2025-11-26',
    });
  });

  it('uses the merchant’s timezone and week start', () => {
    // 23:30 UTC on Saturday is 08:30 on Sunday in Tokyo: day 0 of a Sunday week.
    const p = periodPoint(new Date('2026-11-28T23:30:00Z'), 'WEEK', {
      ...utc,
      timezone: 'Asia/Tokyo',
      weekStart: 'SUNDAY',
    });
    expect(p).toMatchObject({ bucketStart: '2026-11-29', days: 0, asOfLocal: '2026-11-29T08:30' });
    expect(p.dayFraction).toBeCloseTo(510 / 1440, 12);
  });

  it('counts a shorter reference month whole once now is past its length', () => {
    const p = periodPoint(new Date('2026-03-31T12:00:00Z'), 'MONTH', utc);
    expect(p).toMatchObject({ bucketStart: '2026-03-01', bucketEnd: '2026-04-01', days: 30 });
    // February 2026 has 28 days: cut at its end, so all of it counts.
    expect(p.references[0]).toEqual({
      kind: 'recent',
      start: '2026-02-01',
      end: '2026-03-01',
      cut: '2026-03-01',
    });
    expect(p.references[1]).toEqual({
      kind: 'recent',
      start: '2026-01-01',
      end: '2026-02-01',
      cut: '2026-01-31',
    });
    expect(p.references).toHaveLength(13);
    expect(p.references[12]).toMatchObject({ kind: 'lastYear', start: '2025-03-01', cut: '2025-03-31' });
  });

  it('takes three recent years and the previous year for YEAR', () => {
    const p = periodPoint(new Date('2026-02-10T00:00:00Z'), 'YEAR', utc);
    expect(p).toMatchObject({ bucketStart: '2026-01-01', bucketEnd: '2027-01-01', days: 40, dayFraction: 0 });
    expect(p.references.map((r) => `${r.kind} ${r.start} ${r.cut}`)).toEqual([
      'recent 2025-01-01 2025-02-10',
      'recent 2024-01-01 2024-02-10',
      'recent 2023-01-01 2023-02-10',
      'lastYear 2025-01-01 2025-02-10',
    ]);
  });
});
