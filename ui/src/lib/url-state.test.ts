import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, formatViewState, parseViewState, takeToken, type ViewState } from './url-state.js';

describe('parseViewState', () => {
  it.each<[string, Partial<ViewState>]>([
    ['', {}],
    ['?tf=month&period=2026-11-01', { tf: 'month', period: '2026-11-01' }],
    [
      '?merchant=sim-toys&model=holt_winters_additive',
      { merchant: 'sim-toys', model: 'holt_winters_additive' },
    ],
    ['?view=compare&category=toys.puzzles', { view: 'compare', category: 'toys.puzzles' }],
    ['?group=1', { group: true }],
    // Bad values fall back to the defaults instead of breaking the page.
    ['?tf=decade&period=2026-02-30&model=DROP%20TABLE&merchant=%3Cscript%3E&view=x', {}],
  ])('%s', (search, expected) => {
    expect(parseViewState(search)).toEqual({
      ...DEFAULT_STATE,
      merchant: undefined,
      period: undefined,
      category: undefined,
      ...expected,
    });
  });
});

describe('formatViewState', () => {
  it('omits defaults', () => {
    expect(formatViewState(DEFAULT_STATE)).toBe('');
  });

  it.each<ViewState>([
    { ...DEFAULT_STATE, merchant: 'sim-toys', tf: 'year', period: '2025-01-01' },
    {
      ...DEFAULT_STATE,
      merchant: 'm:1',
      view: 'compare',
      category: 'garden.tools',
      model: 'theta',
      group: true,
    },
    { ...DEFAULT_STATE, tf: 'day', period: '2026-11-16' },
  ])('round-trips %j', (state) => {
    expect(parseViewState(formatViewState(state))).toEqual({
      category: undefined,
      merchant: undefined,
      period: undefined,
      ...state,
    });
  });

  it('writes keys in a fixed order', () => {
    expect(
      formatViewState({
        merchant: 'a',
        tf: 'month',
        period: '2026-11-01',
        model: 'ets',
        category: 'c',
        view: 'compare',
        group: false,
      }),
    ).toBe('?merchant=a&view=compare&tf=month&period=2026-11-01&model=ets&category=c');
  });
});

describe('takeToken', () => {
  it.each([
    ['?token=abc.def.ghi&tf=month', 'abc.def.ghi', '?tf=month'],
    ['?token=abc', 'abc', ''],
    ['?token=&tf=year', undefined, '?tf=year'],
    ['?tf=year', undefined, '?tf=year'],
  ])('%s', (search, token, rest) => {
    expect(takeToken(search)).toEqual({ token, search: rest });
  });
});
