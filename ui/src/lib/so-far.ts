/** What each category has sold so far of a period in progress (pure: tested without a browser). */
import type { TopCategories } from '../api/types.js';

/**
 * A lookup of a period's sales by category from its /api/top-categories answer, when that answer is
 * for `bucketStart`: the total of a listed category; "0" for one not listed when the answer lists
 * every category that sold in the period (`categoryCount`); undefined (unknown) otherwise.
 */
export function soFarLookup(
  top: TopCategories | undefined,
  bucketStart: string | undefined,
): ((categoryId: string) => string | undefined) | undefined {
  if (!top || bucketStart === undefined || top.bucketStart !== bucketStart) return undefined;
  const totals = new Map(top.categories.map((c) => [c.categoryId, c.total]));
  const complete = top.categoryCount !== undefined && top.categories.length >= top.categoryCount;
  return (categoryId) => totals.get(categoryId) ?? (complete ? '0' : undefined);
}
