/**
 * Public types of the forecasting engine: series in, results out. Everything here is plain data so
 * that it crosses worker-thread boundaries and can be stored as JSON.
 */

/** Bucket granularities the engine forecasts; the same names as pkg/buckets. */
export type BucketType = 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';

/** Every model the engine knows, in catalog order. */
export const MODEL_NAMES = [
  'naive',
  'seasonal_naive',
  'seasonal_growth',
  'window_average',
  'drift',
  'ses',
  'holt',
  'holt_winters_additive',
  'holt_winters_multiplicative',
  'ets',
  'theta',
  'croston_sba',
  'tsb',
  'linear_regression',
  'ensemble',
  'auto',
] as const;

/** A model name from {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** Models that fit on their own (everything except the selectors `ensemble` and `auto`). */
export type BaseModelName = Exclude<ModelName, 'ensemble' | 'auto'>;

/** A JSON value, used for model parameters. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One series: sales per bucket for one merchant x category x bucket type, oldest first, zero-filled. */
export interface SeriesInput {
  readonly bucketType: BucketType;
  /** Values per bucket (minor units as JS numbers), oldest first, gaps filled with 0. */
  readonly values: ArrayLike<number>;
  /**
   * Start date (YYYY-MM-DD) of the bucket of values[0], optional. With it, WEEK and DAY series get
   * calendar effects: holidays that move from year to year (Easter, US Thanksgiving and the days
   * after it, the Christmas run-up) are estimated and applied on the right bucket; the seasonal
   * baselines of WEEK series look back one calendar year (52 or 53 weeks) instead of 52 weeks; and
   * MONTH series get trading-day factors (month length, weekend days). It is part of the input hash
   * only when present.
   */
  readonly start?: string;
}

/** Options shared by every forecast call; defaults depend on the bucket type. */
export interface ForecastOptions {
  /**
   * Rolling-origin backtest origins (one step ahead) used for metrics, intervals and selection.
   * @default 26 for WEEK, 12 for MONTH, 28 for DAY, 3 for YEAR
   */
  readonly origins?: number;
  /**
   * How many of the most recent origins `auto` and `ensemble` rank candidates on.
   * @default the same as origins
   */
  readonly selectionOrigins?: number;
}

/** Backtest accuracy of one model on one series over its rolling origins. */
export interface BacktestMetrics {
  /** Number of one-step-ahead origins evaluated. */
  readonly origins: number;
  /** Mean absolute error. */
  readonly mae: number;
  /** Mean absolute scaled error (seasonal-naive in-sample scale, naive scale when too short); null when the scale is 0. */
  readonly mase: number | null;
  /** Sum |error| / sum |actual|; null when all actuals are 0. */
  readonly wape: number | null;
  /** Mean of 2|error| / (|actual| + |forecast|), 0 where both are 0 (range 0..2). */
  readonly smape: number;
  /** Share of actuals inside the 80% interval. */
  readonly coverage80: number;
  /** Share of actuals inside the 95% interval. */
  readonly coverage95: number;
  /** mase / mase of seasonal_naive on the same origins; null when either is undefined. */
  readonly maseRatioToSeasonalNaive: number | null;
  /** wape / wape of seasonal_naive on the same origins; null when either is undefined. */
  readonly wapeRatioToSeasonalNaive: number | null;
}

/** The forecast of the next bucket by one model for one series, ready to store. */
export interface ForecastResult {
  /** The model that was asked for (the storage key). */
  readonly model: ModelName;
  /** Semver of the requested model. */
  readonly modelVersion: string;
  /** The model whose numbers these are: the pick of `auto`, or the simpler model after a fallback. */
  readonly effectiveModel: ModelName;
  /** Semver of {@link effectiveModel}. */
  readonly effectiveModelVersion: string;
  /** Fitted parameters (JSON). */
  readonly params: { [key: string]: JsonValue };
  /** sha256 (hex) of the canonical input: series, bucket type, model, model version, options. */
  readonly inputHash: string;
  readonly bucketType: BucketType;
  /** Season length used (52, 12, 7 or 1 for none). */
  readonly seasonLength: number;
  /** Number of input values; the forecast is for the bucket at this index (the next one). */
  readonly historyLength: number;
  /** Point forecast for the next bucket, never negative. */
  readonly point: number;
  readonly lo80: number;
  readonly hi80: number;
  readonly lo95: number;
  readonly hi95: number;
  /** Backtest accuracy; null when the series is too short to backtest. */
  readonly metrics: BacktestMetrics | null;
  /** The model that could not be used, when a fallback happened. */
  readonly fallbackFrom: ModelName | null;
  /** Why the fallback happened. */
  readonly fallbackReason: string | null;
}

/** Catalog entry of one model, for `GET /forecast/models`. */
export interface ModelInfo {
  readonly name: ModelName;
  /** Semver; bumped whenever the model's output can change for the same input. */
  readonly modelVersion: string;
  readonly description: string;
}
