/**
 * (2) End-to-end freshness: a steady order rate through ingest -> outbox -> relay -> Kafka ->
 * aggregator, and the time from an order's 201 to it being visible in /api/top-categories.
 * Probe merchants receive one order at a time (one item, category c-0); each probe polls the read
 * API every 5 ms until the order count of c-0 grew, so every sample is a real visible-in-API time.
 */
import { round, percentile, type BenchContext } from '../lib/context.js';
import { CATALOG, freshDatabase, merchantId, seedCatalog, seedOrderHistory, todayUtc } from '../lib/env.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { startPipeline } from '../lib/pipeline.js';
import { log, sleep } from '../lib/proc.js';
import { startPipelineMeter, type PipelineBatches, type PipelineCpu } from '../lib/pipeline-cpu.js';

/** Results of the freshness scenario. */
export interface FreshnessResult {
  readonly targetRate: number;
  readonly seconds: number;
  readonly load: LoadResult;
  readonly samples: number;
  readonly lostProbes: number;
  readonly visibleMs: {
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
    mean: number | null;
  };
  /** Share of samples per latency band, for the distribution. */
  readonly histogram: Record<string, number>;
  /**
   * Where the time goes, over every order of the run (ms, p50/p99): accepted (created_at) -> marked
   * published by the relay (published_at, after the broker's ack), and published -> the start of the
   * aggregator transaction that applied it (processed_at).
   */
  readonly stagesMs: { relay: [number, number] | null; consume: [number, number] | null };
  /** CPU per order over the load's seconds (absent in earlier runs); the aggregator's includes the probes' reads. */
  readonly cpu?: PipelineCpu;
  /** The relay's and the aggregator's batches over the load's seconds (absent in earlier runs). */
  readonly batches?: PipelineBatches;
}

const LOAD_MERCHANTS = 10;
const PROBES = 4;
const BANDS = [50, 100, 150, 250, 500, 1000, 2000, 5000];

async function orderCount(url: string, merchant: string, day: string): Promise<number> {
  const res = await fetch(
    `${url}/api/top-categories?merchantId=${merchant}&bucketType=DAY&bucketStart=${day}&limit=100`,
  );
  if (!res.ok) throw new Error(`top-categories answered ${res.status}`);
  const body = (await res.json()) as { categories: { categoryId: string; orderCount: number }[] };
  return body.categories.find((c) => c.categoryId === 'c-0')?.orderCount ?? 0;
}

/** Runs the freshness benchmark. */
export async function freshnessScenario(ctx: BenchContext): Promise<FreshnessResult> {
  // BENCH_FRESHNESS_RATE: another steady rate (e.g. the read mix's 300 orders/s), for side-by-side runs.
  const rate = Number(process.env.BENCH_FRESHNESS_RATE ?? (ctx.smoke ? 50 : 500));
  if (!(Number.isInteger(rate) && rate > 0))
    throw new Error(
      `BENCH_FRESHNESS_RATE must be a positive integer, got ${process.env.BENCH_FRESHNESS_RATE}`,
    );
  const seconds = ctx.smoke ? 5 : 60;
  const db = await freshDatabase(ctx.infra, 'freshness');
  try {
    const shape = { merchants: LOAD_MERCHANTS, ...CATALOG };
    await seedCatalog(db, { ...shape, merchants: LOAD_MERCHANTS + PROBES });
    // Steady state, not a store's first minute (see seedOrderHistory): the load merchants' history only,
    // so the probe merchants' top categories start from zero.
    await seedOrderHistory(db, shape, ctx.smoke ? 1_000 : 20_000);
    const p = await startPipeline(ctx, db, 'freshness');
    try {
      const day = todayUtc();
      const samples: number[] = [];
      let lost = 0;
      let stop = false;
      const probe = async (k: number) => {
        const merchant = merchantId(LOAD_MERCHANTS + 1 + k);
        let seen = await orderCount(p.aggregatorUrl, merchant, day);
        for (let n = 0; !stop; n++) {
          const res = await fetch(`${p.ingestUrl}/v1/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              merchantId: merchant,
              externalOrderId: `${ctx.runId}-probe-${k}-${n}`,
              currency: 'EUR',
              placedAt: new Date().toISOString(),
              items: [{ productId: 'p-0', quantity: 1, unitPrice: '1.00' }],
            }),
          });
          const t0 = performance.now();
          if (res.status !== 201) throw new Error(`probe order answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
          const deadline = t0 + 30_000;
          let visible = false;
          while (performance.now() < deadline) {
            const count = await orderCount(p.aggregatorUrl, merchant, day);
            if (count > seen) {
              samples.push(performance.now() - t0);
              seen = count;
              visible = true;
              break;
            }
            await sleep(5);
          }
          if (!visible) lost++;
          await sleep(20 + Math.random() * 80);
        }
      };
      log(`freshness: ${rate} orders/s for ${seconds} s + ${PROBES} probe merchants`);
      const probes = Array.from({ length: PROBES }, (_, k) => probe(k));
      const meter = await startPipelineMeter(p);
      const load = await runLoad({
        url: p.ingestUrl,
        kind: 'order',
        // Enough connections to hold the rate even when a response takes 100 ms on a busy machine.
        connections: ctx.smoke ? 4 : 64,
        durationSec: seconds,
        overallRate: rate,
        merchants: LOAD_MERCHANTS,
        merchantOffset: 0,
        products: CATALOG.products,
        prefix: `${ctx.runId}-f`,
      });
      const reading = await meter.read();
      stop = true;
      await Promise.all(probes);
      const { cpu, batches } = reading(load.ok + samples.length);
      for (const s of [p.ingest, p.relay, p.aggregator]) ctx.noteRss(s, `pipeline at ${rate} orders/s`);
      const histogram: Record<string, number> = {};
      let lower = 0;
      for (const b of [...BANDS, Infinity]) {
        const n = samples.filter((s) => s >= lower && s < b).length;
        histogram[b === Infinity ? `>=${lower} ms` : `<${b} ms`] =
          round(n / Math.max(1, samples.length), 3) ?? 0;
        lower = b;
      }
      const { rows: stages } = await db.pool.query<{ relay: number[] | null; consume: number[] | null }>(
        `SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP
                  (ORDER BY extract(epoch FROM e.published_at - e.created_at) * 1000) AS relay,
                percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP
                  (ORDER BY extract(epoch FROM p.processed_at - e.published_at) * 1000) AS consume
           FROM ingestion.order_events e JOIN forecasting.processed_events p ON p.event_id = e.id`,
      );
      const pair = (v: number[] | null | undefined): [number, number] | null =>
        v ? [round(v[0], 0) ?? 0, round(v[1], 0) ?? 0] : null;
      const mean = samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : null;
      const result: FreshnessResult = {
        targetRate: rate,
        seconds,
        load,
        samples: samples.length,
        lostProbes: lost,
        visibleMs: {
          p50: round(percentile(samples, 50), 0),
          p90: round(percentile(samples, 90), 0),
          p99: round(percentile(samples, 99), 0),
          max: round(percentile(samples, 100), 0),
          mean: round(mean, 0),
        },
        histogram,
        stagesMs: { relay: pair(stages[0]?.relay), consume: pair(stages[0]?.consume) },
        cpu,
        batches,
      };
      log(
        `freshness: ${JSON.stringify(result.visibleMs)} over ${samples.length} samples; stages ${JSON.stringify(result.stagesMs)}; CPU ${JSON.stringify(cpu)}; batches ${JSON.stringify(batches)}`,
      );
      return result;
    } finally {
      await p.stop();
    }
  } finally {
    await db.drop();
  }
}
