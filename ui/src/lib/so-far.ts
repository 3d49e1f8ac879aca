/** What each category has sold so far of a period in progress (pure: tested without a browser). */
import type { Nowcast, TopCategories } from '../api/types.js';

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

/** Where one category of a period in progress is heading: the nowcast and its 80% range. */
export interface Heading {
  readonly nowcast: string;
  readonly lo80: string;
  readonly hi80: string;
}

/**
 * A lookup of each category's nowcast from a /forecast/nowcast answer, when that answer is for
 * `bucketStart` and `model` (the ranking's): undefined for a category without one.
 */
export function headingLookup(
  answer: Nowcast | undefined,
  bucketStart: string | undefined,
  model: string,
): ((categoryId: string) => Heading | undefined) | undefined {
  if (!answer || bucketStart === undefined || answer.bucketStart !== bucketStart || answer.model !== model)
    return undefined;
  const byId = new Map<string, Heading>();
  for (const c of answer.categories)
    if (c.nowcast !== null && c.lo80 !== null && c.hi80 !== null)
      byId.set(c.categoryId, { nowcast: c.nowcast, lo80: c.lo80, hi80: c.hi80 });
  return (categoryId) => byId.get(categoryId);
}
