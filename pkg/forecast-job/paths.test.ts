import { describe, expect, it } from 'vitest';
import { forecastPath } from '../forecast-engine/index.js';
import { coherentPaths, planPaths, rollupStart, stepBucketStarts, toStoredPath } from './paths.js';
import type { CategorySeries } from './series.js';

const seasonal = (n: number, phase: number, level: number): number[] =>
  Array.from(
    { length: n },
    (_, t) => level + Math.round(level * 0.3 * Math.sin((2 * Math.PI * (t + phase)) / 12)) + ((t * 31) % 17),
  );
const cs = (categoryId: string, values: number[]): CategorySeries => ({
  categoryId,
  firstBucketStart: 'x',
  values,
});

// root (sells itself) -> mid (sells nothing itself) -> leaf-a, leaf-b; root -> leaf-c; lone has no parent.
const parents = new Map<string, string | null>([
  ['root', null],
  ['mid', 'root'],
  ['leaf-a', 'mid'],
  ['leaf-b', 'mid'],
  ['leaf-c', 'root'],
  ['lone', null],
  ['empty', 'root'],
]);
const series = [
  cs('leaf-a', seasonal(48, 0, 5_000)),
  cs('leaf-b', seasonal(30, 4, 2_000)),
  cs('leaf-c', seasonal(40, 7, 900)),
  cs('lone', seasonal(36, 2, 300)),
  cs('root', seasonal(24, 1, 100)),
];

describe('planPaths', () => {
  it('rolls every subtree up, right-aligned, and lists only children with sales', () => {
    const nodes = planPaths(series, parents);
    expect([...nodes.keys()]).toEqual(['leaf-a', 'leaf-b', 'leaf-c', 'lone', 'mid', 'root']);
    expect(nodes.get('root')!.children).toEqual(['leaf-c', 'mid']);
    expect(nodes.get('mid')!.children).toEqual(['leaf-a', 'leaf-b']);
    expect(nodes.get('mid')!.own).toBeNull();
    const a = series[0]!.values;
    const b = series[1]!.values;
    const mid = nodes.get('mid')!.rollup;
    expect(mid).toHaveLength(48);
    expect(mid[47]).toBe(a[47]! + b[29]!);
    expect(mid[0]).toBe(a[0]);
    const root = nodes.get('root')!;
    expect(root.rollup[47]).toBe(a[47]! + b[29]! + series[2]!.values[39]! + series[4]!.values[23]!);
    expect(root.own).toHaveLength(48);
    expect(nodes.get('lone')!.children).toEqual([]);
  });
});

describe('coherentPaths', () => {
  const H = 6;
  const nodes = planPaths(series, parents);
  const own = (model: 'auto' | 'seasonal_naive') =>
    new Map(
      series.map((s) => [s.categoryId, forecastPath({ bucketType: 'MONTH', values: s.values }, model, H)]),
    );
  const subtree = (model: 'auto' | 'seasonal_naive') =>
    new Map(
      [...nodes.values()]
        .filter((n) => n.children.length > 0)
        .map((n) => [n.categoryId, forecastPath({ bucketType: 'MONTH', values: n.rollup }, model, H)]),
    );

  it.each(['auto', 'seasonal_naive'] as const)(
    '%s: every parent step is exactly its own plus its children’s, in minor units',
    (model) => {
      const out = coherentPaths(nodes, own(model), subtree(model));
      expect([...out.keys()].sort()).toEqual(['leaf-a', 'leaf-b', 'leaf-c', 'lone', 'mid', 'root']);
      const stored = new Map([...out].map(([id, p]) => [id, toStoredPath(id, p, '2026-12-01')]));
      for (const [id, node] of nodes) {
        if (node.children.length === 0) continue;
        const steps = stored.get(id)!;
        expect(steps).toHaveLength(H);
        steps.forEach((s, j) => {
          let sum = 0n;
          for (const c of node.children) sum += stored.get(c)![j]!.forecastMinor;
          if (node.own) sum += toStoredPath(id, own(model).get(id)!, '2026-12-01')[j]!.forecastMinor;
          expect(s.forecastMinor, `${id} step ${j + 1}`).toBe(sum);
          expect(s.lo95Minor <= s.lo80Minor && s.lo80Minor <= s.forecastMinor).toBe(true);
          expect(s.forecastMinor <= s.hi80Minor && s.hi80Minor <= s.hi95Minor).toBe(true);
        });
      }
      // The subtree forecast alone is not coherent: reconciliation changed something.
      const raw = subtree(model).get('root')!;
      expect(
        raw.steps.some((s, j) => Math.round(s.point) !== Number(stored.get('root')![j]!.forecastMinor)),
      ).toBe(model === 'auto');
    },
  );

  it('is reproducible: the same input gives byte-identical stored paths and hashes', () => {
    // Bigints as strings: the bytes the job writes, per category, model and step.
    const bytes = () =>
      JSON.stringify(
        [...coherentPaths(nodes, own('auto'), subtree('auto'))].map(([id, p]) =>
          toStoredPath(id, p, '2026-12-01'),
        ),
        (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
      );
    expect(bytes()).toBe(bytes());
    // A parent's hash covers its children's: changing a leaf's history changes the root's hash.
    const changed = own('auto');
    changed.set(
      'leaf-a',
      forecastPath(
        { bucketType: 'MONTH', values: series[0]!.values.map((v, i) => (i === 47 ? v + 1 : v)) },
        'auto',
        H,
      ),
    );
    const root = coherentPaths(nodes, changed, subtree('auto')).get('root')!;
    expect(root.inputHash).not.toBe(
      coherentPaths(nodes, own('auto'), subtree('auto')).get('root')!.inputHash,
    );
  });

  it('leaves out a parent (and its ancestors) when a descendant has no path, never serving it incoherent', () => {
    const o = own('seasonal_naive');
    o.delete('leaf-b');
    const out = coherentPaths(nodes, o, subtree('seasonal_naive'));
    expect([...out.keys()].sort()).toEqual(['leaf-a', 'leaf-c', 'lone']);
  });
});

describe('rollupStart', () => {
  it("dates a rollup by counting back from the series' common last bucket", () => {
    // Both series end on the week of 2024-01-22; the child's sales start a week later than the parent's.
    const series: CategorySeries[] = [
      { categoryId: 'child', firstBucketStart: '2024-01-08', values: [1, 2, 3] },
      { categoryId: 'parent', firstBucketStart: '2024-01-01', values: [5, 0, 0, 4] },
    ];
    const nodes = planPaths(series, new Map([['child', 'parent']]));
    expect(rollupStart(nodes.get('parent')!, series, 'WEEK')).toBe('2024-01-01');
    expect(rollupStart(nodes.get('child')!, series, 'WEEK')).toBe('2024-01-08');
    expect(rollupStart(nodes.get('child')!, [], 'WEEK')).toBeUndefined();
  });
});

describe('stepBucketStarts', () => {
  it.each([
    ['WEEK', '2026-12-28', 3, ['2026-12-28', '2027-01-04', '2027-01-11']],
    ['MONTH', '2026-11-01', 3, ['2026-11-01', '2026-12-01', '2027-01-01']],
    ['YEAR', '2026-01-01', 2, ['2026-01-01', '2027-01-01']],
    ['DAY', '2026-02-28', 2, ['2026-02-28', '2026-03-01']],
  ] as const)('%s from %s', (bt, start, h, want) => {
    expect(stepBucketStarts(start, bt, h)).toEqual(want);
  });
});
