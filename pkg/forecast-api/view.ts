import type { BucketType } from '../buckets/index.js';
import { elapsedShare, nowcast, type BacktestMetrics, type ModelInfo } from '../forecast-engine/index.js';
import type { ForecastMerchant, StoredForecast, StoredPathStep } from '../forecast-job/index.js';
import { formatAmount } from '../money/index.js';
import type { ForecastRows, PathRows } from './compute.js';
import { groupByCategory, inCatalogOrder, pickWinner, rankByForecast } from './ranking.js';
import type {
  CategoryPathBody,
  CompareModelsBody,
  ModelsBody,
  NowcastBody,
  TopForecastBody,
} from './api-schema.js';
import type { PeriodPoint, PeriodProgress } from './progress.js';
import type { CategoryLabel } from './store.js';

/** The point forecast and its 80/95% interval as decimals of the merchant currency. */
export function intervalView(r: StoredForecast, currency: string) {
  const money = (v: bigint) => formatAmount(v, currency);
  return {
    forecast: money(r.forecastMinor),
    forecastMinor: r.forecastMinor.toString(),
    lo80: money(r.lo80Minor),
    hi80: money(r.hi80Minor),
    lo95: money(r.lo95Minor),
    hi95: money(r.hi95Minor),
  };
}

/** The metrics block of the API: backtest accuracy and the ratio to seasonal naive. */
export function metricsView(m: BacktestMetrics | null) {
  return m
    ? {
        mase: m.mase,
        wape: m.wape,
        smape: m.smape,
        coverage80: m.coverage80,
        coverage95: m.coverage95,
        ratioToSeasonalNaive: m.maseRatioToSeasonalNaive,
        wapeRatioToSeasonalNaive: m.wapeRatioToSeasonalNaive,
        origins: m.origins,
      }
    : null;
}

/** What a response is about: the merchant, its categories' names and the bucket type asked for. */
export interface ViewContext {
  readonly merchant: ForecastMerchant;
  readonly labels: ReadonlyMap<string, CategoryLabel>;
  readonly bucketType: BucketType;
}

/** The body of GET /forecast/top-categories: the `limit` highest forecasts of `model`, ranked. */
export function topCategoriesBody(
  { merchant, labels, bucketType }: ViewContext,
  result: ForecastRows,
  model: string,
  limit: number,
): TopForecastBody {
  return {
    merchantId: merchant.id,
    currency: merchant.currency,
    bucketType: bucketType as TopForecastBody['bucketType'],
    targetBucketStart: result.targetBucketStart,
    model,
    source: result.source,
    generatedAt: result.generatedAt.toISOString(),
    runId: result.runId,
    lookback: result.lookback,
    stale: result.stale,
    reason: result.reason,
    categories: rankByForecast(result.rows, limit).map((r, i) => ({
      rank: i + 1,
      categoryId: r.categoryId,
      name: labels.get(r.categoryId)?.name ?? r.categoryId,
      parentCategoryId: labels.get(r.categoryId)?.parentCategoryId ?? null,
      ...intervalView(r, merchant.currency),
      model: r.model,
      modelVersion: r.modelVersion,
      effectiveModel: r.effectiveModel,
      fallbackFrom: r.fallbackFrom,
      fallbackReason: r.fallbackReason,
      historyLength: r.historyLength,
      metrics: metricsView(r.metrics),
    })),
  };
}

/** The accuracy of one path step. */
function accuracyView(s: StoredPathStep) {
  return { step: s.step, wape: s.wape, maeMinor: s.mae, errors: s.errors };
}

/**
 * The body of GET /forecast/compare-models: per category every model, in catalog order, and the
 * winner; `paths` (the set's path steps) add each model's accuracy per horizon.
 */
export function compareModelsBody(
  { merchant, labels, bucketType }: ViewContext,
  result: ForecastRows,
  paths: readonly StoredPathStep[] = [],
): CompareModelsBody {
  const horizons = new Map<string, StoredPathStep[]>();
  for (const s of paths) {
    const key = `${s.categoryId}\u0000${s.model}`;
    let list = horizons.get(key);
    if (!list) horizons.set(key, (list = []));
    list.push(s);
  }
  return {
    merchantId: merchant.id,
    currency: merchant.currency,
    bucketType: bucketType as CompareModelsBody['bucketType'],
    targetBucketStart: result.targetBucketStart,
    source: result.source,
    generatedAt: result.generatedAt.toISOString(),
    stale: result.stale,
    reason: result.reason,
    categories: [...groupByCategory(result.rows)].map(([categoryId, rows]) => ({
      categoryId,
      name: labels.get(categoryId)?.name ?? categoryId,
      winner: pickWinner(rows),
      models: inCatalogOrder(rows).map((r) => ({
        model: r.model,
        modelVersion: r.modelVersion,
        effectiveModel: r.effectiveModel,
        ...intervalView(r, merchant.currency),
        fallbackFrom: r.fallbackFrom,
        metrics: metricsView(r.metrics),
        ratioToSeasonalNaive: r.metrics?.maseRatioToSeasonalNaive ?? null,
        horizons: horizons.get(`${categoryId}\u0000${r.model}`)?.map(accuracyView) ?? null,
      })),
    })),
  };
}

/** The body of GET /forecast/category-path: one category's path, step by step, in the merchant currency. */
export function categoryPathBody(
  { merchant, labels, bucketType }: ViewContext,
  categoryId: string,
  model: string,
  result: PathRows,
): CategoryPathBody {
  const money = (v: bigint) => formatAmount(v, merchant.currency);
  const children = [...labels]
    .filter(([, l]) => l.parentCategoryId === categoryId)
    .map(([id]) => id)
    .sort();
  return {
    merchantId: merchant.id,
    currency: merchant.currency,
    bucketType: bucketType as CategoryPathBody['bucketType'],
    categoryId,
    name: labels.get(categoryId)?.name ?? categoryId,
    parentCategoryId: labels.get(categoryId)?.parentCategoryId ?? null,
    children,
    model,
    horizon: result.horizon,
    targetBucketStart: result.targetBucketStart,
    source: result.source,
    generatedAt: result.generatedAt.toISOString(),
    runId: result.runId,
    stale: result.stale,
    reason: result.reason,
    steps: result.steps.map((s) => ({
      step: s.step,
      bucketStart: s.bucketStart,
      forecast: money(s.forecastMinor),
      forecastMinor: s.forecastMinor.toString(),
      lo80: money(s.lo80Minor),
      hi80: money(s.hi80Minor),
      lo95: money(s.lo95Minor),
      hi95: money(s.hi95Minor),
      lo80Minor: s.lo80Minor.toString(),
      hi80Minor: s.hi80Minor.toString(),
      lo95Minor: s.lo95Minor.toString(),
      hi95Minor: s.hi95Minor.toString(),
      accuracy: accuracyView(s),
    })),
  };
}

/** The body of GET /forecast/models. */
export function modelsBody(catalog: readonly ModelInfo[]): ModelsBody {
  return {
    models: catalog.map((m) => ({ name: m.name, version: m.modelVersion, description: m.description })),
  };
}

/** How GET /forecast/nowcast computes its figures (in the answer, so a reader need not look it up). */
export const NOWCAST_METHOD =
  'nowcast = soFar + (1 − share) × forecast, where share is the part of a whole period usually sold by this point: the mean of the pooled share of the recent periods (8 weeks, 12 months, 3 years) and of the same period a year earlier, from their DAY aggregates; its interval is the forecast’s, narrowed by √(1 − share), widened by how much the recent periods’ shares varied, and never below soFar';

/**
 * The body of GET /forecast/nowcast: for the period in progress, each category's sales so far, the
 * forecast of `model` made for the period, the share of a period usually sold by now and the
 * nowcast (forecast-engine nowcast.ts), ranked by the nowcast (sales so far where there is none).
 */
export function nowcastBody(
  { merchant, labels, bucketType }: ViewContext,
  point: PeriodPoint,
  progress: PeriodProgress,
  result: ForecastRows,
  model: string,
  limit: number,
): NowcastBody {
  const money = (v: bigint) => formatAmount(v, merchant.currency);
  const minor = (x: number) => BigInt(Math.round(x));
  // Forecasts of another period (a set that ended) are not this period's.
  const forecasts = new Map(
    result.targetBucketStart === point.bucketStart ? result.rows.map((r) => [r.categoryId, r]) : [],
  );
  const ids = new Set([
    ...forecasts.keys(),
    ...[...progress.categories].filter(([, p]) => p.soFarMinor !== 0n).map(([id]) => id),
  ]);
  const rows = [...ids].map((categoryId) => {
    const p = progress.categories.get(categoryId);
    const soFar = p?.soFarMinor ?? 0n;
    const spread = p?.recentSpread ?? 0;
    const f = forecasts.get(categoryId);
    const share = p ? elapsedShare(p.recent, p.lastYear) : null;
    const n =
      f && share !== null
        ? nowcast(
            Number(soFar),
            share,
            {
              point: Number(f.forecastMinor),
              lo80: Number(f.lo80Minor),
              hi80: Number(f.hi80Minor),
              lo95: Number(f.lo95Minor),
              hi95: Number(f.hi95Minor),
            },
            spread,
          )
        : null;
    const point = n ? minor(n.point) : null;
    return { categoryId, soFar, f, share, spread, n, point, order: point ?? soFar };
  });
  rows.sort((a, b) =>
    a.order === b.order ? (a.categoryId < b.categoryId ? -1 : 1) : a.order > b.order ? -1 : 1,
  );
  return {
    merchantId: merchant.id,
    currency: merchant.currency,
    bucketType: bucketType as NowcastBody['bucketType'],
    bucketStart: point.bucketStart,
    bucketEnd: point.bucketEnd,
    asOfLocal: point.asOfLocal,
    elapsedDays: Math.round((point.days + point.dayFraction) * 100) / 100,
    asOf: progress.asOf?.toISOString() ?? null,
    model,
    source: result.source,
    generatedAt: result.generatedAt.toISOString(),
    stale: result.stale,
    reason: result.reason,
    method: NOWCAST_METHOD,
    categories: rows.slice(0, limit).map((r, i) => ({
      rank: i + 1,
      categoryId: r.categoryId,
      name: labels.get(r.categoryId)?.name ?? r.categoryId,
      parentCategoryId: labels.get(r.categoryId)?.parentCategoryId ?? null,
      soFar: money(r.soFar),
      soFarMinor: r.soFar.toString(),
      forecast: r.f ? money(r.f.forecastMinor) : null,
      forecastMinor: r.f ? r.f.forecastMinor.toString() : null,
      share: r.share === null ? null : Math.round(r.share * 10_000) / 10_000,
      shareSpread: r.share === null ? null : Math.round(r.spread * 10_000) / 10_000,
      nowcast: r.point === null ? null : money(r.point),
      nowcastMinor: r.point === null ? null : r.point.toString(),
      lo80: r.n ? money(minor(r.n.lo80)) : null,
      hi80: r.n ? money(minor(r.n.hi80)) : null,
      lo95: r.n ? money(minor(r.n.lo95)) : null,
      hi95: r.n ? money(minor(r.n.hi95)) : null,
    })),
  };
}
