import { z } from 'zod';
import { platformId } from '../catalog/index.js';
import { MAX_HORIZON, MODEL_NAMES } from '../forecast-engine/index.js';
import {
  bearer,
  integerQuery,
  openApiDocument,
  problemResponses,
  type OpenApiDocument,
  type OpenApiRegistry,
} from '../http/index.js';

/** The bucket types a forecast is made for (a DAY forecast is not offered). */
export const FORECAST_BUCKETS = ['WEEK', 'MONTH', 'YEAR'] as const;

const ForecastBucket = z.enum(FORECAST_BUCKETS, { error: `must be one of ${FORECAST_BUCKETS.join(', ')}` });

/** Query of GET /forecast/top-categories. */
export const TopQuery = z.object({
  merchant_id: platformId,
  bucket_type: ForecastBucket,
  model: z
    .enum(MODEL_NAMES, { error: `must be one of ${MODEL_NAMES.join(', ')}` })
    .optional()
    .meta({ description: 'Model used for the ranking', example: 'auto' }),
  lookback: integerQuery(4, 1000).optional().meta({ description: 'Buckets of history to use' }),
  limit: integerQuery(1, 100).optional().meta({ description: 'Categories returned; default 10' }),
});

/** Query of GET /forecast/compare-models. */
export const CompareQuery = z.object({
  merchant_id: platformId,
  bucket_type: ForecastBucket,
  category_id: platformId.optional(),
});

/** Query of GET /forecast/category-path. */
export const PathQuery = z.object({
  merchant_id: platformId,
  bucket_type: ForecastBucket,
  category_id: platformId.meta({
    description: 'The category; a category with children gets the coherent path of its whole subtree',
  }),
  model: z
    .enum(MODEL_NAMES, { error: `must be one of ${MODEL_NAMES.join(', ')}` })
    .optional()
    .meta({ description: 'Model of the path; default auto', example: 'auto' }),
  horizon: integerQuery(1, MAX_HORIZON)
    .optional()
    .meta({ description: 'Steps; default the precomputed horizon (WEEK 13, MONTH 12, YEAR 3)' }),
});

/** Query of GET /forecast/nowcast. */
export const NowcastQuery = z.object({
  merchant_id: platformId,
  bucket_type: ForecastBucket,
  model: z
    .enum(MODEL_NAMES, { error: `must be one of ${MODEL_NAMES.join(', ')}` })
    .optional()
    .meta({ description: 'Model of the forecast the nowcast starts from; default auto', example: 'auto' }),
  limit: integerQuery(1, 100).optional().meta({ description: 'Categories returned; default 10' }),
});

/** Out-of-sample accuracy of the h-step-ahead forecast (rolling origins, parameters fitted before them). */
const HorizonAccuracy = z
  .object({
    step: z.number().int().meta({ description: '1 = the next bucket' }),
    wape: z.number().nullable().meta({ description: 'Sum |error| / sum |actual|; null without errors' }),
    maeMinor: z.number().nullable().meta({ description: 'Mean absolute error in minor units' }),
    errors: z.number().int().meta({ description: 'h-step errors behind it (0: one-step fallback)' }),
  })
  .meta({ id: 'HorizonAccuracy' });

/** Backtest accuracy of one model on one category (null when the history was too short). */
const BacktestMetrics = z
  .object({
    mase: z.number().nullable(),
    wape: z.number().nullable(),
    smape: z.number(),
    coverage80: z.number(),
    coverage95: z.number(),
    ratioToSeasonalNaive: z
      .number()
      .nullable()
      .meta({ description: 'MASE of this model / MASE of seasonal_naive' }),
    wapeRatioToSeasonalNaive: z.number().nullable(),
    origins: z.number().int(),
  })
  .nullable()
  .meta({ id: 'BacktestMetrics' });

/** The point forecast and its 80/95% interval, decimals of the merchant currency. */
const Interval = {
  forecast: z
    .string()
    .meta({ example: '1234.50', description: 'Point forecast, decimal in the merchant currency' }),
  forecastMinor: z.string().meta({ description: 'Point forecast in minor units' }),
  lo80: z.string(),
  hi80: z.string(),
  lo95: z.string(),
  hi95: z.string(),
};

const Source = z.enum(['precomputed', 'on_demand']);

const ForecastCategory = z
  .object({
    rank: z.number().int(),
    categoryId: z.string(),
    name: z.string(),
    parentCategoryId: z.string().nullable(),
    ...Interval,
    model: z.string(),
    modelVersion: z.string(),
    effectiveModel: z.string(),
    fallbackFrom: z.string().nullable(),
    fallbackReason: z.string().nullable(),
    historyLength: z.number().int(),
    metrics: BacktestMetrics,
  })
  .meta({ id: 'ForecastCategory' });

/** Body of a 200 from GET /forecast/top-categories. */
export const TopForecastResponse = z
  .object({
    merchantId: z.string(),
    currency: z.string(),
    bucketType: ForecastBucket,
    targetBucketStart: z.string(),
    model: z.string(),
    source: Source,
    generatedAt: z.string(),
    runId: z.string().nullable(),
    lookback: z.number().int(),
    stale: z.boolean(),
    reason: z.string().nullable(),
    categories: z.array(ForecastCategory),
  })
  .meta({ id: 'TopForecastResponse' });

const ComparedModel = z
  .object({
    model: z.string(),
    modelVersion: z.string(),
    effectiveModel: z.string(),
    ...Interval,
    fallbackFrom: z.string().nullable(),
    metrics: BacktestMetrics,
    ratioToSeasonalNaive: z.number().nullable(),
    horizons: z.array(HorizonAccuracy).nullable().meta({
      description:
        'Accuracy per step h = 1..H of the precomputed path (of the whole subtree for a category with children); null when the set holds no path of this model or the answer was computed on demand',
    }),
  })
  .meta({ id: 'ComparedModel' });

/** Body of a 200 from GET /forecast/compare-models. */
export const CompareModelsResponse = z
  .object({
    merchantId: z.string(),
    currency: z.string(),
    bucketType: ForecastBucket,
    targetBucketStart: z.string(),
    source: Source,
    generatedAt: z.string(),
    stale: z.boolean(),
    reason: z.string().nullable(),
    categories: z.array(
      z.object({
        categoryId: z.string(),
        name: z.string(),
        winner: z
          .string()
          .nullable()
          .meta({ description: 'Lowest backtest MASE, WAPE when MASE is undefined (auto excluded)' }),
        models: z.array(ComparedModel),
      }),
    ),
  })
  .meta({ id: 'CompareModelsResponse' });

/** One step of a path: the bucket, the point forecast and its 80/95% interval, and the step's accuracy. */
const PathStepView = z
  .object({
    step: z.number().int(),
    bucketStart: z.string().meta({ description: 'Start of the forecast bucket (merchant calendar)' }),
    ...Interval,
    lo80Minor: z.string(),
    hi80Minor: z.string(),
    lo95Minor: z.string(),
    hi95Minor: z.string(),
    accuracy: HorizonAccuracy,
  })
  .meta({ id: 'PathStep' });

/** Body of a 200 from GET /forecast/category-path. */
export const CategoryPathResponse = z
  .object({
    merchantId: z.string(),
    currency: z.string(),
    bucketType: ForecastBucket,
    categoryId: z.string(),
    name: z.string(),
    parentCategoryId: z.string().nullable(),
    children: z.array(z.string()).meta({
      description:
        'Child categories: the path is coherent, each step equals the category’s own sales forecast plus its children’s',
    }),
    model: z.string(),
    horizon: z.number().int(),
    targetBucketStart: z.string(),
    source: Source,
    generatedAt: z.string(),
    runId: z.string().nullable(),
    stale: z.boolean(),
    reason: z.string().nullable(),
    steps: z.array(PathStepView),
  })
  .meta({ id: 'CategoryPathResponse' });

const money = (description: string) => z.string().nullable().meta({ description });

/** One category of a nowcast: sold so far, the forecast made before the period, and the nowcast. */
const NowcastCategory = z
  .object({
    rank: z.number().int(),
    categoryId: z.string(),
    name: z.string(),
    parentCategoryId: z.string().nullable(),
    soFar: z.string().meta({ description: 'Sold so far this period, decimal in the merchant currency' }),
    soFarMinor: z.string(),
    forecast: money('The forecast of the whole period made before it began; null without one'),
    forecastMinor: z.string().nullable(),
    share: z.number().nullable().meta({
      description:
        'Share of a whole period usually sold by this point (mean of the recent periods’ and of the same period a year earlier); null when neither sold anything',
    }),
    shareSpread: z.number().nullable().meta({
      description:
        'Standard deviation of the recent periods’ own shares: how much the share varies; it widens the interval. Null without a share',
    }),
    nowcast: money(
      'Expected total of the period: soFar + (1 − share) × forecast; null without a forecast or a share',
    ),
    nowcastMinor: z.string().nullable(),
    lo80: z.string().nullable(),
    hi80: z.string().nullable(),
    lo95: z.string().nullable(),
    hi95: z.string().nullable(),
  })
  .meta({ id: 'NowcastCategory' });

/** Body of a 200 from GET /forecast/nowcast. */
export const NowcastResponse = z
  .object({
    merchantId: z.string(),
    currency: z.string(),
    bucketType: ForecastBucket,
    bucketStart: z.string().meta({ description: 'Start of the period in progress (merchant calendar)' }),
    bucketEnd: z.string().meta({ description: 'Start of the next period' }),
    asOfLocal: z
      .string()
      .meta({ description: 'The merchant’s local time the answer is for (YYYY-MM-DDTHH:MM)' }),
    elapsedDays: z.number().meta({ description: 'Local days elapsed since the period began (2 decimals)' }),
    asOf: z.string().nullable().meta({
      description:
        'Acceptance time of the newest order in the sums (the aggregation watermark); null before the first',
    }),
    model: z.string(),
    source: Source,
    generatedAt: z.string().meta({ description: 'When the forecast the nowcast starts from was made' }),
    stale: z.boolean(),
    reason: z.string().nullable(),
    method: z.string(),
    categories: z.array(NowcastCategory),
  })
  .meta({ id: 'NowcastResponse' });

/** Body of a 200 from GET /forecast/models. */
export const ModelsResponse = z.object({
  models: z.array(z.object({ name: z.string(), version: z.string(), description: z.string() })),
});

/** The response types, as the handlers build them. */
export type TopForecastBody = z.infer<typeof TopForecastResponse>;
export type CompareModelsBody = z.infer<typeof CompareModelsResponse>;
export type CategoryPathBody = z.infer<typeof CategoryPathResponse>;
export type ModelsBody = z.infer<typeof ModelsResponse>;
export type NowcastBody = z.infer<typeof NowcastResponse>;

const authProblems = { 401: 'Missing or invalid token', 403: 'Token lacks scope or merchant' };
const readProblems = problemResponses({
  400: 'Invalid parameter',
  ...authProblems,
  404: 'Unknown merchant',
  503: 'Database unavailable',
});

/** Registers the forecast routes with their parameters, shapes and scope. */
export function registerForecastRoutes(registry: OpenApiRegistry): void {
  const security = bearer('forecasts:read');
  registry.registerPath({
    method: 'get',
    path: '/forecast/top-categories',
    security,
    summary: 'Categories ranked by forecast sales of the next period',
    request: { query: TopQuery },
    responses: {
      200: {
        description: 'Ranked forecast',
        content: { 'application/json': { schema: TopForecastResponse } },
      },
      ...readProblems,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/forecast/compare-models',
    security,
    summary: 'Every model side by side with backtest metrics and the winner per category',
    request: { query: CompareQuery },
    responses: {
      200: {
        description: 'Model comparison',
        content: { 'application/json': { schema: CompareModelsResponse } },
      },
      ...readProblems,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/forecast/category-path',
    security,
    summary: 'The next H buckets of one category with 80/95% intervals per step, coherent with its children',
    request: { query: PathQuery },
    responses: {
      200: {
        description: 'Forecast path',
        content: { 'application/json': { schema: CategoryPathResponse } },
      },
      ...problemResponses({
        400: 'Invalid parameter',
        ...authProblems,
        404: 'Unknown merchant or category',
        503: 'Database unavailable',
      }),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/forecast/nowcast',
    security,
    summary:
      'The period in progress: what each category sold so far and its expected total (so far + the forecast’s share still to come), with 80/95% intervals',
    request: { query: NowcastQuery },
    responses: {
      200: { description: 'Nowcast', content: { 'application/json': { schema: NowcastResponse } } },
      ...readProblems,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/forecast/models',
    security,
    summary: 'The model catalog',
    responses: {
      200: { description: 'Models', content: { 'application/json': { schema: ModelsResponse } } },
      ...problemResponses(authProblems),
    },
  });
}

/** The forecast API's OpenAPI 3.1 document (served at GET /openapi.json). */
export function forecastOpenApi(): OpenApiDocument {
  return openApiDocument({
    title: 'catcast forecast API',
    description: 'Next-period and next-H-periods category forecasts and model comparison.',
    register: registerForecastRoutes,
  });
}
