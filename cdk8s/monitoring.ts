import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { commonLabels, releaseSelectorLabels } from './labels.js';
import { METRICS } from './metrics.js';

/** Alert thresholds of {@link CatcastAlerts}. */
export interface AlertThresholds {
  /** Share of ingest requests answered 5xx over 5 minutes. */
  readonly ingest5xxRatio: number;
  /** Share of one read API's requests (aggregator-api or forecast-api) answered 5xx over 5 minutes. */
  readonly readApi5xxRatio: number;
  /** Age of the oldest unpublished outbox row. */
  readonly outboxOldestAgeSeconds: number;
  /** Total consumer lag sustained for 10 minutes. */
  readonly consumerLagThreshold: number;
  /** Seconds since the last applied event. */
  readonly freshnessSeconds: number;
  /** Period of the forecast schedule; staleness fires after two periods. */
  readonly forecastPeriodSeconds: number;
}

/** One Prometheus alerting rule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/**
 * The alerting rules an SRE pages on; `release` scopes every selector to this release's Services
 * (the ServiceMonitor's `service` target label is the Kubernetes Service name, e.g. catcast-ingest).
 */
export function alertRules(release: string, t: AlertThresholds): AlertRule[] {
  const svc = (...components: string[]) =>
    components.length === 1
      ? `service="${release}-${components[0]}"`
      : `service=~"${release}-(${components.join('|')})"`;
  const ingest = svc('ingest');
  // Every exporter reports the whole consumer group's lag (the relay too, so that a stuck aggregator
  // cannot hide it), hence max over the "total" series, never sum.
  const lagTotal = `max(${METRICS.consumerLag}{${svc('aggregator', 'relay')},partition="total"})`;
  const forecast = svc('forecast-api');
  // The read path: the aggregator's read API (its own Deployment) and forecast-api, each on its own.
  const reads = svc('aggregator-api', 'forecast-api');
  const rule = (
    alert: string,
    expr: string,
    forDuration: string,
    severity: string,
    summary: string,
  ): AlertRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary },
  });
  return [
    rule(
      'CatcastIngest5xxRate',
      `sum(rate(${METRICS.httpDuration}_count{${ingest},status=~"5.."}[5m])) / clamp_min(sum(rate(${METRICS.httpDuration}_count{${ingest}}[5m])), 1e-9) > ${t.ingest5xxRatio}`,
      '5m',
      'critical',
      `More than a ${t.ingest5xxRatio} share of ingest requests fail with 5xx.`,
    ),
    rule(
      'CatcastReadApi5xxRate',
      `sum by (service) (rate(${METRICS.httpDuration}_count{${reads},status=~"5.."}[5m])) / clamp_min(sum by (service) (rate(${METRICS.httpDuration}_count{${reads}}[5m])), 1e-9) > ${t.readApi5xxRatio}`,
      '5m',
      'critical',
      `More than a ${t.readApi5xxRatio} share of one read API's requests (label service) fail with 5xx.`,
    ),
    rule(
      'CatcastOutboxStale',
      // Exported by ingest as well as the relay: the alert still fires when every relay is down.
      `max(${METRICS.outboxOldestAge}{${svc('ingest', 'relay')}}) > ${t.outboxOldestAgeSeconds}`,
      '2m',
      'critical',
      `The oldest unpublished outbox event is older than ${t.outboxOldestAgeSeconds}s: the relay is not publishing.`,
    ),
    rule(
      'CatcastOutboxBacklogUnknown',
      // The backlog gauges keep their last value while their query fails; this says they are stale.
      `max(${METRICS.outboxBacklogQueryFailed}{${svc('ingest', 'relay')}}) == 1`,
      '5m',
      'warning',
      'The outbox backlog query has failed for 5 minutes: backlog and age show their last value, so CatcastOutboxStale cannot see a growing backlog.',
    ),
    rule(
      'CatcastConsumerLagHigh',
      `${lagTotal} > ${t.consumerLagThreshold}`,
      '10m',
      'warning',
      `Aggregator consumer lag has stayed above ${t.consumerLagThreshold} messages for 10 minutes.`,
    ),
    rule(
      'CatcastAggregationStale',
      // Freshness grows in a quiet hour too; it only means "behind" while events are waiting.
      `max(${METRICS.aggregationFreshness}{${svc('aggregator')}}) > ${t.freshnessSeconds} and ${lagTotal} > 0`,
      '5m',
      'warning',
      `Events are waiting while the newest applied one is more than ${t.freshnessSeconds}s old: aggregates are behind.`,
    ),
    rule(
      'CatcastDlqNotEmpty',
      `sum(increase(${METRICS.dlqMessages}{${svc('aggregator')}}[15m])) > 0`,
      '0m',
      'warning',
      'Events were dead-lettered in the last 15 minutes; inspect and replay with `catcast dlq replay`.',
    ),
    rule(
      'CatcastForecastStale',
      // A shard that never succeeded has no last success; it counts from when it became due.
      `time() - max by (shard) (${METRICS.forecastLastSuccess}{${forecast}} or ${METRICS.forecastPendingSince}{${forecast}}) > ${2 * t.forecastPeriodSeconds}`,
      '5m',
      'warning',
      'A forecast shard has not succeeded for two schedule periods (or ever, since its shard count first ran).',
    ),
    rule(
      'CatcastShardWithoutLeader',
      `(max by (shard) (${METRICS.forecastRunRunning}{${forecast}}) == 1) and on (shard) (max by (shard) (${METRICS.forecastLeaderPresent}{${forecast}}) == 0)`,
      '5m',
      'critical',
      'A forecast shard has an unfinished run but nobody holds its lease: the leader died mid-run and no pod took over.',
    ),
  ];
}

/** Props of {@link CatcastMonitoring}. */
export interface CatcastMonitoringProps {
  /** Release name (names, selectors). */
  readonly release: string;
  /** app.kubernetes.io/version label value. */
  readonly version: string;
  /**
   * Emit a ServiceMonitor (Prometheus Operator CRD) scraping every Service's /metrics.
   * @default false
   */
  readonly serviceMonitor?: { readonly interval: string; readonly labels?: Readonly<Record<string, string>> };
  /**
   * Emit a PrometheusRule with {@link alertRules}.
   * @default false
   */
  readonly prometheusRule?: {
    readonly thresholds: AlertThresholds;
    readonly labels?: Readonly<Record<string, string>>;
  };
}

/** Prometheus Operator objects: a ServiceMonitor and the PrometheusRule of catcast's alerts. */
export class CatcastMonitoring extends Construct {
  constructor(scope: Construct, id: string, props: CatcastMonitoringProps) {
    super(scope, id);
    const base = commonLabels(props.release, 'monitoring', props.version);
    if (props.serviceMonitor) {
      if (!/^[0-9]+(ms|s|m|h)$/.test(props.serviceMonitor.interval)) {
        throw new Error(
          `monitoring: interval '${props.serviceMonitor.interval}' is not a Prometheus duration`,
        );
      }
      new ApiObject(this, 'servicemonitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: props.release, labels: { ...base, ...props.serviceMonitor.labels } },
        spec: {
          selector: { matchLabels: releaseSelectorLabels(props.release) },
          endpoints: [{ port: 'http', path: '/metrics', interval: props.serviceMonitor.interval }],
        },
      });
    }
    if (props.prometheusRule) {
      const t = props.prometheusRule.thresholds;
      for (const [name, ratio] of [
        ['ingest5xxRatio', t.ingest5xxRatio],
        ['readApi5xxRatio', t.readApi5xxRatio],
      ] as const) {
        if (!(ratio > 0 && ratio <= 1))
          throw new Error(`monitoring: ${name} must be in (0, 1], got ${ratio}`);
      }
      new ApiObject(this, 'prometheusrule', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: `${props.release}-alerts`, labels: { ...base, ...props.prometheusRule.labels } },
        spec: { groups: [{ name: 'catcast', rules: alertRules(props.release, t) }] },
      });
    }
  }
}
