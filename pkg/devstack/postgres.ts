import {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
} from '../db/index.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';

/** Options of {@link SupervisedPostgres}. */
export interface SupervisedPostgresOptions extends EmbeddedPostgresOptions {
  /** Reports restarts, for the terminal. */
  readonly report: (line: string) => void;
  /** First delay between failed restart attempts; backs off (with jitter) up to 30 s. @default 1000 */
  readonly retryDelayMs?: number;
  /** Starts a server (tests inject failures). @default startEmbeddedPostgres */
  readonly startServer?: (options: EmbeddedPostgresOptions) => Promise<EmbeddedPostgresHandle>;
}

/**
 * `make dev`'s embedded PostgreSQL, supervised like the services: when the postmaster dies (a crash,
 * an OOM kill, `kill -9`) it is started again on the same data directory — PostgreSQL's crash
 * recovery replays the WAL, so every committed transaction is back — retrying with a growing delay
 * while the old server's orphaned backends still hold its shared memory. The services reconnect by
 * themselves (their pools retry; ingest answers 503 + Retry-After meanwhile).
 */
export class SupervisedPostgres {
  readonly #o: SupervisedPostgresOptions;
  #handle: EmbeddedPostgresHandle | undefined;
  #stopping = false;
  #restarting: Promise<void> | undefined;
  #restarts = 0;

  constructor(options: SupervisedPostgresOptions) {
    this.#o = options;
  }

  /** Times the server was restarted after dying. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The running server (undefined while it is being restarted). */
  get handle(): EmbeddedPostgresHandle | undefined {
    return this.#handle;
  }

  /** Starts the server and begins supervising it. */
  async start(): Promise<EmbeddedPostgresHandle> {
    const handle = await (this.#o.startServer ?? startEmbeddedPostgres)(this.#o);
    this.#watch(handle);
    return handle;
  }

  #watch(handle: EmbeddedPostgresHandle): void {
    this.#handle = handle;
    void handle.exited.then(({ code, signal }) => {
      if (this.#stopping || this.#handle !== handle) return;
      this.#handle = undefined;
      this.#o.report(
        `PostgreSQL (pid ${handle.pid ?? '?'}) exited (${signal ?? `code ${code}`}); restarting it on the same data (crash recovery)`,
      );
      this.#restarting = this.#restart().finally(() => (this.#restarting = undefined));
    });
  }

  async #restart(): Promise<void> {
    const t0 = Date.now();
    const initialDelay = this.#o.retryDelayMs ?? 1000;
    for (let attempt = 1; !this.#stopping; attempt++) {
      try {
        const handle = await (this.#o.startServer ?? startEmbeddedPostgres)(this.#o);
        if (this.#stopping) {
          await handle.stop();
          return;
        }
        this.#restarts++;
        this.#o.report(
          `PostgreSQL restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s (attempt ${attempt}, pid ${handle.pid ?? '?'})`,
        );
        this.#watch(handle);
        return;
      } catch (err) {
        const delay = backoffDelay(attempt, initialDelay, 30_000);
        this.#o.report(
          `PostgreSQL restart attempt ${attempt} failed, retrying in ${delay / 1000} s: ${(err as Error).message.split('\n')[0]}`,
        );
        await abortableSleep(delay);
      }
    }
  }

  /** Stops supervising and stops the server. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#restarting;
    await this.#handle?.stop();
    this.#handle = undefined;
  }
}
