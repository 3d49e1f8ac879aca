import { Counter, Gauge, type Registry } from 'prom-client';
import type { Pool } from '../db/index.js';
import { REJECT_REASONS, type RejectReason } from '../orders/index.js';

/** Counters of the ingest service. */
export interface IngestMetrics {
  /** Orders stored or recognised as replays, by endpoint (single|batch) and outcome (created|replayed). */
  readonly accepted: Counter<'endpoint' | 'outcome'>;
  /** Orders refused, by endpoint and reason. */
  readonly rejected: Counter<'endpoint' | 'reason'>;
  /** Catalog upserts, by entity (merchant|category|product) and outcome (created|updated|rejected). */
  readonly catalogWrites: Counter<'entity' | 'outcome'>;
}

/** Registers the ingest counters and the database pool gauges on `registry`. */
export function createIngestMetrics(registry: Registry, pool: Pool): IngestMetrics {
  const accepted = new Counter({
    name: 'catcast_ingest_orders_accepted_total',
    help: 'Orders accepted (created or idempotent replay) by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'catcast_ingest_orders_rejected_total',
    help: 'Orders rejected by endpoint and reason',
    labelNames: ['endpoint', 'reason'] as const,
    registers: [registry],
  });
  const catalogWrites = new Counter({
    name: 'catcast_ingest_catalog_writes_total',
    help: 'Catalog upserts by entity and outcome',
    labelNames: ['entity', 'outcome'] as const,
    registers: [registry],
  });
  // Zero-initialised series make rate() and alerts work before the first occurrence.
  for (const endpoint of ['single', 'batch']) {
    for (const outcome of ['created', 'replayed']) accepted.inc({ endpoint, outcome }, 0);
    for (const reason of REJECT_REASONS) rejected.inc({ endpoint, reason }, 0);
  }
  new Gauge({
    name: 'catcast_db_pool_connections',
    help: 'Connections of the database pool by state (total, idle, waiting = queued requests)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  return { accepted, rejected, catalogWrites };
}

/** Maps an HTTP status of a body-level refusal (413, 415, 400) to a reject reason. */
export function reasonOfStatus(status: number): RejectReason {
  return status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'malformed';
}
