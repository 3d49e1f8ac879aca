import { format } from 'prettier';
import { METRICS } from './metrics.js';

interface Panel {
  id: number;
  title: string;
  type: 'timeseries' | 'stat';
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: 'prometheus'; uid: '${datasource}' };
  targets: { expr: string; legendFormat: string; refId: string }[];
  fieldConfig: { defaults: { unit: string }; overrides: [] };
}

/**
 * The Grafana dashboard of catcast: one panel per alert, plus traffic, latency, the read API
 * (aggregator-api), relay, the aggregator's consumer and pools.
 */
export function dashboard(): Record<string, unknown> {
  const specs: { title: string; unit: string; type?: 'stat'; exprs: [string, string][] }[] = [
    {
      title: 'HTTP requests by service and status',
      unit: 'reqps',
      exprs: [
        [`sum by (service, status) (rate(${METRICS.httpDuration}_count[5m]))`, '{{service}} {{status}}'],
      ],
    },
    {
      title: 'Ingest 5xx ratio',
      unit: 'percentunit',
      exprs: [
        [
          `sum(rate(${METRICS.httpDuration}_count{service=~".*-ingest",status=~"5.."}[5m])) / clamp_min(sum(rate(${METRICS.httpDuration}_count{service=~".*-ingest"}[5m])), 1e-9)`,
          '5xx ratio',
        ],
      ],
    },
    {
      title: 'HTTP p95 latency by service and route',
      unit: 's',
      exprs: [
        [
          `histogram_quantile(0.95, sum by (service, route, le) (rate(${METRICS.httpDuration}_bucket[5m])))`,
          '{{service}} {{route}}',
        ],
      ],
    },
    {
      // The read API is its own Deployment (aggregator-api, AGGREGATOR_ROLE=api): its latency and
      // errors are the read path's, never mixed with the consumer's applies.
      title: 'Read API (aggregator-api): p99 latency by route, 5xx ratio',
      unit: 's',
      exprs: [
        [
          `histogram_quantile(0.99, sum by (route, le) (rate(${METRICS.httpDuration}_bucket{service=~".*-aggregator-api",route=~"/api/.*"}[5m])))`,
          'p99 {{route}}',
        ],
        [
          `sum(rate(${METRICS.httpDuration}_count{service=~".*-aggregator-api",status=~"5.."}[5m])) / clamp_min(sum(rate(${METRICS.httpDuration}_count{service=~".*-aggregator-api"}[5m])), 1e-9)`,
          '5xx ratio',
        ],
      ],
    },
    {
      title: 'Read API (aggregator-api): response cache hit ratio',
      unit: 'percentunit',
      exprs: [
        [
          `sum(rate(${METRICS.apiCacheLookups}{service=~".*-aggregator-api",result="hit"}[5m])) / clamp_min(sum(rate(${METRICS.apiCacheLookups}{service=~".*-aggregator-api"}[5m])), 1e-9)`,
          'hit ratio',
        ],
      ],
    },
    {
      // Reads that arrive together share one statement: under load this rises above 1, and the
      // database runs fewer, larger statements.
      title: 'Read APIs: reads per statement by route',
      unit: 'short',
      exprs: [
        [
          `sum by (route) (rate(${METRICS.apiReadBatchSize}_sum[5m])) / clamp_min(sum by (route) (rate(${METRICS.apiReadBatchSize}_count[5m])), 1e-9)`,
          '{{route}}',
        ],
      ],
    },
    {
      title: 'Outbox: oldest unpublished event age',
      unit: 's',
      exprs: [[`max(${METRICS.outboxOldestAge})`, 'oldest age']],
    },
    {
      title: 'Outbox: unpublished rows',
      unit: 'short',
      exprs: [
        [`max(${METRICS.outboxBacklog})`, 'backlog rows'],
        // 1 while the backlog query fails: the rows line then shows its last known value.
        [`max(${METRICS.outboxBacklogQueryFailed})`, 'query failing'],
      ],
    },
    {
      title: 'Relay: published events, failed batches, batch size p95',
      unit: 'short',
      exprs: [
        [`sum(rate(${METRICS.relayPublished}[5m]))`, 'published/s'],
        [`sum(rate(${METRICS.relayPublishErrors}[5m]))`, 'failed batches/s'],
        [
          `histogram_quantile(0.95, sum by (le) (rate(${METRICS.relayBatchSize}_bucket[5m])))`,
          'batch size p95',
        ],
      ],
    },
    {
      title: 'Kafka consumer lag',
      unit: 'short',
      exprs: [
        [`max(${METRICS.consumerLag}{partition="total"})`, 'total'],
        [`max by (partition) (${METRICS.consumerLag}{partition!="total"})`, 'partition {{partition}}'],
      ],
    },
    {
      title: 'Aggregation freshness (consumer)',
      unit: 's',
      exprs: [[`max(${METRICS.aggregationFreshness}{service=~".*-aggregator"})`, 'freshness']],
    },
    {
      title: 'Aggregator consumer: events applied and duplicates skipped',
      unit: 'ops',
      exprs: [
        [`sum(rate(${METRICS.eventsApplied}{service=~".*-aggregator"}[5m]))`, 'applied/s'],
        [`sum(rate(${METRICS.eventsDuplicate}{service=~".*-aggregator"}[5m]))`, 'duplicates/s'],
      ],
    },
    {
      title: 'Dead-lettered events (15 min)',
      unit: 'short',
      type: 'stat',
      exprs: [[`sum(increase(${METRICS.dlqMessages}{service=~".*-aggregator"}[15m]))`, 'DLQ']],
    },
    {
      title: 'Forecast: time since last success per shard (never succeeded: since due)',
      unit: 's',
      exprs: [
        [
          `time() - max by (shard) (${METRICS.forecastLastSuccess} or ${METRICS.forecastPendingSince})`,
          'shard {{shard}}',
        ],
      ],
    },
    {
      title: 'Forecast: last run duration per shard',
      unit: 's',
      exprs: [[`max by (shard, status) (${METRICS.forecastLastDuration})`, 'shard {{shard}} {{status}}']],
    },
    {
      title: 'Forecast shards: run in progress, leader present, lease transitions',
      unit: 'short',
      exprs: [
        [`max by (shard) (${METRICS.forecastRunRunning})`, 'running {{shard}}'],
        [`max by (shard) (${METRICS.forecastLeaderPresent})`, 'leader {{shard}}'],
        [`max by (shard) (${METRICS.forecastLeaseTransitions})`, 'transitions {{shard}}'],
      ],
    },
    {
      title: 'Database pools: busy and waiting',
      unit: 'short',
      exprs: [
        [
          `sum by (service, pool) (${METRICS.dbPool}{state="total"}) - sum by (service, pool) (${METRICS.dbPool}{state="idle"})`,
          'busy {{service}} {{pool}}',
        ],
        [`sum by (service, pool) (${METRICS.dbPool}{state="waiting"})`, 'waiting {{service}} {{pool}}'],
      ],
    },
  ];
  const panels: Panel[] = specs.map((s, i) => ({
    id: i + 1,
    title: s.title,
    type: s.type ?? 'timeseries',
    gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
    datasource: { type: 'prometheus', uid: '${datasource}' },
    targets: s.exprs.map(([expr, legendFormat], j) => ({
      expr,
      legendFormat,
      refId: String.fromCharCode(65 + j),
    })),
    fieldConfig: { defaults: { unit: s.unit }, overrides: [] },
  }));
  return {
    title: 'catcast',
    uid: 'catcast-overview',
    tags: ['catcast'],
    timezone: 'utc',
    schemaVersion: 39,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }],
    },
    panels,
  };
}

/** The dashboard as committed in charts/catcast/dashboards/catcast.json (prettier-formatted, like the repo). */
export async function dashboardJson(): Promise<string> {
  return format(JSON.stringify(dashboard()), { parser: 'json' });
}
