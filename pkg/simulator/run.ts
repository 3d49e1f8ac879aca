import {
  generateCatalog,
  checkInt,
  SimulatorOptionError,
  type CatalogOptions,
  type SimCatalog,
} from './catalog.js';
import { IngestClient, describeProblem, realSleep, type OrderOutcome, type Sleep } from './client.js';
import { INVALID_KINDS, makeInvalidOrder, ReplayPool } from './faults.js';
import { countHistory, createLiveSource, generateHistory, type SimOrder } from './history.js';
import { createPrng, seedTag } from './prng.js';

/** Options of {@link runSimulation}; everything but `ingestUrl` has a default. */
export interface SimulationOptions extends CatalogOptions {
  /** Base URL of the ingest service. */
  readonly ingestUrl: string;
  /** Bearer token for /v1 requests. @default unset */
  readonly token?: string;
  /** Days of history to backfill per merchant; 0 skips the backfill. @default 30 */
  readonly days?: number;
  /** Mean orders per merchant per day of history (before seasonality, trend and promotions). @default 50 */
  readonly ordersPerDay?: number;
  /** Exclusive end of the history. @default now */
  readonly end?: Date;
  /** Live orders per second after the backfill; 0 stops after the backfill. @default 0 */
  readonly rate?: number;
  /** Seconds of live traffic; 0 runs until the signal aborts. @default 0 */
  readonly durationSeconds?: number;
  /** Requests in flight during catalog sync and live traffic. @default 16 */
  readonly concurrency?: number;
  /** Orders per batch request during the backfill (1..1000). @default 1000 */
  readonly batchSize?: number;
  /** Batch requests in flight during the backfill. @default 3 */
  readonly batchConcurrency?: number;
  /**
   * Backfill: probability, per generated order, of also resending an already acknowledged order
   * unchanged (expect 200). Live: share of sends that are such replays. @default 0
   */
  readonly replayRatio?: number;
  /** Like `replayRatio`, for deliberately invalid orders (expect 4xx). @default 0 */
  readonly invalidRatio?: number;
  /** How long to wait for GET /ready. @default 60 */
  readonly readyTimeoutSeconds?: number;
  /** Attempts per request for retryable failures. @default 8 */
  readonly maxAttempts?: number;
  /** Push the catalog before sending orders. @default true */
  readonly syncCatalog?: boolean;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default real timers */
  readonly sleep?: Sleep;
  /** Wall clock in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Receives a progress snapshot about five times a second and at the end of each phase. */
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** Receives human-readable warnings (the first rejections and failures, retries). */
  readonly onWarning?: (message: string) => void;
  /** Receives every final order outcome (benchmarks measure freshness from here). */
  readonly onOutcome?: (event: OutcomeEvent) => void;
}

/** Why an order was sent. */
export type SubmissionKind = 'new' | 'replay' | 'invalid';

/** The final answer for one submitted order. */
export interface OutcomeEvent {
  readonly order: SimOrder;
  readonly kind: SubmissionKind;
  readonly phase: 'backfill' | 'live';
  readonly status: number | 'network';
  /** Wall-clock time of the answer in milliseconds. */
  readonly at: number;
}

/** Counts of a run. */
export interface SimulationCounters {
  /** Order submissions (new, replayed and invalid; retries not counted again). */
  ordersSent: number;
  /** Orders stored by this run (201, or 200 after our own earlier attempt may have stored it). */
  accepted: number;
  /** Orders answered 200: already stored, unchanged (deliberate replays, or a re-run over the same days). */
  replayed: number;
  /** Valid orders answered 4xx: unexpected. */
  rejected: number;
  /** Deliberately invalid orders answered 4xx, as they should be. */
  expectedRejected: number;
  /** Deliberately invalid orders answered 2xx: an ingest bug. */
  unexpectedAccepted: number;
  /** Orders without a verdict after retries (5xx, network errors, timeouts). */
  failed: number;
  /** Requests retried (each retry counted). */
  retries: number;
}

/** What {@link runSimulation} reports at the end. */
export interface SimulationSummary extends SimulationCounters {
  /** Merchants of the simulated catalog. */
  readonly merchants: number;
  /** Categories of the simulated catalog (all merchants). */
  readonly categories: number;
  /** Products of the simulated catalog (all merchants). */
  readonly products: number;
  /** True when this run pushed the whole catalog to ingest. */
  readonly catalogSynced: boolean;
  /** Orders of history generated and sent. */
  readonly backfillOrders: number;
  /** Live orders sent. */
  readonly liveOrders: number;
  /** Wall time of the whole run. */
  readonly seconds: number;
  /** True when the run ended early because the signal aborted. */
  readonly aborted: boolean;
}

/** A progress snapshot. */
export interface SimulationProgress {
  readonly phase: 'waiting' | 'catalog' | 'backfill' | 'live';
  /** Units done in this phase (catalog entries, history orders, live sends). */
  readonly done: number;
  /** Units in this phase when known (not for open-ended live traffic). */
  readonly total?: number;
  /** Milliseconds since the phase began. */
  readonly elapsedMs: number;
  /** Target rate of live traffic. */
  readonly rate?: number;
  /** True on the last snapshot of the phase. */
  readonly final: boolean;
  readonly counters: Readonly<SimulationCounters>;
}

/** Raised when the run cannot go on (ingest never ready, catalog rejected); `cause` has the detail. */
export class SimulationError extends Error {
  override name = 'SimulationError';
}

/** Whether a summary contains anything unexpected (the CLI exits non-zero then). */
export function hasUnexpectedFailures(s: SimulationCounters): boolean {
  return s.rejected > 0 || s.failed > 0 || s.unexpectedAccepted > 0;
}

const MAX_WARNINGS = 20;

/**
 * Runs a simulation: waits for ingest to be ready, syncs the catalog, backfills the history through
 * the batch endpoint, then sends live orders until the duration ends or `signal` aborts. On abort it
 * stops sending new work, lets in-flight requests finish, and returns the summary so far.
 */
export async function runSimulation(
  options: SimulationOptions,
  signal?: AbortSignal,
): Promise<SimulationSummary> {
  const o = withDefaults(options);
  const stop = signal ?? new AbortController().signal;
  const startedAt = o.now();
  const catalog = generateCatalog(options);
  const runTag = startedAt.toString(36);
  const pool = new ReplayPool(10_000, createPrng(catalog.seed, 'replay-pool', runTag));
  const tally = new Tally(pool, o.now, options.onWarning, options.onOutcome);
  const client = new IngestClient({
    baseUrl: o.ingestUrl,
    token: o.token,
    fetch: options.fetch,
    sleep: o.sleep,
    maxAttempts: o.maxAttempts,
    signal: stop,
    onRetry(info) {
      tally.counters.retries++;
      tally.warn(
        `retrying ${info.method} ${info.path} in ${info.delayMs} ms after ${info.status === 'network' ? `network error ${(info.error as Error | undefined)?.message ?? ''}` : `HTTP ${info.status}`} (attempt ${info.attempt})`,
      );
    },
  });
  const faults = faultSource({ ...o, seed: catalog.seed, runTag, pool });
  const progress = new Progress(o.now, o.rate, tally.counters, options.onProgress);

  let catalogSynced = false;
  let backfillOrders = 0;
  let liveOrders = 0;
  try {
    progress.enter('waiting');
    try {
      await client.waitReady(o.readyTimeoutSeconds * 1000, stop);
    } catch (err) {
      throw new SimulationError(`cannot start: ${(err as Error).message}`, { cause: err });
    }
    if (o.syncCatalog && !stop.aborted) {
      const entries = catalog.merchants.reduce((s, m) => s + 1 + m.categories.length + m.products.length, 0);
      progress.enter('catalog', entries);
      try {
        await syncCatalogEntries(catalog, client, o.concurrency, stop, () => progress.step());
        catalogSynced = !stop.aborted;
      } catch (err) {
        throw new SimulationError(`cannot sync the catalog: ${(err as Error).message}`, { cause: err });
      }
      progress.endPhase();
    }
    if (o.days > 0 && !stop.aborted) {
      const history = {
        catalog,
        days: o.days,
        ordersPerDay: o.ordersPerDay,
        end: o.end ?? new Date(o.now()),
      };
      progress.enter('backfill', countHistory(history));
      backfillOrders = await backfill({
        ...o,
        history: generateHistory(history),
        client,
        stop,
        faults: faults('backfill'),
        tally,
        progress,
      });
      progress.endPhase();
    }
    if (o.rate > 0 && !stop.aborted) {
      progress.enter('live', o.durationSeconds > 0 ? Math.round(o.rate * o.durationSeconds) : undefined);
      liveOrders = await sendLive({
        ...o,
        catalog,
        runTag,
        client,
        stop,
        faults: faults('live'),
        record: (order, kind, phase, outcome) => tally.record(order, kind, phase, outcome),
        onSent: () => {
          tally.counters.ordersSent++;
        },
        onDone: () => progress.step(),
        warn: (m) => options.onWarning?.(m),
      });
      progress.endPhase();
    }
  } finally {
    progress.close();
  }
  return {
    merchants: catalog.merchants.length,
    categories: catalog.merchants.reduce((n, m) => n + m.categories.length, 0),
    products: catalog.merchants.reduce((n, m) => n + m.products.length, 0),
    catalogSynced,
    ...tally.counters,
    backfillOrders,
    liveOrders,
    seconds: Math.round((o.now() - startedAt) / 10) / 100,
    aborted: stop.aborted,
  };
}

type Settings = ReturnType<typeof withDefaults>;

/** The options with their defaults, checked: a bad value is a {@link SimulatorOptionError} before anything is sent. */
function withDefaults(options: SimulationOptions) {
  const {
    ingestUrl,
    token,
    days = 30,
    ordersPerDay = 50,
    end,
    rate = 0,
    durationSeconds = 0,
    concurrency = 16,
    batchSize = 1000,
    batchConcurrency = 3,
    replayRatio = 0,
    invalidRatio = 0,
    readyTimeoutSeconds = 60,
    maxAttempts = 8,
    syncCatalog = true,
    sleep = realSleep,
    now = Date.now,
  } = options;
  checkInt('concurrency', concurrency, 1, 10_000);
  checkInt('batchSize', batchSize, 1, 1000);
  checkInt('batchConcurrency', batchConcurrency, 1, 1000);
  checkRatio('replayRatio', replayRatio);
  checkRatio('invalidRatio', invalidRatio);
  if (!Number.isFinite(rate) || rate < 0) throw new SimulatorOptionError(`rate must be >= 0 (got ${rate})`);
  if (!Number.isFinite(durationSeconds) || durationSeconds < 0) {
    throw new SimulatorOptionError(`durationSeconds must be >= 0 (got ${durationSeconds})`);
  }
  return {
    ingestUrl,
    token,
    days,
    ordersPerDay,
    end,
    rate,
    durationSeconds,
    concurrency,
    batchSize,
    batchConcurrency,
    replayRatio,
    invalidRatio,
    readyTimeoutSeconds,
    maxAttempts,
    syncCatalog,
    sleep,
    now,
  };
}

/** Counts every final answer by what it means for its kind of order, and warns about the unexpected ones. */
class Tally {
  readonly counters: SimulationCounters = {
    ordersSent: 0,
    accepted: 0,
    replayed: 0,
    rejected: 0,
    expectedRejected: 0,
    unexpectedAccepted: 0,
    failed: 0,
    retries: 0,
  };
  #warnings = 0;

  constructor(
    private readonly pool: ReplayPool,
    private readonly now: () => number,
    private readonly onWarning?: (message: string) => void,
    private readonly onOutcome?: (event: OutcomeEvent) => void,
  ) {}

  /** Passes a warning on; after {@link MAX_WARNINGS}, one "suppressed" line and then silence. */
  warn(message: string): void {
    if (this.#warnings++ < MAX_WARNINGS) this.onWarning?.(message);
    else if (this.#warnings === MAX_WARNINGS + 1) this.onWarning?.('more warnings suppressed');
  }

  record(order: SimOrder, kind: SubmissionKind, phase: OutcomeEvent['phase'], o: OrderOutcome): void {
    const c = this.counters;
    const { status } = o;
    if (typeof status === 'number' && status >= 200 && status < 300) {
      if (kind === 'invalid') {
        c.unexpectedAccepted++;
        this.warn(
          `invalid order ${order.externalOrderId} was accepted with HTTP ${status}: ${JSON.stringify(order)}`,
        );
      } else if (status === 200 && (kind === 'replay' || o.attempts <= 1)) c.replayed++;
      else {
        // 201, or 200 when an earlier attempt of ours may be the one that stored it.
        c.accepted++;
        if (kind === 'replay')
          this.warn(`replayed order ${order.externalOrderId} was stored anew (HTTP ${status})`);
      }
      if (kind === 'new') this.pool.add(order);
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      if (kind === 'invalid') c.expectedRejected++;
      else {
        c.rejected++;
        this.warn(
          `${kind} order ${order.merchantId}/${order.externalOrderId} rejected with HTTP ${status}: ${describeProblem(o.problem)}`,
        );
      }
    } else {
      c.failed++;
      this.warn(
        `order ${order.merchantId}/${order.externalOrderId} failed: ${status === 'network' ? 'no answer' : `HTTP ${status}`} ${describeProblem(o.problem)}`,
      );
    }
    this.onOutcome?.({ order, kind, phase, status, at: this.now() });
  }
}

/** Deliberate replays and invalid orders of one phase, drawn from their own seeded stream. */
interface Faults {
  replay(): SimOrder | undefined;
  invalid(base: SimOrder): SimOrder | undefined;
}

function faultSource(o: {
  readonly seed: string;
  readonly runTag: string;
  readonly pool: ReplayPool;
  readonly replayRatio: number;
  readonly invalidRatio: number;
  readonly now: () => number;
}): (phase: string) => Faults {
  const tag = seedTag(o.seed);
  let invalidSeq = 0;
  return (phase) => {
    const rng = createPrng(o.seed, 'faults', phase, o.runTag);
    return {
      replay: () => (o.replayRatio > 0 && rng.chance(o.replayRatio) ? o.pool.pick() : undefined),
      invalid: (base) =>
        o.invalidRatio > 0 && rng.chance(o.invalidRatio)
          ? makeInvalidOrder(base, rng.pick(INVALID_KINDS), `x-${tag}-${o.runTag}-${++invalidSeq}`, o.now())
          : undefined,
    };
  };
}

/** The run's progress: the current phase and its units, reported by one ticker about five times a second. */
class Progress {
  #phase: SimulationProgress['phase'] = 'waiting';
  #phaseStart: number;
  #done = 0;
  #total: number | undefined;
  readonly #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly now: () => number,
    private readonly rate: number,
    private readonly counters: SimulationCounters,
    private readonly onProgress?: (progress: SimulationProgress) => void,
  ) {
    this.#phaseStart = now();
    this.#ticker = onProgress ? setInterval(() => onProgress(this.#snapshot(false)), 200) : undefined;
    this.#ticker?.unref();
  }

  enter(phase: SimulationProgress['phase'], total?: number): void {
    this.#phase = phase;
    this.#phaseStart = this.now();
    this.#done = 0;
    this.#total = total;
    this.onProgress?.(this.#snapshot(false));
  }

  /** One unit of the current phase done. */
  step(): void {
    this.#done++;
  }

  /** The phase's final snapshot. */
  endPhase(): void {
    this.onProgress?.(this.#snapshot(true));
  }

  close(): void {
    if (this.#ticker) clearInterval(this.#ticker);
  }

  #snapshot(final: boolean): SimulationProgress {
    return {
      phase: this.#phase,
      done: this.#done,
      total: this.#total,
      elapsedMs: this.now() - this.#phaseStart,
      rate: this.#phase === 'live' ? this.rate : undefined,
      final,
      counters: { ...this.counters },
    };
  }
}

/**
 * Sends the history through the batch endpoint, `batchConcurrency` batches in flight, with the
 * phase's replays and invalid orders mixed in; returns how many history orders were sent.
 */
async function backfill(
  o: Pick<Settings, 'batchSize' | 'batchConcurrency'> & {
    readonly history: Iterator<SimOrder>;
    readonly client: IngestClient;
    readonly stop: AbortSignal;
    readonly faults: Faults;
    readonly tally: Tally;
    readonly progress: Progress;
  },
): Promise<number> {
  let sent = 0;
  let exhausted = false;
  const nextBatch = (): { order: SimOrder; kind: SubmissionKind }[] => {
    const batch: { order: SimOrder; kind: SubmissionKind }[] = [];
    while (batch.length < o.batchSize) {
      const r = o.history.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      // Extras only while there is room, so a batch never exceeds batchSize.
      const replay = batch.length + 2 <= o.batchSize ? o.faults.replay() : undefined;
      if (replay) batch.push({ order: replay, kind: 'replay' });
      const invalid = batch.length + 2 <= o.batchSize ? o.faults.invalid(r.value) : undefined;
      if (invalid) batch.push({ order: invalid, kind: 'invalid' });
      batch.push({ order: r.value, kind: 'new' });
    }
    return batch;
  };
  const inflight = new Set<Promise<void>>();
  while (!o.stop.aborted && !exhausted) {
    const batch = nextBatch();
    if (batch.length === 0) break;
    o.tally.counters.ordersSent += batch.length;
    const p = o.client
      .postBatch(batch.map((b) => b.order))
      .then((outcomes) => {
        for (const [i, b] of batch.entries()) {
          o.tally.record(b.order, b.kind, 'backfill', outcomes[i]!);
          if (b.kind === 'new') {
            o.progress.step();
            sent++;
          }
        }
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= o.batchConcurrency) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return sent;
}

function checkRatio(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new SimulatorOptionError(`${name} must be a number in 0..1 (got ${value})`);
  }
}

/** Runs `fn` over `items` with at most `limit` at once; stops taking new items when `signal` aborts. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function syncCatalogEntries(
  catalog: SimCatalog,
  client: IngestClient,
  concurrency: number,
  signal: AbortSignal,
  onDone: () => void,
): Promise<void> {
  // Levels in order (merchants, parent categories, child categories, products) so nothing ever
  // references an entry that is not there yet; within a level everything runs in parallel.
  await forEachLimited(catalog.merchants, concurrency, signal, async (m) => {
    await client.putMerchant(m);
    onDone();
  });
  const categories = (parents: boolean) =>
    catalog.merchants.flatMap((m) =>
      m.categories.filter((c) => (c.parentCategoryId === undefined) === parents).map((c) => ({ m, c })),
    );
  for (const level of [categories(true), categories(false)]) {
    await forEachLimited(level, concurrency, signal, async ({ m, c }) => {
      await client.putCategory(m.id, c);
      onDone();
    });
  }
  const products = catalog.merchants.flatMap((m) => m.products.map((p) => ({ m, p })));
  await forEachLimited(products, concurrency, signal, async ({ m, p }) => {
    await client.putProduct(m.id, p);
    onDone();
  });
}

interface LiveOptions {
  readonly catalog: SimCatalog;
  readonly ordersPerDay: number;
  readonly runTag: string;
  readonly rate: number;
  readonly durationSeconds: number;
  readonly concurrency: number;
  readonly client: IngestClient;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly stop: AbortSignal;
  readonly faults: Faults;
  readonly record: (order: SimOrder, kind: SubmissionKind, phase: 'live', o: OrderOutcome) => void;
  readonly onSent: () => void;
  readonly onDone: () => void;
  readonly warn: (message: string) => void;
}

async function sendLive(o: LiveOptions): Promise<number> {
  const source = createLiveSource({ catalog: o.catalog, ordersPerDay: o.ordersPerDay, runTag: o.runTag });
  const inflight = new Set<Promise<void>>();
  const begin = o.now();
  let start = begin;
  const deadline = o.durationSeconds > 0 ? start + o.durationSeconds * 1000 : Infinity;
  let sent = 0;
  let scheduled = 0; // sends due since `start`
  const tickMs = Math.min(50, Math.max(1, Math.floor(1000 / o.rate)));
  while (!o.stop.aborted) {
    const t = o.now();
    if (t >= deadline) break;
    const due = Math.floor(((t - start) / 1000) * o.rate);
    // When the server cannot keep up, forget the backlog beyond one second instead of bursting later.
    if (due - scheduled > Math.max(o.rate, o.concurrency)) {
      start = t - (scheduled / o.rate) * 1000;
    }
    while (scheduled < due && inflight.size < o.concurrency) {
      scheduled++;
      const fresh = source.next(o.now());
      const replay = o.faults.replay();
      const invalid = replay ? undefined : o.faults.invalid(fresh);
      const order = replay ?? invalid ?? fresh;
      const kind: SubmissionKind = replay ? 'replay' : invalid ? 'invalid' : 'new';
      o.onSent();
      sent++;
      const p = o.client
        .postOrder(order)
        .then((outcome) => {
          o.record(order, kind, 'live', outcome);
          o.onDone();
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    if (inflight.size >= o.concurrency) await Promise.race(inflight);
    else await o.sleep(tickMs, o.stop);
  }
  await Promise.all(inflight);
  const seconds = (o.now() - begin) / 1000;
  if (seconds >= 2 && sent < o.rate * seconds * 0.9) {
    o.warn(
      `live traffic reached ${(sent / seconds).toFixed(1)} orders/s of the ${o.rate}/s asked: each answer took about ${((o.concurrency * seconds * 1000) / Math.max(1, sent)).toFixed(0)} ms with ${o.concurrency} in flight; raise --concurrency to go faster`,
    );
  }
  return sent;
}
