import { describe, expect, it } from 'vitest';
import { groupByCategory, inCatalogOrder, pickWinner, rankByForecast } from './ranking.js';

const row = (categoryId: string, forecastMinor: bigint) => ({ categoryId, forecastMinor });
const scored = (model: string, mase: number | null, wape: number | null = null) => ({
  model,
  metrics: { mase, wape },
});

describe('rankByForecast', () => {
  it.each([
    ['highest forecast first', [row('a', 1n), row('b', 3n), row('c', 2n)], 10, ['b', 'c', 'a']],
    ['equal forecasts in category id order', [row('c', 5n), row('a', 5n), row('b', 5n)], 10, ['a', 'b', 'c']],
    ['cut to the limit after sorting', [row('a', 1n), row('b', 3n), row('c', 2n)], 2, ['b', 'c']],
    ['nothing to rank', [], 10, []],
    // Minor units beyond 2^53 compare exactly (bigint, never a float).
    [
      'beyond 2^53',
      [row('a', 9_007_199_254_740_993n), row('b', 9_007_199_254_740_992n), row('c', 9_007_199_254_740_994n)],
      3,
      ['c', 'a', 'b'],
    ],
    ['zero forecasts rank last', [row('z', 0n), row('y', 1n)], 10, ['y', 'z']],
  ])('%s', (_name, rows, limit, expected) => {
    expect(rankByForecast(rows, limit).map((r) => r.categoryId)).toEqual(expected);
  });

  it('leaves its input as it was', () => {
    const rows = [row('a', 1n), row('b', 2n)];
    rankByForecast(rows, 1);
    expect(rows.map((r) => r.categoryId)).toEqual(['a', 'b']);
  });
});

describe('pickWinner', () => {
  it.each([
    ['lowest MASE', [scored('naive', 1.2), scored('ses', 0.8), scored('holt', 0.9)], 'ses'],
    ['WAPE where MASE is undefined', [scored('naive', null, 0.4), scored('ses', null, 0.3)], 'ses'],
    ['auto never wins, even when lowest', [scored('auto', 0.1), scored('theta', 0.5)], 'theta'],
    ['a perfect score of 0 wins', [scored('naive', 0.5), scored('drift', 0)], 'drift'],
    ['on a tie, the model first in the catalog', [scored('theta', 0.7), scored('naive', 0.7)], 'naive'],
    ['no model has a score', [scored('naive', null), { model: 'ses', metrics: null }], null],
    ['only auto has a score', [scored('auto', 0.2), scored('naive', null)], null],
    ['no rows', [], null],
  ])('%s', (_name, rows, winner) => {
    expect(pickWinner(rows)).toBe(winner);
  });
});

describe('inCatalogOrder', () => {
  it('sorts by the model catalog, unknown models last', () => {
    const rows = [{ model: 'auto' }, { model: 'mystery' }, { model: 'ses' }, { model: 'naive' }];
    expect(inCatalogOrder(rows).map((r) => r.model)).toEqual(['naive', 'ses', 'auto', 'mystery']);
  });
});

describe('groupByCategory', () => {
  it('keeps the order in which categories first appear', () => {
    const groups = groupByCategory([
      { categoryId: 'b', n: 1 },
      { categoryId: 'a', n: 2 },
      { categoryId: 'b', n: 3 },
    ]);
    expect([...groups].map(([id, rows]) => [id, rows.map((r) => r.n)])).toEqual([
      ['b', [1, 3]],
      ['a', [2]],
    ]);
  });
});
