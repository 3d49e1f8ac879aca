/**
 * The typed client of the catcast APIs. Same-origin relative URLs (forecast-api serves the UI and
 * proxies /api/* to the aggregator), bearer token when the page has one, and `cache: "no-cache"` so
 * the browser revalidates with If-None-Match and a 304 costs the server next to nothing.
 */
import type {
  BucketType,
  CategoryPath,
  CategorySales,
  CompareModels,
  ForecastTop,
  MerchantDetail,
  MerchantList,
  ModelCatalog,
  Nowcast,
  TopCategories,
} from './types.js';

/** An HTTP or network failure, with the problem+json detail when the server sent one. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** True when retrying later may help (network failure, 5xx, 429). */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  /** Origin and path prefix of the APIs. @default "" (same origin) */
  readonly baseUrl?: string;
  /** The bearer token, read on every request so that a new token applies at once. */
  readonly token?: () => string | undefined;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Called on a 401 (the signed-in session's access token expired): resolves true when the session
   * was renewed, and the request is then sent once more. @default none (the 401 is the answer)
   */
  readonly onUnauthorized?: () => Promise<boolean>;
}

type Query = Record<string, string | number | undefined>;

/** The API calls the page makes. */
export interface ApiClient {
  merchants(signal?: AbortSignal): Promise<MerchantList>;
  merchant(id: string, signal?: AbortSignal): Promise<MerchantDetail>;
  topCategories(
    q: { merchantId: string; bucketType: BucketType; bucketStart: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<TopCategories>;
  categorySales(
    q: { merchantId: string; bucketType: BucketType; from: string; to: string; categoryId?: string },
    signal?: AbortSignal,
  ): Promise<CategorySales>;
  forecastTop(
    q: { merchantId: string; bucketType: BucketType; model: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<ForecastTop>;
  compareModels(
    q: { merchantId: string; bucketType: BucketType; categoryId?: string },
    signal?: AbortSignal,
  ): Promise<CompareModels>;
  categoryPath(
    q: { merchantId: string; bucketType: BucketType; categoryId: string; model: string; horizon?: number },
    signal?: AbortSignal,
  ): Promise<CategoryPath>;
  models(signal?: AbortSignal): Promise<ModelCatalog>;
  nowcast(
    q: { merchantId: string; bucketType: BucketType; model: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<Nowcast>;
}

/** Builds the client. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const {
    baseUrl = '',
    token = () => undefined,
    fetch: fetchImpl = globalThis.fetch.bind(globalThis),
    onUnauthorized,
  } = options;

  async function get<T>(path: string, query: Query, signal?: AbortSignal, retried = false): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
    const url = `${baseUrl}${path}${q.size ? `?${q.toString()}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    const t = token();
    if (t) headers.authorization = `Bearer ${t}`;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        headers,
        cache: 'no-cache',
        credentials: 'same-origin',
        signal: signal ?? null,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(`cannot reach catcast (${path})`, 0, path, { cause: err });
    }
    if (res.status === 401 && onUnauthorized && !retried && (await onUnauthorized()))
      return get<T>(path, query, signal, true);
    if (!res.ok) {
      let detail = res.statusText || `HTTP ${res.status}`;
      try {
        const body = (await res.json()) as { detail?: unknown; title?: unknown };
        if (typeof body.detail === 'string') detail = body.detail;
        else if (typeof body.title === 'string') detail = body.title;
      } catch {
        // Not problem+json (e.g. a proxy's HTML error page): keep the status text.
      }
      throw new ApiError(detail, res.status, path);
    }
    return (await res.json()) as T;
  }

  return {
    merchants: (signal) => get('/api/merchants', {}, signal),
    merchant: (id, signal) => get(`/api/merchants/${encodeURIComponent(id)}`, {}, signal),
    topCategories: (q, signal) =>
      get(
        '/api/top-categories',
        { merchantId: q.merchantId, bucketType: q.bucketType, bucketStart: q.bucketStart, limit: q.limit },
        signal,
      ),
    categorySales: (q, signal) =>
      get(
        '/api/category-sales',
        {
          merchantId: q.merchantId,
          bucketType: q.bucketType,
          from: q.from,
          to: q.to,
          categoryId: q.categoryId,
        },
        signal,
      ),
    forecastTop: (q, signal) =>
      get(
        '/forecast/top-categories',
        { merchant_id: q.merchantId, bucket_type: q.bucketType, model: q.model, limit: q.limit },
        signal,
      ),
    nowcast: (q, signal) =>
      get(
        '/forecast/nowcast',
        { merchant_id: q.merchantId, bucket_type: q.bucketType, model: q.model, limit: q.limit },
        signal,
      ),
    compareModels: (q, signal) =>
      get(
        '/forecast/compare-models',
        { merchant_id: q.merchantId, bucket_type: q.bucketType, category_id: q.categoryId },
        signal,
      ),
    categoryPath: (q, signal) =>
      get(
        '/forecast/category-path',
        {
          merchant_id: q.merchantId,
          bucket_type: q.bucketType,
          category_id: q.categoryId,
          model: q.model,
          horizon: q.horizon,
        },
        signal,
      ),
    models: (signal) => get('/forecast/models', {}, signal),
  };
}

/** Totals of a series aligned with `buckets`, whichever form the aggregator sent. */
export function seriesTotals(buckets: readonly string[], s: CategorySales['series'][number]): number[] {
  if (s.totals) return s.totals.map(Number);
  const byStart = new Map((s.points ?? []).map((p) => [p.bucketStart, Number(p.total)]));
  return buckets.map((b) => byStart.get(b) ?? 0);
}
