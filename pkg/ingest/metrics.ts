import { Counter, type Registry } from '../metrics/index.js';
import { registerPoolMetrics, type Pool } from '../db/index.js';
import { registerOutboxBacklogMetrics } from '../outbox/index.js';
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

/**
 * Registers the ingest counters on `registry`, and with a pool its gauges and the outbox backlog
 * gauges (without one, as over in-memory stores, there is neither).
 */
export function createIngestMetrics(registry: Registry, pool?: Pool): IngestMetrics {
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
  if (pool) {
    registerPoolMetrics(registry, { primary: pool });
    // The outbox this service writes: exported here too, because a relay that is down cannot report it.
    registerOutboxBacklogMetrics(registry, pool);
  }
  return { accepted, rejected, catalogWrites };
}

/** Maps an HTTP status of a body-level refusal (413, 415, 400) to a reject reason. */
export function reasonOfStatus(status: number): RejectReason {
  return status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'malformed';
}
