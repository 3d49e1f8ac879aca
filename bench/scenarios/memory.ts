/**
 * (6) Memory: peak RSS (VmHWM) of ingest, relay and aggregator under the same steady order rate
 * spread over 1, 100 and 10,000 merchants. Per-merchant state that grows without bound shows here.
 */
import type { BenchContext } from '../lib/context.js';
import { freshDatabase, seedCatalog } from '../lib/env.js';
import { runLoad } from '../lib/load.js';
import { startPipeline } from '../lib/pipeline.js';
import { log, waitFor } from '../lib/proc.js';

/** Peak RSS per service for one merchant count. */
export interface MemoryRow {
  readonly merchants: number;
  readonly orders: number;
  readonly peakRssMb: Record<'ingest' | 'relay' | 'aggregator', number | null>;
}

/** Results of the memory scenario. */
export interface MemoryResult {
  readonly rate: number;
  readonly seconds: number;
  readonly rows: MemoryRow[];
  /** Largest peak at the most merchants divided by the peak at one merchant, per service. */
  readonly growth: Record<string, number | null>;
}

/** Runs the memory benchmark. */
export async function memoryScenario(ctx: BenchContext): Promise<MemoryResult> {
  const counts = ctx.smoke ? [1, 10] : [1, 100, 10_000];
  const rate = ctx.smoke ? 50 : 300;
  const seconds = ctx.smoke ? 3 : 30;
  const rows: MemoryRow[] = [];
  for (const merchants of counts) {
    const db = await freshDatabase(ctx.infra, `memory${merchants}`);
    try {
      await seedCatalog(db, { merchants, categories: 10, products: 20 });
      const p = await startPipeline(ctx, db, `memory${merchants}`);
      try {
        const load = await runLoad({
          url: p.ingestUrl,
          kind: 'order',
          connections: 8,
          durationSec: seconds,
          overallRate: rate,
          merchants,
          merchantOffset: 0,
          products: 20,
          prefix: `${ctx.runId}-mem${merchants}`,
        });
        // Wait until the aggregator applied everything, so its peak covers the whole load.
        await waitFor(
          'the aggregator to apply every order',
          async () => {
            const { rows: r } = await db.pool.query<{ n: string }>(
              'SELECT coalesce(sum(events_applied), 0) AS n FROM forecasting.aggregation_watermarks',
            );
            return Number(r[0]!.n) >= load.ok ? true : undefined;
          },
          { timeoutMs: 300_000, everyMs: 250 },
        );
        for (const s of [p.ingest, p.relay, p.aggregator])
          ctx.noteRss(s, `${merchants} merchants at ${rate} orders/s`);
        rows.push({
          merchants,
          orders: load.ok,
          peakRssMb: {
            ingest: p.ingest.peakRssMb() ?? null,
            relay: p.relay.peakRssMb() ?? null,
            aggregator: p.aggregator.peakRssMb() ?? null,
          },
        });
        log(`memory: ${merchants} merchants: ${JSON.stringify(rows.at(-1)!.peakRssMb)}`);
      } finally {
        await p.stop();
      }
    } finally {
      await db.drop();
    }
  }
  const growth: Record<string, number | null> = {};
  for (const s of ['ingest', 'relay', 'aggregator'] as const) {
    const first = rows[0]?.peakRssMb[s];
    const last = rows.at(-1)?.peakRssMb[s];
    growth[s] = first && last ? Math.round((last / first) * 100) / 100 : null;
  }
  return { rate, seconds, rows, growth };
}
