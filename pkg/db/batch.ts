/**
 * Natural batching of read statements: the requests that reach a process in the same turn of the
 * event loop share one statement (one round trip, one execution) instead of one each.
 *
 * Under load many requests are parsed in one poll phase; each would send its own statement, and on
 * these machines a loopback send costs about as much CPU as the rest of a cached read (the kernel's
 * `writev` is the top item of the read API's profile). A request alone in its turn runs the
 * ordinary single statement, so an idle process answers exactly as before and nothing waits for a
 * timer: a batch only ever holds requests that were already waiting.
 */
import { Histogram, type Registry } from '../metrics/index.js';

/**
 * catcast_api_read_batch_size{route}: reads per statement a read API sent (1 = a read that ran
 * alone), for {@link ReadBatcherOptions.onBatch}. One definition for every read API.
 */
export function readBatchSizeHistogram(registry: Registry): Histogram<'route'> {
  return new Histogram({
    name: 'catcast_api_read_batch_size',
    help: 'Reads per statement sent by the read API (1 = a read that ran alone), by route',
    labelNames: ['route'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
}

/** One `$n` of a single-request statement, named as the batch's unnest column. */
export interface BatchParam {
  /** Column name in the batch (a plain identifier). */
  readonly name: string;
  /** PostgreSQL type of the parameter, e.g. `text`, `date`, `timestamptz`. */
  readonly type: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Rewrites a statement written for one request (`$1`..`$n`, in `params` order) into one for many:
 * the parameters become arrays unnested WITH ORDINALITY into rows `q`, the statement runs once per
 * row as a LATERAL subquery, and every result row starts with `q.i`, the 1-based position of its
 * request. `orderBy` orders the rows within a request (columns of the statement's output as `r.col`).
 */
export function batchStatement(sql: string, params: readonly BatchParam[], orderBy: string): string {
  for (const p of params) {
    if (!IDENTIFIER.test(p.name) || p.name === 'i')
      throw new Error(`batchStatement: bad column name ${p.name}`);
  }
  let body = sql;
  // Highest first, so that $1 does not eat the start of $10.
  for (let n = params.length; n >= 1; n--) body = body.replaceAll(`$${n}`, `q.${params[n - 1]!.name}`);
  if (/\$\d/.test(body)) throw new Error('batchStatement: the statement has more parameters than were named');
  const arrays = params.map((p, i) => `$${i + 1}::${p.type}[]`).join(', ');
  const columns = params.map((p) => p.name).join(', ');
  return `SELECT q.i, r.*
  FROM unnest(${arrays}) WITH ORDINALITY AS q(${columns}, i)
 CROSS JOIN LATERAL (${body}) r
 ORDER BY q.i${orderBy ? `, ${orderBy}` : ''}`;
}

/** Options of {@link ReadBatcher}. */
export interface ReadBatcherOptions<Q, R> {
  /** Runs one request alone (the ordinary statement). */
  readonly one: (query: Q) => Promise<R>;
  /** Runs several in one statement; answers in the order of `queries`. */
  readonly many: (queries: readonly Q[]) => Promise<R[]>;
  /** Largest batch; more waiting requests make several batches. 1 = never batch. @default 32 */
  readonly maxBatch?: number;
  /**
   * Most statements of this batcher in flight at once; 0 = no limit. Reads that arrive while all are
   * busy wait here and leave together as the next batch, so under load batches grow instead of
   * queueing for connections one read at a time. @default 0
   */
  readonly maxInFlight?: number;
  /** Called with the size of every statement sent (1 for a request run alone). */
  readonly onBatch?: (size: number) => void;
}

interface Waiting<Q, R> {
  readonly query: Q;
  readonly resolve: (value: R) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Collects the reads asked for during one turn of the event loop and runs them after it
 * (setImmediate, i.e. once the pending I/O callbacks have run): alone with `one`, together with
 * `many`. At most `maxInFlight` statements run at once; reads arriving meanwhile are sent together
 * when one finishes. When a batch fails, each of its requests runs again alone, so a request's own
 * error (or a statement only its parameters break) never becomes another request's answer.
 */
export class ReadBatcher<Q, R> {
  readonly #one: (query: Q) => Promise<R>;
  readonly #many: (queries: readonly Q[]) => Promise<R[]>;
  readonly #max: number;
  readonly #maxInFlight: number;
  readonly #onBatch: ((size: number) => void) | undefined;
  #waiting: Waiting<Q, R>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(options: ReadBatcherOptions<Q, R>) {
    this.#one = options.one;
    this.#many = options.many;
    this.#max = Math.max(1, Math.floor(options.maxBatch ?? 32));
    this.#maxInFlight = options.maxInFlight ? Math.max(1, options.maxInFlight) : Infinity;
    this.#onBatch = options.onBatch;
  }

  /** Statements sent and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Reads waiting to be sent. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Reads `query`, in a batch with the others asked for in this turn of the event loop. */
  load(query: Q): Promise<R> {
    if (this.#max === 1 && this.#maxInFlight === Infinity) {
      this.#onBatch?.(1);
      return this.#one(query);
    }
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ query, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.#maxInFlight) {
      const batch = this.#waiting.splice(0, this.#max);
      this.#inFlight++;
      this.#onBatch?.(batch.length);
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
    }
  }

  async #send(batch: readonly Waiting<Q, R>[]): Promise<void> {
    if (batch.length === 1) {
      const w = batch[0]!;
      await this.#one(w.query).then(w.resolve, w.reject);
      return;
    }
    let answers: R[] | undefined;
    try {
      answers = await this.#many(batch.map((w) => w.query));
    } catch {
      answers = undefined;
    }
    if (answers && answers.length === batch.length) {
      batch.forEach((w, i) => w.resolve(answers[i]!));
      return;
    }
    // Each alone, at once (the slot stays taken until all are answered).
    await Promise.all(
      batch.map((w) => {
        this.#onBatch?.(1);
        return this.#one(w.query).then(w.resolve, w.reject);
      }),
    );
  }
}
