/** The pieces every fault scenario needs: service environments, load, metrics, convergence and the exactness checks. */
import { expect } from 'vitest';
import type { Pool, Queryable } from '../../../pkg/db/index.js';
import { reconcile } from '../../../pkg/reconcile/index.js';
import { runSimulation, type OutcomeEvent, type SimulationSummary } from '../../../pkg/simulator/index.js';
import { startBinary, type ChildService } from '../../integration/support/process.js';
import { waitFor } from '../../integration/support/wait.js';
import { checkExactness, ClientLedger, describeOracle, type OracleReport } from './oracle.js';

export { startBinary, waitFor, type ChildService };

/** Environment shared by the pipeline binaries of one scenario (own topic, DLQ and consumer group). */
export function pipelineEnv(databaseUrl: string, brokers: string, topic: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    KAFKA_CONSUMER_GROUP: `${topic}-aggregator`,
    AUTH_MODE: 'none',
    PORT: '0',
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_SECONDS: '10',
  };
}

/** A started service with its base URL. */
export interface Running extends ChildService {
  readonly url: string;
}

/** Starts cmd/<name> and waits for its listening port. */
export async function startService(name: string, env: Record<string, string>): Promise<Running> {
  const s = startBinary(name, env);
  const port = await s.port();
  return Object.assign(s, { url: `http://127.0.0.1:${port}` });
}

/** The sum of every sample of metric `name` on `url`/metrics (undefined when absent or unreachable). */
export async function metric(url: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    let sum: number | undefined;
    for (const line of text.split('\n')) {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`).exec(line);
      if (m) sum = (sum ?? 0) + Number(m[1]);
    }
    return sum;
  } catch {
    return undefined;
  }
}

/** Steady simulator traffic against ingest, in this process, until `stop()`. */
export interface Load {
  /** Outcomes by HTTP status (or "network"), live phase only. */
  readonly statuses: Map<string, number>;
  /** Live outcomes, with the time they were answered. */
  readonly outcomes: OutcomeEvent[];
  /** Answers that made the simulator retry, by HTTP status or "network" (from its first warnings only). */
  readonly retried: Map<string, number>;
  /** Every answer the simulator got (all phases): what the oracle holds the pipeline to. */
  readonly ledger: ClientLedger;
  /** Resolves once the live phase sent its first order. */
  readonly live: Promise<void>;
  stop(): Promise<SimulationSummary>;
}

/** Options of {@link startLoad}. */
export interface LoadOptions {
  readonly rate: number;
  readonly merchants?: number;
  readonly seed: string;
  /** Days of history backfilled first. @default 14 */
  readonly days?: number;
  readonly ordersPerDay?: number;
  readonly merchantPrefix?: string;
  /** Attempts per request for 503/429/network answers. @default 12 */
  readonly maxAttempts?: number;
}

/** Starts the simulator: catalog sync, a small backfill, then `rate` orders/s. */
export function startLoad(ingestUrl: string, options: LoadOptions): Load {
  const controller = new AbortController();
  const statuses = new Map<string, number>();
  const outcomes: OutcomeEvent[] = [];
  const ledger = new ClientLedger();
  const retried = new Map<string, number>();
  let markLive: () => void = () => undefined;
  const live = new Promise<void>((r) => (markLive = r));
  const running = runSimulation(
    {
      ingestUrl,
      seed: options.seed,
      merchants: options.merchants ?? 2,
      merchantPrefix: options.merchantPrefix ?? 'sim',
      days: options.days ?? 14,
      ordersPerDay: options.ordersPerDay ?? 10,
      rate: options.rate,
      concurrency: 8,
      maxAttempts: options.maxAttempts ?? 12,
      onWarning: (w) => {
        const m = /^retrying .* after (?:HTTP (\d+)|(network) error)/.exec(w);
        if (m) retried.set(m[1] ?? m[2]!, (retried.get(m[1] ?? m[2]!) ?? 0) + 1);
      },
      onOutcome: (e) => {
        ledger.record(e);
        if (e.phase !== 'live') return;
        markLive();
        outcomes.push(e);
        statuses.set(String(e.status), (statuses.get(String(e.status)) ?? 0) + 1);
      },
    },
    controller.signal,
  );
  running.catch(() => markLive());
  return {
    statuses,
    outcomes,
    ledger,
    retried,
    live,
    async stop() {
      controller.abort();
      return running;
    },
  };
}

/** Outbox rows not yet published, and events not yet applied by the aggregator. */
export async function backlog(
  db: Queryable,
): Promise<{ unpublished: number; unapplied: number; orders: number }> {
  const { rows } = await db.query<{ unpublished: string; unapplied: string; orders: string }>(
    `SELECT (SELECT count(*) FROM ingestion.order_events WHERE published_at IS NULL) AS unpublished,
            (SELECT count(*) FROM ingestion.order_events e
              WHERE NOT EXISTS (SELECT 1 FROM forecasting.processed_events p WHERE p.event_id = e.id)) AS unapplied,
            (SELECT count(*) FROM ingestion.orders) AS orders`,
  );
  const r = rows[0]!;
  return { unpublished: Number(r.unpublished), unapplied: Number(r.unapplied), orders: Number(r.orders) };
}

/** Waits until every stored order's event is published and applied; returns the seconds it took from `since`. */
export async function converge(
  db: Queryable,
  since: number,
  timeoutMs = 180_000,
  explain: readonly ChildService[] = [],
): Promise<number> {
  let last: Awaited<ReturnType<typeof backlog>> | undefined;
  try {
    await waitFor(
      'the outbox to drain and every event to be applied',
      async () => {
        last = await backlog(db);
        return last.unpublished === 0 && last.unapplied === 0;
      },
      { timeoutMs, intervalMs: 250 },
    );
  } catch (err) {
    // Say where it is stuck: the backlog and the last log lines of the processes involved.
    const tails = explain.map(
      (s) =>
        `--- ${s.name} (exit ${s.child.exitCode ?? s.child.signalCode ?? 'running'})\n${s.log.join('').split('\n').slice(-15).join('\n')}`,
    );
    throw new Error(`${(err as Error).message}; backlog ${JSON.stringify(last)}\n${tails.join('\n')}`, {
      cause: err,
    });
  }
  return (Date.now() - since) / 1000;
}

/**
 * The closing check of every scenario: the simulator left no order without a verdict and had no
 * valid order refused, then the exactness oracle (support/oracle.ts) over everything the client was
 * told, and reconcile() agrees (no drift, nothing in flight). Returns the oracle's measurements and
 * the line to record as a check.
 */
export async function assertExact(
  pool: Pool,
  summaries: SimulationSummary | readonly SimulationSummary[],
  ledgers: ClientLedger | readonly ClientLedger[],
): Promise<OracleReport & { line: string }> {
  for (const summary of Array.isArray(summaries) ? summaries : [summaries]) {
    expect((summary as SimulationSummary).failed, 'orders without a verdict').toBe(0);
    expect((summary as SimulationSummary).rejected, 'valid orders rejected').toBe(0);
  }
  const report = await checkExactness(pool, ledgers);
  const merchants = (
    Array.isArray(ledgers) ? (ledgers as ClientLedger[]) : [ledgers as ClientLedger]
  ).flatMap((l) => l.merchants());
  for (const merchantId of merchants) {
    const result = await reconcile(pool, { merchantId });
    expect(result.inFlightOrders).toBe(0);
    expect(result.drift).toEqual([]);
  }
  return { ...report, line: describeOracle(report) };
}

/** GETs `url` and parses JSON; the status and headers come along. */
export async function getJson(url: string): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}

/** Ids of the merchants in the database. */
export async function merchantIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM ingestion.merchants ORDER BY id`);
  return rows.map((r) => r.id);
}

/** Resolves after `ms`. Only for pacing a fault (how long it lasts), never for waiting on an outcome. */
export function hold(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
