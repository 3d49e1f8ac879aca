import { z } from 'zod';
import { BUCKET_TYPES, parseDate } from '../buckets/index.js';
import { PLATFORM_ID_PATTERN, platformIdRule } from '../catalog/index.js';
import {
  bearer,
  integerQuery,
  openApiDocument,
  problemResponses,
  type OpenApiDocument,
  type OpenApiRegistry,
} from '../http/index.js';

/** A merchant or category id as a query or path parameter. */
export const PLATFORM_ID = z.string({ error: 'is required' }).regex(PLATFORM_ID_PATTERN, platformIdRule());
const BUCKET_TYPE = z
  .enum(BUCKET_TYPES, { error: `must be one of ${BUCKET_TYPES.join(', ')}` })
  .meta({ example: 'WEEK' });
/** Calendar dates the read API accepts: 1900-01-01 to 9999-12-31, as YYYY-MM-DD. */
export const DATE_PATTERN = /^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const DATE = z
  .string()
  .refine(
    (s) => DATE_PATTERN.test(s) && parseDate(s) !== undefined,
    'must be a calendar date from 1900-01-01 to 9999-12-31 formatted YYYY-MM-DD',
  )
  // The document states both checks: the pattern, and `format: date` (a real calendar day).
  .meta({ format: 'date', pattern: DATE_PATTERN.source, example: '2026-11-16' })
  .optional();

/** Query of GET /api/top-categories. */
export const TopQuery = z.object({
  merchantId: PLATFORM_ID,
  bucketType: BUCKET_TYPE,
  bucketStart: DATE.meta({
    description: "Start of the bucket in the merchant's calendar; default: the current bucket",
  }),
  limit: integerQuery(1, 100).optional().meta({ description: 'Categories returned; default 10' }),
});

/** Query of GET /api/category-sales. */
export const SeriesQuery = z.object({
  merchantId: PLATFORM_ID,
  bucketType: BUCKET_TYPE,
  from: DATE.meta({ description: 'A date in the first bucket; default: 11 buckets before `to`' }),
  to: DATE.meta({ description: 'A date in the last bucket; default: the current bucket' }),
  categoryId: PLATFORM_ID.optional().meta({ description: 'Only this category' }),
});

const Freshness = z
  .object({
    asOf: z.string().nullable().meta({ description: "Creation time of the merchant's newest applied event" }),
    lastAppliedAt: z.string().nullable(),
    lagSeconds: z.number().nullable(),
    stale: z
      .boolean()
      .meta({ description: 'Orders accepted over staleAfterSeconds ago are not aggregated yet' }),
    staleAfterSeconds: z.number(),
  })
  .meta({ id: 'Freshness' });

const MerchantFields = {
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  weekStart: z.string(),
  currency: z.string(),
};
const money = (description: string) => ({
  decimal: z.string().meta({ description: `${description}, decimal string`, example: '1234.50' }),
  minor: z.string().meta({ description: `${description}, integer minor units`, example: '123450' }),
});
const total = money('Sales');

const TopCategories = z
  .object({
    merchantId: z.string(),
    currency: z.string(),
    timezone: z.string(),
    weekStart: z.string(),
    bucketType: BUCKET_TYPE,
    bucketStart: z.string(),
    bucketEnd: z.string().meta({ description: 'Exclusive end (start of the next bucket)' }),
    previousBucketStart: z.string(),
    limit: z.number().int(),
    periodTotal: total.decimal,
    periodTotalMinor: total.minor,
    previousPeriodTotal: z.string().meta({
      description:
        'The total compared with: the whole previous bucket for a closed bucket, the same elapsed part of it (to the same local time) for the bucket in progress; see comparison',
    }),
    previousPeriodTotalMinor: z.string(),
    previousFullPeriodTotal: z.string().meta({ description: 'The whole previous bucket' }),
    previousFullPeriodTotalMinor: z.string(),
    comparison: z
      .object({
        kind: z.enum(['like_for_like', 'full_period']),
        inProgress: z.boolean(),
        asOfLocal: z
          .string()
          .nullable()
          .meta({ description: 'Local wall time (merchant timezone) the bucket in progress is compared at' }),
        previousFromLocal: z.string(),
        previousToLocal: z
          .string()
          .meta({ description: 'Exclusive end of the compared part, local wall time' }),
        description: z.string(),
      })
      .meta({ description: 'What previousPeriodTotal, previousTotal and change compare with' }),
    categoryCount: z.number().int(),
    categories: z.array(
      z.object({
        rank: z.number().int(),
        categoryId: z.string(),
        name: z.string(),
        parentCategoryId: z.string().nullable(),
        total: total.decimal,
        totalMinor: total.minor,
        orderCount: z.number().int(),
        itemCount: z.number().int(),
        share: z.number().meta({ description: 'Share of the period total, 0..1' }),
        previousTotal: z.string(),
        previousTotalMinor: z.string(),
        change: z.number().nullable().meta({
          description: 'Relative change vs the compared part of the previous bucket (see comparison)',
        }),
      }),
    ),
    asOf: z.string().nullable(),
    freshness: Freshness,
  })
  .meta({ id: 'TopCategoriesResponse' });

const CategorySales = z
  .object({
    merchantId: z.string(),
    currency: z.string(),
    timezone: z.string(),
    weekStart: z.string(),
    bucketType: BUCKET_TYPE,
    from: z.string(),
    to: z.string(),
    buckets: z.array(z.string()).meta({ description: 'Bucket starts, oldest first' }),
    series: z.array(
      z.object({
        categoryId: z.string(),
        name: z.string(),
        parentCategoryId: z.string().nullable(),
        total: total.decimal,
        totalMinor: total.minor,
        points: z.array(
          z.object({
            bucketStart: z.string(),
            total: z.string(),
            totalMinor: z.string(),
            orderCount: z.number().int(),
            itemCount: z.number().int(),
          }),
        ),
      }),
    ),
    asOf: z.string().nullable(),
    freshness: Freshness,
  })
  .meta({ id: 'CategorySalesResponse' });

const MerchantList = z
  .object({ merchants: z.array(z.object(MerchantFields)) })
  .meta({ id: 'MerchantListResponse' });

const MerchantDetail = z
  .object({
    ...MerchantFields,
    eventsApplied: z.string(),
    currentBuckets: z
      .object({ DAY: z.string(), WEEK: z.string(), MONTH: z.string(), YEAR: z.string() })
      .meta({ description: 'Start of the current bucket of each type' }),
    asOf: z.string().nullable(),
    freshness: Freshness,
  })
  .meta({ id: 'MerchantResponse' });

const ok = <S extends z.ZodType>(schema: S, description: string) => ({
  description: `${description}; ETag + Cache-Control, 304 on a matching If-None-Match`,
  content: { 'application/json': { schema } },
});
const errors = (extra: Record<number, string>) =>
  problemResponses({
    400: 'A parameter does not match this document (`errors` names each)',
    401: 'Missing or invalid token',
    403: 'Token lacks sales:read or the merchant',
    404: 'Unknown merchant',
    ...extra,
    503: 'Database unavailable or query timed out (Retry-After)',
  });
const calendarErrors = {
  422:
    "Well-formed dates the merchant's calendar refuses: a bucketStart that does not start a bucket " +
    '(names the nearest valid one), from after to, or a range over 400 buckets',
};
const notModified = { 304: { description: 'Not modified (If-None-Match matched the ETag)' } };

/** Registers the aggregator's read routes with their parameters, shapes and scopes. */
export function registerAggregatorRoutes(registry: OpenApiRegistry): void {
  const security = bearer('sales:read');
  registry.registerPath({
    method: 'get',
    path: '/api/top-categories',
    tags: ['sales'],
    summary: 'Categories of one bucket ranked by sales, with share and change vs the previous bucket',
    security,
    request: { query: TopQuery },
    responses: {
      200: ok(TopCategories, 'Ranked categories'),
      ...notModified,
      ...errors({ 422: calendarErrors[422] }),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/category-sales',
    tags: ['sales'],
    summary: 'Sales per category and bucket over a range (at most 400 buckets)',
    security,
    request: { query: SeriesQuery },
    responses: {
      200: ok(CategorySales, 'One series per category, points aligned with buckets'),
      ...notModified,
      ...errors({ 404: 'Unknown merchant or category', 422: calendarErrors[422] }),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/merchants',
    tags: ['merchants'],
    summary: 'The merchants the token may read',
    security,
    responses: {
      200: ok(MerchantList, 'Merchants'),
      ...notModified,
      ...problemResponses({
        401: 'Missing or invalid token',
        403: 'Token lacks sales:read',
        503: 'Database unavailable (Retry-After)',
      }),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/merchants/{merchantId}',
    tags: ['merchants'],
    summary: 'One merchant: calendar, current buckets and freshness',
    security,
    request: { params: z.object({ merchantId: PLATFORM_ID }) },
    responses: { 200: ok(MerchantDetail, 'The merchant'), ...notModified, ...errors({}) },
  });
}

/** The aggregator's OpenAPI 3.1 document (served at GET /openapi.json). */
export function aggregatorOpenApi(): OpenApiDocument {
  return openApiDocument({
    title: 'catcast aggregator API',
    description: 'Top categories and category sales per merchant and bucket (port 8082).',
    register: registerAggregatorRoutes,
  });
}
