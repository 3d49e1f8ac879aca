/**
 * Prometheus metric names the alerts and the dashboard use. They are the contract with the
 * binaries' /metrics (issue [otel]); rename here and both follow.
 */
export const METRICS = {
  /** Histogram of HTTP server request durations, labels route and status. */
  httpDuration: 'catcast_http_request_duration_seconds',
  /** Gauge: age in seconds of the oldest unpublished outbox row. */
  outboxOldestAge: 'catcast_outbox_oldest_age_seconds',
  /** Gauge: unpublished outbox rows. */
  outboxBacklog: 'catcast_outbox_backlog',
  /** Gauge: consumer lag per partition (log end offset minus committed offset). */
  consumerLag: 'catcast_consumer_lag',
  /** Gauge: seconds since the event time of the last applied event. */
  aggregationFreshness: 'catcast_aggregation_freshness_seconds',
  /** Counter: messages sent to the dead-letter topic. */
  dlqMessages: 'catcast_dlq_messages_total',
  /** Gauge: unix time of the last successful forecast run, label shard. */
  forecastLastSuccess: 'catcast_forecast_last_success_timestamp_seconds',
  /** Gauge: 1 while this process leads its shard, label shard. */
  leaderIsLeader: 'catcast_leader_is_leader',
} as const;
