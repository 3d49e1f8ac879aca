import type { BucketType } from '../buckets/index.js';
import type { BacktestMetrics, ModelInfo } from '../forecast-engine/index.js';
import type { ForecastMerchant, StoredForecast } from '../forecast-job/index.js';
import { formatAmount } from '../money/index.js';
import type { ForecastRows } from './compute.js';
import { groupByCategory, inCatalogOrder, pickWinner, rankByForecast } from './ranking.js';
import type { CompareModelsBody, ModelsBody, TopForecastBody } from './api-schema.js';
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

/** The body of GET /forecast/compare-models: per category every model, in catalog order, and the winner. */
export function compareModelsBody(
  { merchant, labels, bucketType }: ViewContext,
  result: ForecastRows,
): CompareModelsBody {
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
      })),
    })),
  };
}

/** The body of GET /forecast/models. */
export function modelsBody(catalog: readonly ModelInfo[]): ModelsBody {
  return {
    models: catalog.map((m) => ({ name: m.name, version: m.modelVersion, description: m.description })),
  };
}
