import { z } from 'zod';
import { authEnv } from '../auth/index.js';
import { uiLoginEnv } from '../ui/index.js';
import { commonEnv, databaseEnv, parseEnv, port, positiveInt } from '../config/index.js';

const apiEnv = z.object({
  ...commonEnv,
  ...databaseEnv,
  ...authEnv,
  ...uiLoginEnv,
  /** HTTP port. @default 8090 */
  PORT: port(8090),
  /**
   * A precomputed forecast older than this is stale and the API computes on demand instead
   * (two job periods of the default hourly schedule). @default 7200
   */
  FORECAST_STALE_AFTER_SECONDS: positiveInt(7200),
  /** Seconds an on-demand result is reused for identical requests. @default 60 */
  FORECAST_ON_DEMAND_CACHE_SECONDS: positiveInt(60),
  /**
   * How long a rendered /forecast/top-categories or /forecast/compare-models response is reused from
   * memory, in ms, while the change notifications are not live (the listener is connecting or lost
   * its connection), and always for answers computed on demand (they move with the aggregates). See
   * FORECAST_RESPONSE_CACHE_EXACT_MS for answers from precomputed sets. 0 turns the cache off.
   * @default 1000
   */
  FORECAST_RESPONSE_CACHE_MS: z.coerce.number().int().min(0).default(1000),
  /**
   * How long a rendered answer from a precomputed set (and the merchant, category labels and set rows
   * it was built from) is kept at most, in ms, while forecast-api listens to the change notifications
   * of channel `catcast_forecasts_changed` (sent at commit by triggers whenever a forecast set, its
   * rows, the merchant or its categories change): such an answer is dropped as soon as a notification
   * names its merchant and bucket type, when its set turns stale (FORECAST_STALE_AFTER_SECONDS after
   * its checked_at) or when its target period ends, so this only bounds memory turnover. Answers
   * computed on demand, and every answer while the listener is not connected, keep
   * FORECAST_RESPONSE_CACHE_MS; so does a process reading from DATABASE_READ_URL (a replica may
   * replay a change after its notification arrived). The same bound holds what a nowcast's reference
   * periods sold (/forecast/nowcast), kept for the merchant's local day until a notification on
   * `catcast_aggregates_changed` names one of those periods (a late order, a repair); its sales so
   * far are read every time. Rendered answers are bounded to 8 MiB
   * (top-categories) and 16 MiB (compare-models). 0 uses FORECAST_RESPONSE_CACHE_MS for every answer.
   * @default 300000
   */
  FORECAST_RESPONSE_CACHE_EXACT_MS: z.coerce.number().int().min(0).default(300_000),
  /**
   * Forecast rows (one per category and model of a published set) kept in memory over all sets, so
   * a hot merchant's answer costs one statement (the latest-set pointer); the same number of path
   * steps for /forecast/category-path. About 1.7 KB of heap each: the default holds ~14 MB (plus as many path steps).
   * @default 8000
   */
  FORECAST_SET_CACHE_ROWS: positiveInt(8_000),
  /**
   * Most latest-set reads (the one statement most answers cost) that share one statement when they
   * reach the process in the same turn of the event loop; 1 (the default) sends each alone, as
   * AGGREGATION_API_READ_BATCH_MAX (which see for the measurements). @default 1
   */
  FORECAST_READ_BATCH_MAX: z.coerce.number().int().min(1).max(256).default(1),
  /**
   * With batching on: most latest-set statements in flight at once; reads arriving while all run
   * leave together as the next one. 0 = no limit. Keep it below DATABASE_POOL_MAX. @default 0
   */
  FORECAST_READ_CONCURRENCY: z.coerce.number().int().min(0).default(0),
  /** Cache-Control max-age of read responses. @default 15 */
  FORECAST_MAX_AGE_SECONDS: positiveInt(15),
  /** When set, /api/* is proxied to this aggregator URL so the UI can use one origin (development). @default unset */
  AGGREGATOR_URL: z.string().url().optional(),
});

/** Configuration of forecast-api. */
export type ForecastApiConfig = z.infer<typeof apiEnv>;

/** Parses forecast-api's environment. */
export function parseForecastApiConfig(env: Record<string, string | undefined>): ForecastApiConfig {
  return parseEnv(apiEnv, env);
}
