import { describe, expect, it } from 'vitest';
import { groupByParent, hasHierarchy, humanizeId, type CategoryRow } from './hierarchy.js';

function row(
  categoryId: string,
  parentCategoryId: string | null,
  totalMinor: number,
  prev = 0,
  share = 0,
): CategoryRow {
  return {
    categoryId,
    name: categoryId.toUpperCase(),
    parentCategoryId,
    total: (totalMinor / 100).toFixed(2),
    totalMinor: String(totalMinor),
    previousTotalMinor: String(prev),
    share,
  };
}

describe('groupByParent', () => {
  it('sums children in minor units and ranks groups by total', () => {
    const rows = [
      row('toys.lego', 'toys', 500, 100, 0.5),
      row('garden.tools', 'garden', 300, 0, 0.3),
      row('toys.puzzles', 'toys', 10, 20, 0.01),
      row('garden.seeds', 'garden', 250, 50, 0.19),
    ];
    const groups = groupByParent(rows, 2);
    expect(groups.map((g) => [g.categoryId, g.name, g.total, g.previousTotal, g.children.length])).toEqual([
      ['garden', 'Garden', '5.50', '0.50', 2],
      ['toys', 'Toys', '5.10', '1.20', 2],
    ]);
    expect(groups[0]!.share).toBeCloseTo(0.49);
  });

  it('uses a parent name from the API or from a root row with sales of its own', () => {
    const groups = groupByParent(
      [
        { ...row('toys.lego', 'toys', 5, 0), parentName: 'Toys & Games' },
        row('books', null, 9),
        row('books.kids', 'books', 1),
      ],
      2,
    );
    expect(groups.map((g) => [g.categoryId, g.name, g.children.map((c) => c.categoryId)])).toEqual([
      ['books', 'BOOKS', ['books', 'books.kids']],
      ['toys', 'Toys & Games', ['toys.lego']],
    ]);
  });

  it('breaks ties by id', () => {
    expect(groupByParent([row('b', null, 5), row('a', null, 5)], 0).map((g) => g.categoryId)).toEqual([
      'a',
      'b',
    ]);
  });
});

describe('hasHierarchy and humanizeId', () => {
  it('detects a hierarchy', () => {
    expect(hasHierarchy([row('a', null, 1)])).toBe(false);
    expect(hasHierarchy([row('a', null, 1), row('a.b', 'a', 1)])).toBe(true);
  });
  it.each([
    ['home_decor', 'Home decor'],
    ['garden', 'Garden'],
    ['a.b-c', 'A b c'],
  ])('%s -> %s', (id, name) => {
    expect(humanizeId(id)).toBe(name);
  });
});
