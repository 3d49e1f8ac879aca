/** Groups ranked leaf categories under their parent categories, summing in minor units. */
import { minorToDecimal } from './format.js';

/** The fields of a ranked category that grouping needs. */
export interface CategoryRow {
  readonly categoryId: string;
  readonly name: string;
  readonly parentCategoryId: string | null;
  /** Name of the parent category when the API sends it. */
  readonly parentName?: string | null | undefined;
  readonly total: string;
  readonly totalMinor: string;
  readonly previousTotalMinor: string;
  readonly share: number;
}

/** A parent category with the rows under it (a root category with sales of its own is its own group). */
export interface CategoryGroup<R extends CategoryRow> {
  readonly categoryId: string;
  readonly name: string;
  readonly totalMinor: bigint;
  readonly previousTotalMinor: bigint;
  /** Decimal strings with the currency's decimals. */
  readonly total: string;
  readonly previousTotal: string;
  readonly share: number;
  readonly children: readonly R[];
}

/** True when at least one row has a parent category, i.e. the catalog has a hierarchy to group by. */
export function hasHierarchy(rows: readonly CategoryRow[]): boolean {
  return rows.some((r) => r.parentCategoryId !== null);
}

/** "home_decor" -> "Home decor": a readable name for a parent the API did not name. */
export function humanizeId(id: string): string {
  const words = id.replace(/[._:-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Groups rows by parent, largest group first (ties by id); children keep their order. */
export function groupByParent<R extends CategoryRow>(
  rows: readonly R[],
  decimals: number,
): CategoryGroup<R>[] {
  const groups = new Map<string, { name: string | undefined; rows: R[] }>();
  for (const r of rows) {
    const key = r.parentCategoryId ?? r.categoryId;
    let g = groups.get(key);
    if (!g) {
      g = { name: undefined, rows: [] };
      groups.set(key, g);
    }
    g.rows.push(r);
    if (r.parentCategoryId === null) g.name = r.name;
    else if (r.parentName) g.name ??= r.parentName;
  }
  const out = [...groups.entries()].map(([categoryId, g]) => {
    let totalMinor = 0n;
    let previousTotalMinor = 0n;
    let share = 0;
    for (const r of g.rows) {
      totalMinor += BigInt(r.totalMinor);
      previousTotalMinor += BigInt(r.previousTotalMinor);
      share += r.share;
    }
    return {
      categoryId,
      name: g.name ?? humanizeId(categoryId),
      totalMinor,
      previousTotalMinor,
      total: minorToDecimal(totalMinor, decimals),
      previousTotal: minorToDecimal(previousTotalMinor, decimals),
      share,
      children: g.rows,
    };
  });
  out.sort((a, b) =>
    a.totalMinor === b.totalMinor
      ? a.categoryId < b.categoryId
        ? -1
        : 1
      : a.totalMinor > b.totalMinor
        ? -1
        : 1,
  );
  return out;
}
