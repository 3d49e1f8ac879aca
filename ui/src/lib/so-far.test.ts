import { describe, expect, it } from 'vitest';
import type { Nowcast, TopCategories, TopCategory } from '../api/types.js';
import { headingLookup, soFarLookup } from './so-far.js';

const category = (categoryId: string, total: string): TopCategory => ({
  rank: 1,
  categoryId,
  name: categoryId,
  parentCategoryId: null,
  total,
  totalMinor: total,
  orderCount: 1,
  itemCount: 1,
  share: 0.5,
  previousTotal: '0',
  previousTotalMinor: '0',
});

const top = (categories: TopCategory[], categoryCount?: number): TopCategories => ({
  merchantId: 'm',
  currency: 'USD',
  bucketType: 'WEEK',
  bucketStart: '2026-12-06',
  bucketEnd: '2026-12-12',
  ...(categoryCount === undefined ? {} : { categoryCount }),
  asOf: null,
  freshness: { lastAppliedAt: null, lagSeconds: null, stale: false },
  categories,
});

describe('soFarLookup', () => {
  it('gives the totals of the period asked for, and 0 for an unlisted category when the list is complete', () => {
    const look = soFarLookup(top([category('a', '12.50'), category('b', '3.00')], 2), '2026-12-06')!;
    expect(look('a')).toBe('12.50');
    expect(look('b')).toBe('3.00');
    expect(look('c')).toBe('0');
  });

  it('does not guess for an unlisted category when the answer was cut by its limit', () => {
    const look = soFarLookup(top([category('a', '12.50')], 40), '2026-12-06')!;
    expect(look('a')).toBe('12.50');
    expect(look('c')).toBeUndefined();
    expect(soFarLookup(top([category('a', '1')]), '2026-12-06')!('c')).toBeUndefined();
  });

  it('has nothing for another period, or without an answer', () => {
    expect(soFarLookup(top([category('a', '1')], 1), '2026-11-29')).toBeUndefined();
    expect(soFarLookup(undefined, '2026-12-06')).toBeUndefined();
    expect(soFarLookup(top([], 0), undefined)).toBeUndefined();
  });
});

describe('headingLookup', () => {
  const answer: Nowcast = {
    bucketStart: '2026-12-06',
    model: 'auto',
    categories: [
      { categoryId: 'a', soFar: '10.00', nowcast: '25.00', lo80: '20.00', hi80: '31.00' },
      { categoryId: 'b', soFar: '3.00', nowcast: null, lo80: null, hi80: null },
    ],
  };

  it('gives each category its nowcast and 80% range, none where the answer has none', () => {
    const heading = headingLookup(answer, '2026-12-06', 'auto')!;
    expect(heading('a')).toEqual({ nowcast: '25.00', lo80: '20.00', hi80: '31.00' });
    expect(heading('b')).toBeUndefined();
    expect(heading('c')).toBeUndefined();
  });

  it('is undefined for an answer about another period or another model, or none', () => {
    expect(headingLookup(answer, '2026-11-29', 'auto')).toBeUndefined();
    expect(headingLookup(answer, '2026-12-06', 'ets')).toBeUndefined();
    expect(headingLookup(undefined, '2026-12-06', 'auto')).toBeUndefined();
  });
});
