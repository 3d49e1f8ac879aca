import { MODEL_NAMES } from '../forecast-engine/index.js';

/** What ranking needs of a forecast row. */
export interface RankedRow {
  readonly categoryId: string;
  readonly forecastMinor: bigint;
}

/** What winner selection needs of a forecast row. */
export interface ScoredRow {
  readonly model: string;
  readonly metrics: { readonly mase: number | null; readonly wape: number | null } | null;
}

/**
 * The `limit` categories with the highest point forecast, highest first; equal forecasts in
 * category id order, so the ranking is the same on every request.
 */
export function rankByForecast<R extends RankedRow>(rows: readonly R[], limit: number): R[] {
  return [...rows]
    .sort((a, b) =>
      a.forecastMinor !== b.forecastMinor
        ? a.forecastMinor > b.forecastMinor
          ? -1
          : 1
        : a.categoryId < b.categoryId
          ? -1
          : a.categoryId > b.categoryId
            ? 1
            : 0,
    )
    .slice(0, limit);
}

const CATALOG_ORDER = new Map<string, number>(MODEL_NAMES.map((m, i) => [m, i]));

/** One category's rows in the model catalog's order (MODEL_NAMES); unknown models last. */
export function inCatalogOrder<R extends { readonly model: string }>(rows: readonly R[]): R[] {
  const rank = (r: R) => CATALOG_ORDER.get(r.model) ?? MODEL_NAMES.length;
  return [...rows].sort((a, b) => rank(a) - rank(b));
}

/**
 * The model with the lowest backtest MASE, WAPE where MASE is undefined (a series whose
 * seasonal-naive scale is 0); `auto` is a selection among the others, so it never wins. Null when
 * no model has a score. On a tie the model first in catalog order wins.
 */
export function pickWinner(rows: readonly ScoredRow[]): string | null {
  let winner: string | null = null;
  let best = Infinity;
  for (const r of inCatalogOrder(rows)) {
    const score = r.metrics?.mase ?? r.metrics?.wape ?? null;
    if (r.model !== 'auto' && score !== null && score < best) {
      best = score;
      winner = r.model;
    }
  }
  return winner;
}

/** Rows grouped by category, categories in the order they first appear. */
export function groupByCategory<R extends { readonly categoryId: string }>(
  rows: readonly R[],
): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const group = groups.get(r.categoryId);
    if (group) group.push(r);
    else groups.set(r.categoryId, [r]);
  }
  return groups;
}
