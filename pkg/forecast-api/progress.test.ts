import { describe, expect, it } from 'vitest';
import { periodPoint, periodProgress, referenceRanges } from './progress.js';

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

describe('referenceRanges', () => {
  it('reads a range that is both a recent year and last year once, as both', () => {
    const p = periodPoint(new Date('2026-02-10T00:00:00Z'), 'YEAR', utc);
    expect(referenceRanges(p).map((r) => `${r.kind} ${r.start}`)).toEqual([
      'both 2025-01-01',
      'recent 2024-01-01',
      'recent 2023-01-01',
    ]);
  });
});

describe('periodProgress', () => {
  const ranges = [
    { kind: 'both', start: '2025-01-01', end: '2026-01-01', cut: '2025-02-10' },
    { kind: 'recent', start: '2024-01-01', end: '2025-01-01', cut: '2024-02-10' },
    { kind: 'recent', start: '2023-01-01', end: '2024-01-01', cut: '2023-02-10' },
    { kind: 'lastYear', start: '2022-01-01', end: '2023-01-01', cut: '2022-02-10' },
  ] as const;
  const soFar = {
    asOf: new Date('2026-02-10T11:00:00Z'),
    categories: new Map([
      ['x', 70n],
      ['new', 5n],
    ]),
  };

  it('counts the days before the cut whole and the cut day by the part of today, per kind', () => {
    const references = {
      ranges,
      categories: new Map([
        [
          'x',
          [
            { before: 10, cutDay: 4, total: 100 },
            { before: 20, cutDay: 2, total: 100 },
            undefined, // sold nothing in 2023
            { before: 30, cutDay: 8, total: 200 },
          ],
        ],
      ]),
    };
    const p = periodProgress(soFar, references, 0.25);
    expect(p.asOf).toBe(soFar.asOf);
    const x = p.categories.get('x')!;
    expect(x.soFarMinor).toBe(70n);
    // 'both' counts in each kind; the range without sales in neither.
    expect(x.recent).toEqual({ elapsed: 11 + 20.5, total: 200 });
    expect(x.lastYear).toEqual({ elapsed: 11 + 32, total: 300 });
    // Sample standard deviation of the recent ranges' own shares: 0.11 and 0.205.
    expect(x.recentSpread).toBeCloseTo(Math.sqrt((0.205 - 0.11) ** 2 / 2), 12);
    // A category with sales so far and no history has no reference sums.
    expect(p.categories.get('new')).toEqual({
      soFarMinor: 5n,
      recent: { elapsed: 0, total: 0 },
      lastYear: { elapsed: 0, total: 0 },
      recentSpread: 0,
    });
  });

  it('leaves a recent range that sold nothing in all out of the spread, and reports categories without sales so far', () => {
    const references = {
      ranges,
      categories: new Map([
        [
          'old',
          [
            { before: 0, cutDay: 0, total: 0 },
            { before: 5, cutDay: 0, total: 10 },
            { before: 1, cutDay: 0, total: 10 },
            undefined,
          ],
        ],
      ]),
    };
    const old = periodProgress(soFar, references, 0.5).categories.get('old')!;
    expect(old.soFarMinor).toBe(0n);
    expect(old.recentSpread).toBeCloseTo(Math.sqrt((0.5 - 0.1) ** 2 / 2), 12);
  });
});
