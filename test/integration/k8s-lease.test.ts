// Leader election for the forecast shards on coordination.k8s.io/v1 Leases of a real kube-apiserver
// (started by global-setup): one leader at a time, takeover after a leader stops renewing, and a
// paused ex-leader fenced out of Postgres when it wakes up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForecastPool, type ForecastPool } from '../../pkg/forecast-engine/index.js';
import { runForecastJob, type ForecastJobOptions } from '../../pkg/forecast-job/index.js';
import {
  LeaderElector,
  type KubernetesLeaseStore,
  type LeaseRecord,
  type LeaseStore,
  type StoredLease,
} from '../../pkg/leader/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { adminLeaseStore, createNamespace } from './support/kube.js';
import { seedAggregates, seedCatalog } from './support/seed.js';
import { waitFor } from './support/wait.js';

// Short client-go-shaped timings (leaseDuration > renewDeadline > 1.2 x retryPeriod) keep the file fast;
// the lease duration is whole seconds because Lease.spec.leaseDurationSeconds is.
const LEASE_MS = 3000;
const RENEW_DEADLINE_MS = 2000;
const RETRY_MS = 500;
const timing = { leaseDurationMs: LEASE_MS, renewDeadlineMs: RENEW_DEADLINE_MS, retryPeriodMs: RETRY_MS };
// Added to time bounds for API round trips and timer drift on a shared 2-core machine; smaller than
// any of the periods, so a bound that is off by one period still fails (unless the API server itself
// answers slowly: see slackMs).
const SLACK_MS = 400;

let namespace: string;
let admin: KubernetesLeaseStore;

beforeAll(async () => {
  namespace = await createNamespace('lease');
  admin = await adminLeaseStore(namespace);
});

/** One contender's time as leader: from its work starting to leadership ending (lost or done). */
interface Turn {
  readonly id: string;
  readonly token: number;
  readonly start: number;
  end?: number;
}

/** Records every turn and any instant at which two contenders believed they lead. */
class Observer {
  readonly turns: Turn[] = [];
  readonly overlaps: string[] = [];
  private readonly current = new Map<string, Turn>();

  begin(id: string, token: number): Turn {
    if (this.current.size > 0)
      this.overlaps.push(`${id} started leading while ${[...this.current.keys()].join(',')} led`);
    const turn: Turn = { id, token, start: performance.now() };
    this.turns.push(turn);
    this.current.set(id, turn);
    return turn;
  }

  end(turn: Turn): void {
    if (turn.end !== undefined) return;
    turn.end = performance.now();
    this.current.delete(turn.id);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** A pod's view of the API server that can be cut off (a crashed or partitioned leader stops renewing). */
class CuttableStore implements LeaseStore {
  readonly description = 'cuttable';
  cut = false;
  /** When this contender last wrote the lease successfully (acquired or renewed it). */
  lastWrite = 0;
  /** Slowest API call seen, to size the slack of time bounds. */
  slowestCallMs = 0;
  constructor(private readonly inner: LeaseStore) {}
  private async call<T>(fn: () => Promise<T>, write: boolean): Promise<T> {
    if (this.cut) throw new Error('cut off');
    const started = performance.now();
    const result = await fn();
    const now = performance.now();
    this.slowestCallMs = Math.max(this.slowestCallMs, now - started);
    if (write) this.lastWrite = now;
    return result;
  }
  get(name: string): Promise<StoredLease | null> {
    return this.call(() => this.inner.get(name), false);
  }
  create(name: string, r: LeaseRecord): Promise<StoredLease> {
    return this.call(() => this.inner.create(name, r), true);
  }
  update(name: string, r: LeaseRecord, version: string): Promise<StoredLease> {
    return this.call(() => this.inner.update(name, r, version), true);
  }
}

/**
 * Slack for a time bound: SLACK_MS, or more when the API server is slow, because a contender's polls
 * drift by one round trip each and it polls LEASE_MS / RETRY_MS times while a lease expires.
 */
function slackMs(stores: readonly CuttableStore[]): number {
  const slowest = Math.max(...stores.map((s) => s.slowestCallMs));
  return Math.max(SLACK_MS, (LEASE_MS / RETRY_MS + 2) * slowest);
}

/**
 * Campaigns for `lease` until `stop` aborts; each time it leads, works for `holdMs` (or until leadership
 * is lost), then lets the lease go and rests `restMs` before campaigning again.
 */
async function contender(
  id: string,
  store: LeaseStore,
  lease: string,
  observer: Observer,
  { holdMs, restMs }: { holdMs: number; restMs: number },
  stop: AbortSignal,
): Promise<void> {
  const elector = new LeaderElector({ store, name: lease, identity: id, ...timing });
  while (!stop.aborted) {
    await elector.run(async ({ signal, fencingToken, lease: held }) => {
      expect(held.holderIdentity).toBe(id);
      const turn = observer.begin(id, fencingToken);
      // Synchronously on abort, before any other contender's I/O can complete.
      signal.addEventListener('abort', () => observer.end(turn), { once: true });
      await sleep(holdMs, AbortSignal.any([signal, stop]));
      observer.end(turn);
    }, stop);
    await sleep(restMs, stop);
  }
}

describe('Kubernetes Lease leader election (real kube-apiserver)', () => {
  it('lets exactly one of three contenders lead at any instant, handing over on release', async () => {
    const lease = 'catcast-forecast-shard-0';
    const observer = new Observer();
    const stop = new AbortController();
    // Separate store instances: three pods, three clients.
    const stores = await Promise.all([0, 1, 2].map(() => adminLeaseStore(namespace)));
    const running = stores.map((store, i) =>
      // The one that just let go rests two retry periods, so another one gets the lease.
      contender(`pod-${i}`, store, lease, observer, { holdMs: 1200, restMs: 2 * RETRY_MS }, stop.signal),
    );
    try {
      await waitFor('six turns of leadership', () => observer.turns.length >= 6, { timeoutMs: 60_000 });
    } finally {
      stop.abort();
      await Promise.all(running);
    }

    expect(observer.overlaps).toEqual([]);
    expect(new Set(observer.turns.map((t) => t.id)).size).toBeGreaterThanOrEqual(2);
    // Every acquisition bumped leaseTransitions, the fencing token: strictly increasing, no reuse.
    const tokens = observer.turns.map((t) => t.token);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(tokens.length);
    // The last leader released the lease on clean completion.
    const stored = await admin.get(lease);
    expect(stored).toMatchObject({ holderIdentity: '', leaseTransitions: tokens.at(-1) });
  });

  it('moves leadership to another contender within leaseDuration + retryPeriod after the leader stops renewing', async () => {
    const lease = 'catcast-forecast-shard-1';
    const observer = new Observer();
    const stop = new AbortController();
    const stores = await Promise.all(
      [0, 1, 2].map(async () => new CuttableStore(await adminLeaseStore(namespace))),
    );
    const running = stores.map((store, i) =>
      contender(`pod-${i}`, store, lease, observer, { holdMs: 600_000, restMs: RETRY_MS }, stop.signal),
    );
    try {
      const first = await waitFor('a leader', () => observer.turns[0], { timeoutMs: 20_000 });
      const leaderStore = stores[Number(first.id.slice(4))]!;
      // Let it renew a couple of times first: the takeover must wait out a renewed lease.
      const acquiredAt = leaderStore.lastWrite;
      await waitFor('two renewals', () => leaderStore.lastWrite > acquiredAt + RETRY_MS, {
        timeoutMs: 10_000,
      });
      leaderStore.cut = true;
      const lastRenewal = leaderStore.lastWrite;

      const next = await waitFor('another leader', () => observer.turns[1], { timeoutMs: 20_000 });
      const slack = slackMs(stores);
      expect(next.id).not.toBe(first.id);
      expect(next.token).toBeGreaterThan(first.token);
      // Taken over within one lease duration plus one retry period of the last renewal...
      expect(next.start - lastRenewal).toBeLessThanOrEqual(LEASE_MS + RETRY_MS + slack);
      // ...but not before the lease expired: others wait a full lease duration without a renewal.
      expect(next.start - lastRenewal).toBeGreaterThanOrEqual(LEASE_MS - SLACK_MS);
      // The cut-off leader gave up once its renew deadline passed, before anyone could take over.
      expect(first.end).toBeDefined();
      expect(first.end! - lastRenewal).toBeLessThanOrEqual(RENEW_DEADLINE_MS + RETRY_MS + slack);
      expect(first.end!).toBeLessThan(next.start);
      expect(observer.overlaps).toEqual([]);
      expect(await admin.get(lease)).toMatchObject({ holderIdentity: next.id });
    } finally {
      stop.abort();
      await Promise.all(running);
    }
    expect(observer.overlaps).toEqual([]);
  });
});

/** A lease store whose calls hang while the process is "paused" and fail once it wakes up. */
class PausableStore implements LeaseStore {
  readonly description = 'pausable';
  paused = false;
  private readonly hung: (() => void)[] = [];
  constructor(private readonly inner: LeaseStore) {}
  private call<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.paused) return fn();
    return new Promise<T>((_, reject) => this.hung.push(() => reject(new Error('was paused'))));
  }
  /** Ends the pause: calls made during it fail (their connections would have timed out). */
  wake(): void {
    this.paused = false;
    for (const h of this.hung.splice(0)) h();
  }
  get(name: string) {
    return this.call(() => this.inner.get(name));
  }
  create(name: string, r: LeaseRecord) {
    return this.call(() => this.inner.create(name, r));
  }
  update(name: string, r: LeaseRecord, version: string) {
    return this.call(() => this.inner.update(name, r, version));
  }
}

describe('forecast job on Kubernetes Leases (real kube-apiserver + Postgres)', () => {
  let db: TestDatabase;
  let forecaster: ForecastPool;
  const NOW = new Date('2026-11-25T12:00:00Z');

  beforeAll(async () => {
    db = await createTestDatabase('k8slease');
    forecaster = createForecastPool({ threads: 1 });
    const cats = await seedCatalog(db.pool, 'm-k8s', 2);
    await seedAggregates(
      db.pool,
      'm-k8s',
      cats,
      'WEEK',
      '2025-06-02',
      '2026-11-16',
      (c, i) => 10_000 * (c + 1) + 500 * Math.sin(i / 3) + 11 * i,
    );
  });
  afterAll(async () => {
    await forecaster?.close();
    await db?.drop();
  });

  it('fences out a paused ex-leader that wakes up after another pod took the lease', async () => {
    const options: ForecastJobOptions = {
      shardIndex: 0,
      shardCount: 1,
      bucketTypes: ['WEEK'],
      models: ['seasonal_naive', 'naive'],
      merchantBatch: 10,
      keepSets: 5,
      leaseNamePrefix: 'fence-shard-',
      ...timing,
      leaseWaitMs: 20_000,
    };
    // Pod A: its forecasting blocks at a gate (the "pause"), and so do its lease calls once paused.
    const storeA = new PausableStore(await adminLeaseStore(namespace));
    let reached!: () => void;
    const atGate = new Promise<void>((r) => (reached = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const pausedForecaster: Pick<ForecastPool, 'forecastMany'> = {
      forecastMany: async (requests) => {
        reached();
        await gate;
        return forecaster.forecastMany(requests);
      },
    };
    const a = runForecastJob(
      { ...options, identity: 'pod-a' },
      {
        pool: db.pool,
        leaseStore: storeA,
        forecaster: pausedForecaster,
        logger: silentLogger(),
        now: () => NOW,
      },
      new AbortController().signal,
    );
    await atGate; // A leads and has read its input
    // While it leads, A's run stamps heartbeats (the Kubernetes Lease is not in Postgres, so this is
    // what forecast-api's catcast_forecast_shard_leader_present reads).
    await waitFor(
      "A's run heartbeat",
      async () => {
        const { rows } = await db.pool.query<{ beats: boolean }>(
          `SELECT heartbeat_at > started_at + interval '100 milliseconds' AS beats
             FROM forecasting.forecast_runs WHERE lease_holder = 'pod-a'`,
        );
        return rows[0]?.beats === true;
      },
      { timeoutMs: 30_000 },
    );
    storeA.paused = true;
    const tokenA = (await admin.get('fence-shard-0'))!.leaseTransitions;
    // New sales after A read its input: A's forecasts, if written, would be a new (stale) set.
    await db.pool.query(
      `UPDATE forecasting.category_sales_agg SET total_sales_minor = total_sales_minor + 100 WHERE merchant_id = 'm-k8s'`,
    );

    // Pod B takes over once A's lease expired and writes the shard's forecasts.
    const b = await runForecastJob(
      { ...options, identity: 'pod-b' },
      {
        pool: db.pool,
        leaseStore: await adminLeaseStore(namespace),
        forecaster,
        logger: silentLogger(),
        now: () => new Date(NOW.getTime() + 1000),
      },
      new AbortController().signal,
    );
    expect(b).toMatchObject({ status: 'succeeded', setsWritten: 1 });
    const lease = await admin.get('fence-shard-0');
    expect(lease!.leaseTransitions).toBe(tokenA + 1); // released by B, transitions kept

    // A wakes up still believing it leads (its renew loop is stuck in the paused call) and writes.
    open();
    const runA = await waitFor(
      "A's run to end",
      async () => {
        const { rows } = await db.pool.query<{ status: string; error: string | null; fencing_token: number }>(
          `SELECT status, error, fencing_token::int AS fencing_token FROM forecasting.forecast_runs
            WHERE lease_holder = 'pod-a' AND finished_at IS NOT NULL`,
        );
        return rows[0];
      },
      { timeoutMs: 30_000 },
    );
    storeA.wake();
    const summaryA = await a;
    expect(runA).toMatchObject({ status: 'fenced', fencing_token: tokenA });
    expect(runA.error).toMatch(/fencing token \d+ is older than the current one/);
    expect(summaryA).toMatchObject({ status: 'fenced', setsWritten: 0 });

    // Only B's forecasts exist; the fence holds B's token.
    const sets = await db.pool.query<{ lease_holder: string }>(
      `SELECT r.lease_holder FROM forecasting.forecast_sets s JOIN forecasting.forecast_runs r USING (run_id)`,
    );
    expect(sets.rows).toEqual([{ lease_holder: 'pod-b' }]);
    const fence = await db.pool.query<{ token: string }>(
      `SELECT token::text FROM forecasting.shard_fences WHERE shard_key = 'shard-0-of-1'`,
    );
    expect(Number(fence.rows[0]!.token)).toBe(tokenA + 1);
  });
});
