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

/** The Grafana dashboard of catcast: one panel per alert, plus request rate and latency. */
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
      title: 'HTTP p95 latency by service',
      unit: 's',
      exprs: [
        [
          `histogram_quantile(0.95, sum by (service, le) (rate(${METRICS.httpDuration}_bucket[5m])))`,
          '{{service}}',
        ],
      ],
    },
    {
      title: 'Outbox: oldest unpublished event age',
      unit: 's',
      exprs: [
        [`max(${METRICS.outboxOldestAge})`, 'oldest age'],
        [`sum(${METRICS.outboxBacklog})`, 'backlog rows'],
      ],
    },
    {
      title: 'Kafka consumer lag',
      unit: 'short',
      exprs: [
        [`sum(${METRICS.consumerLag})`, 'total'],
        [`sum by (partition) (${METRICS.consumerLag})`, 'partition {{partition}}'],
      ],
    },
    {
      title: 'Aggregation freshness',
      unit: 's',
      exprs: [[`max(${METRICS.aggregationFreshness})`, 'freshness']],
    },
    {
      title: 'Dead-lettered events (15 min)',
      unit: 'short',
      type: 'stat',
      exprs: [[`sum(increase(${METRICS.dlqMessages}[15m]))`, 'DLQ']],
    },
    {
      title: 'Forecast: time since last success per shard',
      unit: 's',
      exprs: [[`time() - max by (shard) (${METRICS.forecastLastSuccess})`, 'shard {{shard}}']],
    },
    {
      title: 'Forecast shard leaders',
      unit: 'short',
      exprs: [[`sum by (shard) (${METRICS.leaderIsLeader})`, 'shard {{shard}}']],
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
