/**
 * Multi-horizon paths of a merchant's categories, coherent with the catalog's hierarchy: a category
 * with child categories is forecast for its whole subtree (its own sales plus every descendant's), and
 * that path is reconciled bottom-up so that each step is exactly (in minor units) its own path's step
 * plus the sum of its children's. Pure: the job and forecast-api's on-demand path share it.
 */
import { formatDate, parseDate, shiftBucket, type BucketType } from '../buckets/index.js';
import { reconcileBottomUp, type ForecastPath, type PathStep } from '../forecast-engine/index.js';
import type { CategorySeries } from './series.js';

/** One category of the hierarchy that has sales in its subtree. */
export interface PathNode {
  readonly categoryId: string;
  /** Its own sales (null: none, only its descendants sell), right-aligned with `rollup`. */
  readonly own: number[] | null;
  /** Its own plus every descendant's sales, from the subtree's first sale to the last complete bucket. */
  readonly rollup: number[];
  /** Child categories that have sales in their subtree, sorted. */
  readonly children: readonly string[];
}

/**
 * The categories to forecast paths for: every category with sales and every ancestor of one, with
 * their rolled-up histories. `parents` maps a category to its parent (absent or null: a root).
 */
export function planPaths(
  series: readonly CategorySeries[],
  parents: ReadonlyMap<string, string | null>,
): Map<string, PathNode> {
  const len = Math.max(0, ...series.map((s) => s.values.length));
  const pad = (v: readonly number[]) => [...new Array<number>(len - v.length).fill(0), ...v];
  const own = new Map(series.map((s) => [s.categoryId, pad(s.values)]));
  const children = new Map<string, Set<string>>();
  const active = new Set<string>();
  for (const s of series) {
    let cur = s.categoryId;
    active.add(cur);
    // The catalog refuses cycles; the bound only guards against a corrupt one.
    for (let depth = 0; depth < 1000; depth++) {
      const parent = parents.get(cur) ?? null;
      if (parent === null || parent === cur) break;
      let set = children.get(parent);
      if (!set) children.set(parent, (set = new Set()));
      set.add(cur);
      if (active.has(parent)) break;
      active.add(parent);
      cur = parent;
    }
  }
  const rollups = new Map<string, number[]>();
  const rollup = (id: string, depth = 0): number[] => {
    const done = rollups.get(id);
    if (done) return done;
    const sum = (own.get(id) ?? new Array<number>(len).fill(0)).slice();
    if (depth < 1000)
      for (const c of children.get(id) ?? [])
        rollup(c, depth + 1).forEach((v, i) => (sum[i] = (sum[i] as number) + v));
    rollups.set(id, sum);
    return sum;
  };
  const nodes = new Map<string, PathNode>();
  for (const id of [...active].sort()) {
    const r = rollup(id);
    const first = r.findIndex((v) => v !== 0);
    if (first < 0) continue;
    const o = own.get(id);
    nodes.set(id, {
      categoryId: id,
      own: o ? o.slice(first) : null,
      rollup: r.slice(first),
      children: [...(children.get(id) ?? [])].sort(),
    });
  }
  return nodes;
}

/**
 * The date of a node's first rollup bucket (the engine's `start`, for calendar effects): every series
 * ends on the same last complete bucket, so the rollup's start is counted back from it.
 */
export function rollupStart(
  node: PathNode,
  series: readonly CategorySeries[],
  bucketType: BucketType,
): string | undefined {
  const any = series[0];
  const first = any ? parseDate(any.firstBucketStart) : null;
  if (!any || !first) return undefined;
  const last = shiftBucket(first, bucketType, any.values.length - 1);
  return formatDate(shiftBucket(last, bucketType, -(node.rollup.length - 1)));
}

/** A path with its points and bounds rounded to whole minor units (bounds never below 0). */
export function roundPath(p: ForecastPath): ForecastPath {
  const r = (v: number) => Math.max(0, Math.round(v));
  return {
    ...p,
    steps: p.steps.map((s) => ({
      ...s,
      point: r(s.point),
      lo80: r(s.lo80),
      hi80: r(s.hi80),
      lo95: r(s.lo95),
      hi95: r(s.hi95),
    })),
  };
}

/**
 * Coherent paths of one model: a leaf keeps its own path; a category with children gets its
 * subtree path reconciled bottom-up over its own path (when it sells itself) and its children's
 * coherent paths. Inputs are rounded to minor units first, so parent == own + sum of children holds
 * exactly per step. A category whose own, subtree or any descendant's path is missing is left out
 * (and so is every ancestor of it) rather than served incoherent.
 */
export function coherentPaths(
  nodes: ReadonlyMap<string, PathNode>,
  ownPaths: ReadonlyMap<string, ForecastPath>,
  rollupPaths: ReadonlyMap<string, ForecastPath>,
): Map<string, ForecastPath> {
  const out = new Map<string, ForecastPath>();
  const failed = new Set<string>();
  const visit = (id: string, depth: number): ForecastPath | undefined => {
    if (out.has(id)) return out.get(id);
    if (failed.has(id) || depth > 1000) return undefined;
    const node = nodes.get(id);
    let result: ForecastPath | undefined;
    if (node && node.children.length === 0) {
      const p = ownPaths.get(id);
      result = p && roundPath(p);
    } else if (node) {
      const kids = node.children.map((c) => visit(c, depth + 1));
      const own = node.own ? ownPaths.get(id) : undefined;
      const subtree = rollupPaths.get(id);
      if (subtree && kids.every((k) => k !== undefined) && (node.own === null || own)) {
        const parts = [...(own ? [roundPath(own)] : []), ...kids];
        result = reconcileBottomUp(roundPath(subtree), parts);
      }
    }
    if (result) out.set(id, result);
    else failed.add(id);
    return result;
  };
  for (const id of nodes.keys()) visit(id, 0);
  return out;
}

/** One stored step of a category's path, in minor units, with the bucket it forecasts. */
export interface StoredPathStep {
  readonly categoryId: string;
  readonly model: string;
  readonly modelVersion: string;
  readonly step: number;
  readonly bucketStart: string;
  readonly forecastMinor: bigint;
  readonly lo80Minor: bigint;
  readonly hi80Minor: bigint;
  readonly lo95Minor: bigint;
  readonly hi95Minor: bigint;
  readonly errors: number;
  readonly wape: number | null;
  readonly mae: number | null;
  readonly inputHash: string;
}

/** The bucket start of each step: step 1 is `targetBucketStart`. */
export function stepBucketStarts(
  targetBucketStart: string,
  bucketType: BucketType,
  horizon: number,
): string[] {
  const start = parseDate(targetBucketStart);
  if (!start) throw new RangeError(`bad bucket start ${targetBucketStart}`);
  return Array.from({ length: horizon }, (_, j) => formatDate(shiftBucket(start, bucketType, j)));
}

/** Converts a path to stored steps (minor units, rounded; never negative). */
export function toStoredPath(
  categoryId: string,
  p: ForecastPath,
  targetBucketStart: string,
): StoredPathStep[] {
  const starts = stepBucketStarts(targetBucketStart, p.bucketType, p.steps.length);
  const minor = (v: number) => BigInt(Math.max(0, Math.round(v)));
  return p.steps.map((s: PathStep, j) => ({
    categoryId,
    model: p.model,
    modelVersion: p.modelVersion,
    step: s.step,
    bucketStart: starts[j] as string,
    forecastMinor: minor(s.point),
    lo80Minor: minor(s.lo80),
    hi80Minor: minor(s.hi80),
    lo95Minor: minor(s.lo95),
    hi95Minor: minor(s.hi95),
    errors: s.errors,
    wape: s.wape,
    mae: s.mae,
    inputHash: p.inputHash,
  }));
}
