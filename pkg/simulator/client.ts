import { abortableSleep, backoffDelay } from '../retry/index.js';
import type { SimCategory, SimMerchant, SimProduct } from './catalog.js';
import type { SimOrder } from './history.js';

/** Waits `ms` milliseconds, or less when `signal` aborts; never rejects. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The default {@link Sleep}, on real timers. */
export const realSleep: Sleep = abortableSleep;

/** Options of {@link IngestClient}. */
export interface IngestClientOptions {
  /** Base URL of the ingest service, e.g. http://127.0.0.1:8081. */
  readonly baseUrl: string;
  /** Bearer token sent on /v1 requests when set. @default unset */
  readonly token?: string;
  /** fetch implementation (tests pass an in-process app). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default real timers */
  readonly sleep?: Sleep;
  /** Attempts per request, including the first, for 429/502/503/504 and network errors. @default 8 */
  readonly maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. @default 200 */
  readonly baseDelayMs?: number;
  /** Longest backoff delay, and the cap on Retry-After. @default 15000 */
  readonly maxDelayMs?: number;
  /** Timeout of one attempt; a timed-out attempt is retried like a network error. @default 60000 */
  readonly requestTimeoutMs?: number;
  /** Stops retrying (the current attempt still finishes) when aborted. */
  readonly signal?: AbortSignal;
  /** Called before each retry, for counting and logging. */
  readonly onRetry?: (info: RetryInfo) => void;
}

/** Why and when a request is retried. */
export interface RetryInfo {
  readonly method: string;
  readonly path: string;
  readonly attempt: number;
  /** HTTP status, or "network" for a connection error or timeout. */
  readonly status: number | 'network';
  readonly delayMs: number;
  readonly error?: unknown;
}

/** The final answer to one request after retries. */
export interface HttpResult {
  /** HTTP status, or "network" when no response came back after the last attempt. */
  readonly status: number | 'network';
  /** Parsed JSON body when there was one. */
  readonly body: unknown;
  readonly attempts: number;
  readonly error?: unknown;
}

/** The per-order answer of the ingest service. */
export interface OrderOutcome {
  /** HTTP status for that order, or "network". */
  readonly status: number | 'network';
  /** How many times this order was sent; more than 1 means an earlier attempt may have stored it. */
  readonly attempts: number;
  /** The problem document (or error text) for a non-2xx status. */
  readonly problem?: unknown;
}

/** Statuses worth retrying: overload and unavailability, never a verdict on the request itself. */
export function isRetryableStatus(status: number | 'network'): boolean {
  return status === 'network' || status === 429 || status === 502 || status === 503 || status === 504;
}

/** Parses a Retry-After header (delta-seconds or an HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Thrown when a request cannot be completed and the caller cannot go on without it. */
export class IngestError extends Error {
  override name = 'IngestError';
  constructor(
    message: string,
    readonly status: number | 'network',
    readonly body?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A small HTTP client for the ingest API: catalog upserts, orders, batches, readiness; retries what is safe to retry. */
export class IngestClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #sleep: Sleep;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onRetry: ((info: RetryInfo) => void) | undefined;

  constructor(options: IngestClientOptions) {
    const {
      baseUrl,
      token,
      fetch: fetchImpl = globalThis.fetch,
      sleep = realSleep,
      maxAttempts = 8,
      baseDelayMs = 200,
      maxDelayMs = 15_000,
      requestTimeoutMs = 60_000,
      signal,
      onRetry,
    } = options;
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#token = token;
    this.#fetch = fetchImpl;
    this.#sleep = sleep;
    this.#maxAttempts = Math.max(1, maxAttempts);
    this.#baseDelayMs = baseDelayMs;
    this.#maxDelayMs = maxDelayMs;
    this.#timeoutMs = requestTimeoutMs;
    this.#signal = signal;
    this.#onRetry = onRetry;
  }

  /** Polls GET /ready until it answers 200; throws an {@link IngestError} naming the last answer after `timeoutMs`. */
  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      try {
        const res = await this.#fetch(`${this.#base}/ready`, { signal: AbortSignal.timeout(5_000) });
        const text = await res.text();
        if (res.status === 200) return;
        last = `HTTP ${res.status} ${text.slice(0, 300)}`;
      } catch (err) {
        last = `${(err as Error).message}${(err as Error).cause ? ` (${String((err as Error).cause)})` : ''}`;
      }
      if (signal?.aborted)
        throw new IngestError(`stopped while waiting for ${this.#base}/ready: ${last}`, 'network');
      if (Date.now() >= deadline) {
        throw new IngestError(
          `ingest at ${this.#base} was not ready within ${timeoutMs} ms: ${last}`,
          'network',
        );
      }
      await this.#sleep(Math.min(500, Math.max(0, deadline - Date.now())), signal);
    }
  }

  /** Upserts a merchant; resolves with 201 (created) or 200 (updated), throws otherwise. */
  putMerchant(m: SimMerchant): Promise<number> {
    return this.#put(`/v1/merchants/${encodeURIComponent(m.id)}`, {
      name: m.name,
      timezone: m.timezone,
      weekStart: m.weekStart,
      currency: m.currency,
    });
  }

  /** Upserts a category of `merchantId`; resolves with 201 or 200, throws otherwise. */
  putCategory(merchantId: string, c: SimCategory): Promise<number> {
    const body: Record<string, string> = { name: c.name };
    if (c.parentCategoryId !== undefined) body.parentCategoryId = c.parentCategoryId;
    return this.#put(
      `/v1/merchants/${encodeURIComponent(merchantId)}/categories/${encodeURIComponent(c.id)}`,
      body,
    );
  }

  /** Upserts a product of `merchantId`; resolves with 201 or 200, throws otherwise. */
  putProduct(merchantId: string, p: SimProduct): Promise<number> {
    return this.#put(`/v1/merchants/${encodeURIComponent(merchantId)}/products/${encodeURIComponent(p.id)}`, {
      name: p.name,
      categoryId: p.categoryId,
    });
  }

  /** Sends one order through POST /v1/orders. */
  async postOrder(order: SimOrder): Promise<OrderOutcome> {
    const r = await this.request('POST', '/v1/orders', order);
    return {
      status: r.status,
      attempts: r.attempts,
      problem: isOk(r.status) ? undefined : (r.body ?? errorText(r)),
    };
  }

  /**
   * Sends orders through POST /v1/orders/batch and returns one outcome per order, in order.
   * Orders answered with a retryable status are re-sent (alone) after a backoff; a 413 splits the batch.
   */
  async postBatch(orders: readonly SimOrder[]): Promise<OrderOutcome[]> {
    const outcomes: (OrderOutcome | undefined)[] = new Array<OrderOutcome | undefined>(orders.length);
    const attempts = new Array<number>(orders.length).fill(0);
    let pending = orders.map((_, i) => i);
    for (let round = 1; pending.length > 0; round++) {
      const retry: number[] = [];
      let retryStatus: number | 'network' = 'network';
      for (const chunk of await this.#sendChunks(orders, pending)) {
        for (const [k, index] of chunk.indexes.entries()) {
          attempts[index]! += chunk.attempts;
          const res = chunk.results[k]!;
          // A whole-request failure was already retried by request(); only per-order verdicts get rounds here.
          const again = chunk.perOrder && isRetryableStatus(res.status) && round < this.#maxAttempts;
          if (again && !this.#signal?.aborted) {
            retry.push(index);
            retryStatus = res.status;
          } else outcomes[index] = { status: res.status, attempts: attempts[index]!, problem: res.problem };
        }
      }
      if (retry.length > 0) {
        const delayMs = this.#backoff(round);
        this.#onRetry?.({
          method: 'POST',
          path: '/v1/orders/batch',
          attempt: round,
          status: retryStatus,
          delayMs,
        });
        await this.#sleep(delayMs, this.#signal);
      }
      pending = retry;
    }
    return outcomes.map((o) => o ?? { status: 'network' as const, attempts: 0 });
  }

  async #sendChunks(orders: readonly SimOrder[], indexes: readonly number[]): Promise<BatchChunk[]> {
    const r = await this.request('POST', '/v1/orders/batch', { orders: indexes.map((i) => orders[i]) });
    if (r.status === 413 && indexes.length > 1) {
      // The server's batch body limit is smaller than our batch: halve until it fits.
      const mid = Math.ceil(indexes.length / 2);
      return [
        ...(await this.#sendChunks(orders, indexes.slice(0, mid))),
        ...(await this.#sendChunks(orders, indexes.slice(mid))),
      ];
    }
    const malformed = r.status === 400 ? malformedEntries(r.body, indexes.length) : undefined;
    if (malformed && malformed.size < indexes.length) {
      // The server refuses a whole batch with one 400 when entries do not match the schema, naming
      // each as orders.<n>.<field>: those entries get that verdict, the others are sent again.
      const bad = [...malformed.entries()].map(([k, errors]) => ({
        indexes: [indexes[k]!],
        attempts: r.attempts,
        perOrder: true,
        results: [{ status: 400, problem: { ...(r.body as object), errors } }],
      }));
      const rest = indexes.filter((_, k) => !malformed.has(k));
      return [...bad, ...(await this.#sendChunks(orders, rest))];
    }
    if (!isOk(r.status)) {
      const problem = r.body ?? errorText(r);
      const results = indexes.map(() => ({ status: r.status, problem }));
      return [{ indexes, attempts: r.attempts, perOrder: false, results }];
    }
    return [
      { indexes, attempts: r.attempts, perOrder: true, results: parseBatchResults(r.body, indexes.length) },
    ];
  }

  async #put(path: string, body: unknown): Promise<number> {
    const r = await this.request('PUT', path, body);
    if (r.status === 200 || r.status === 201) return r.status;
    throw new IngestError(
      `cannot PUT ${path}: ${r.status === 'network' ? 'no answer' : `HTTP ${r.status}`} ${describeProblem(r.body ?? errorText(r))}`,
      r.status,
      r.body,
      { cause: r.error },
    );
  }

  /** Sends one JSON request, retrying 429/502/503/504 and network errors with backoff (Retry-After honoured). */
  async request(method: string, path: string, body?: unknown): Promise<HttpResult> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      let status: number | 'network';
      let parsed: unknown;
      let error: unknown;
      let retryAfterMs: number | undefined;
      try {
        const res = await this.#fetch(`${this.#base}${path}`, {
          method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        status = res.status;
        const text = await res.text();
        parsed = parseJson(text);
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      } catch (err) {
        status = 'network';
        error = err;
      }
      if (!isRetryableStatus(status) || attempt >= this.#maxAttempts || this.#signal?.aborted) {
        return { status, body: parsed, attempts: attempt, error };
      }
      const delayMs =
        retryAfterMs !== undefined ? Math.min(retryAfterMs, this.#maxDelayMs * 4) : this.#backoff(attempt);
      this.#onRetry?.({ method, path, attempt, status, delayMs, error });
      await this.#sleep(delayMs, this.#signal);
    }
  }

  #backoff(attempt: number): number {
    // Jitter: many simulator workers retrying in lockstep would hit the recovering server together.
    return backoffDelay(attempt, this.#baseDelayMs, this.#maxDelayMs);
  }
}

/**
 * The entries a whole-batch 400 names (`errors[].field` = `orders.<n>...`), each with its own field
 * errors; undefined when the problem does not name entries (e.g. a malformed body).
 */
export function malformedEntries(
  body: unknown,
  count: number,
): Map<number, { field: string; message: string }[]> | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const out = new Map<number, { field: string; message: string }[]>();
  for (const e of errors as { field?: unknown; message?: unknown }[]) {
    const m = typeof e.field === 'string' ? /^orders\.(\d+)(?:\.|$)/.exec(e.field) : null;
    const k = m ? Number(m[1]) : NaN;
    if (!(k >= 0 && k < count)) return undefined;
    out.set(k, [...(out.get(k) ?? []), { field: e.field as string, message: String(e.message) }]);
  }
  return out;
}

interface BatchChunk {
  readonly indexes: readonly number[];
  readonly attempts: number;
  /** True when the statuses are per-order verdicts from a 2xx batch answer. */
  readonly perOrder: boolean;
  readonly results: readonly { status: number | 'network'; problem?: unknown }[];
}

function isOk(status: number | 'network'): boolean {
  return typeof status === 'number' && status >= 200 && status < 300;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 500);
  }
}

function errorText(r: HttpResult): string {
  return r.error instanceof Error
    ? `${r.error.message}${r.error.cause instanceof Error ? `: ${r.error.cause.message}` : ''}`
    : String(r.status);
}

/** A one-line description of a problem document, for logs and errors. */
export function describeProblem(problem: unknown): string {
  if (typeof problem === 'string') return problem;
  if (problem && typeof problem === 'object') {
    const p = problem as { title?: unknown; detail?: unknown; errors?: unknown };
    const parts = [p.title, p.detail].filter((x) => typeof x === 'string');
    if (Array.isArray(p.errors) && p.errors.length > 0) parts.push(JSON.stringify(p.errors).slice(0, 300));
    if (parts.length > 0) return parts.join(': ');
    return JSON.stringify(problem).slice(0, 300);
  }
  return String(problem);
}

/**
 * Reads the per-order results of POST /v1/orders/batch: `{results: [{index, status, order? | problem?}]}`,
 * tolerating a bare array and results without `index` (taken in order). Orders without a result are
 * reported as status "network" with a problem saying so (they may or may not have been stored).
 */
export function parseBatchResults(
  body: unknown,
  count: number,
): { status: number | 'network'; problem?: unknown }[] {
  const list: unknown = Array.isArray(body) ? body : (body as { results?: unknown } | undefined)?.results;
  const out: { status: number | 'network'; problem?: unknown }[] = Array.from({ length: count }, () => ({
    status: 'network' as const,
    problem: 'batch response had no result for this order',
  }));
  if (!Array.isArray(list)) return out;
  for (const [pos, item] of list.entries()) {
    if (!item || typeof item !== 'object') continue;
    const r = item as { index?: unknown; status?: unknown; problem?: unknown; error?: unknown };
    const index = typeof r.index === 'number' ? r.index : pos;
    const problemStatus = (r.problem as { status?: unknown } | undefined)?.status;
    const status =
      typeof r.status === 'number' ? r.status : typeof problemStatus === 'number' ? problemStatus : undefined;
    if (status === undefined || index < 0 || index >= count) continue;
    out[index] = { status, problem: status >= 300 ? (r.problem ?? r.error ?? item) : undefined };
  }
  return out;
}
