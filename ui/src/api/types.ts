/**
 * Response shapes of the catcast HTTP APIs the UI reads (the contracts in docs and the brief).
 * Money arrives as decimal strings (with `...Minor` integer strings); instants as ISO strings.
 */

/** Bucket granularity as the APIs spell it. */
export type BucketType = 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';
/** Week-start policy as the APIs spell it. */
export type WeekStart = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

/** A merchant with its calendar. GET /api/merchants, GET /api/merchants/{id}. */
export interface Merchant {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly currency: string;
}

/** GET /api/merchants. */
export interface MerchantList {
  readonly merchants: readonly Merchant[];
}

/** How current the aggregates are. */
export interface Freshness {
  readonly lastAppliedAt: string | null;
  readonly lagSeconds: number | null;
  readonly stale: boolean;
}

/** GET /api/merchants/{id}: the merchant plus its aggregation state. */
export interface MerchantDetail extends Merchant {
  readonly eventsApplied?: string;
  readonly currentBuckets?: Partial<Record<BucketType, string>>;
  readonly asOf?: string | null;
  readonly freshness?: Freshness;
}

/** One ranked category of a period. */
export interface TopCategory {
  readonly rank: number;
  readonly categoryId: string;
  readonly name: string;
  readonly parentCategoryId: string | null;
  readonly parentName?: string | null;
  readonly total: string;
  readonly totalMinor: string;
  readonly orderCount: number;
  readonly itemCount: number;
  /** Fraction of the period's total (0..1). */
  readonly share: number;
  readonly previousTotal: string;
  readonly previousTotalMinor: string;
}

/** GET /api/top-categories. */
export interface TopCategories {
  readonly merchantId: string;
  readonly currency: string;
  readonly bucketType: BucketType;
  readonly bucketStart: string;
  readonly bucketEnd: string;
  readonly periodTotal?: string;
  readonly previousPeriodTotal?: string;
  /** What previousPeriodTotal is: the whole previous bucket, or (bucket in progress) its same elapsed part. */
  readonly comparison?: {
    readonly kind: 'like_for_like' | 'full_period';
    readonly asOfLocal: string | null;
    readonly previousToLocal: string;
  };
  readonly categoryCount?: number;
  readonly asOf: string | null;
  readonly freshness: Freshness;
  readonly categories: readonly TopCategory[];
}

/** One category's totals per bucket (aligned with `buckets`). */
export interface CategorySeries {
  readonly categoryId: string;
  readonly name: string;
  /** Decimal strings aligned with the response's `buckets`. */
  readonly totals?: readonly string[];
  /** Per-bucket points (the aggregator's richer form of `totals`). */
  readonly points?: readonly { readonly bucketStart: string; readonly total: string }[];
}

/** GET /api/category-sales. */
export interface CategorySales {
  readonly merchantId: string;
  readonly currency: string;
  readonly bucketType: BucketType;
  readonly buckets: readonly string[];
  readonly series: readonly CategorySeries[];
}

/** Backtest accuracy of a model on a category (fractions; null when unknown). */
export interface ForecastMetrics {
  readonly mase: number | null;
  readonly wape: number | null;
  readonly smape: number | null;
  readonly coverage80?: number | null;
  readonly coverage95?: number | null;
  readonly ratioToSeasonalNaive?: number | null;
}

/** A decimal string or a number (both appear while the forecast API settles). */
export type Amount = string | number;

/** One category of the next-period ranking. */
export interface ForecastCategory {
  readonly rank: number;
  readonly categoryId: string;
  readonly name: string;
  readonly parentCategoryId: string | null;
  readonly forecast: Amount;
  readonly forecastMinor?: string;
  readonly lo80: Amount;
  readonly hi80: Amount;
  readonly lo95: Amount;
  readonly hi95: Amount;
  /** The model that was asked for ("auto" for the automatic choice). */
  readonly model: string;
  readonly modelVersion: string;
  /** The model whose numbers these are (auto's pick, or the simpler model after a fallback). */
  readonly effectiveModel?: string;
  readonly fallbackFrom?: string | null;
  readonly fallbackReason?: string | null;
  readonly metrics: ForecastMetrics | null;
}

/** Where a forecast came from. */
export type ForecastSource = 'precomputed' | 'on_demand';

/** One category of GET /forecast/nowcast: sold so far, and where the period is heading. */
export interface NowcastCategory {
  readonly categoryId: string;
  readonly soFar: string;
  /** soFar + the forecast's share of the period still to come; null without a forecast or a share. */
  readonly nowcast: string | null;
  readonly lo80: string | null;
  readonly hi80: string | null;
}

/** GET /forecast/nowcast: the period in progress. */
export interface Nowcast {
  readonly bucketStart: string;
  readonly model: string;
  readonly categories: readonly NowcastCategory[];
}

/** GET /forecast/top-categories. */
export interface ForecastTop {
  readonly merchantId: string;
  readonly currency: string;
  readonly bucketType: BucketType;
  readonly targetBucketStart: string;
  readonly targetBucketEnd?: string;
  readonly model: string;
  readonly source: ForecastSource;
  readonly generatedAt: string | null;
  readonly runId: string | null;
  readonly stale: boolean;
  readonly reason?: string | null;
  readonly categories: readonly ForecastCategory[];
}

/** One model's forecast of one category in the comparison. */
export interface ModelForecast {
  readonly model: string;
  readonly modelVersion: string;
  readonly forecast: Amount;
  readonly lo80: Amount;
  readonly hi80: Amount;
  readonly lo95: Amount;
  readonly hi95: Amount;
  readonly metrics: ForecastMetrics | null;
  readonly ratioToSeasonalNaive?: number | null;
  /** Accuracy per step h = 1..H of the precomputed path, when the set holds one for this model. */
  readonly horizons?: readonly HorizonAccuracy[] | null;
}

/** Out-of-sample accuracy of the h-step-ahead forecast. */
export interface HorizonAccuracy {
  readonly step: number;
  readonly wape: number | null;
  readonly maeMinor: number | null;
  readonly errors: number;
}

/** One step of a forecast path. */
export interface PathStep {
  readonly step: number;
  readonly bucketStart: string;
  readonly forecast: Amount;
  readonly lo80: Amount;
  readonly hi80: Amount;
  readonly lo95: Amount;
  readonly hi95: Amount;
  readonly accuracy: HorizonAccuracy;
}

/** GET /forecast/category-path: the next H buckets of one category (its whole subtree when it has children). */
export interface CategoryPath {
  readonly merchantId: string;
  readonly currency: string;
  readonly bucketType: BucketType;
  readonly categoryId: string;
  readonly name: string;
  readonly children: readonly string[];
  readonly model: string;
  readonly horizon: number;
  readonly targetBucketStart: string;
  readonly source: ForecastSource;
  readonly reason?: string | null;
  readonly steps: readonly PathStep[];
}

/** One category in the comparison. */
export interface CompareCategory {
  readonly categoryId: string;
  readonly name: string;
  readonly winner: string | null;
  readonly models: readonly ModelForecast[];
}

/** GET /forecast/compare-models. */
export interface CompareModels {
  readonly merchantId: string;
  readonly currency: string;
  readonly bucketType: BucketType;
  readonly targetBucketStart: string;
  readonly generatedAt: string | null;
  readonly source: ForecastSource;
  readonly stale?: boolean;
  readonly reason?: string | null;
  readonly categories: readonly CompareCategory[];
}

/** GET /forecast/models. */
export interface ModelCatalog {
  readonly models: readonly {
    readonly name: string;
    readonly version: string;
    readonly description: string;
  }[];
}
